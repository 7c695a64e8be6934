"""The sampler process, kept running: started, read, restarted when it dies.

The acquisition loop runs in its own OS process (see nhc_scale/sampler). If it dies (killed,
the pins lost) the supervisor says so to its owner, which marks the hole in the session, and
starts a new one: a second later after a hardware failure (exit code 3), at once otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from nhc_scale.sampler import SampleBlock, Sampler, SamplerConfig, SamplerDied, SamplerStats
from nhc_scale.sampler.blocks import STATUS_STARTING

log = logging.getLogger(__name__)

RESTART_AFTER_FAILURE_S = 1.0  # the pins failed to open: give the hardware a moment
EXIT_HARDWARE_FAILURE = 3
RECEIVE_TIMEOUT_S = 0.25  # the pipeline wakes at least this often (flushes, status, watchdog)


class SamplerSupervisor:
    def __init__(self, config: SamplerConfig, on_died: Callable[[SamplerDied], None]) -> None:
        self.config = config
        self._on_died = on_died
        self.stats = SamplerStats(backend=config.port.backend, configured_sps=config.rate_sps)
        self.restarts = 0
        self.status_changed = False  # the last block's status or message differs from before
        self._sampler: Sampler | None = None

    def start(self) -> None:
        self._sampler = Sampler(self.config)
        self._sampler.start()

    def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.stop()

    def receive(self) -> SampleBlock | None:
        """The next block (its stats become :attr:`stats`), or None after a quiet wait or a
        restart."""
        assert self._sampler is not None, "start() first"
        try:
            block = self._sampler.receive(timeout_s=RECEIVE_TIMEOUT_S)
        except SamplerDied as error:
            self._restart(error)
            return None
        if block is not None:
            before, self.stats = self.stats, block.stats
            self.status_changed = (before.status, before.message) != (
                block.stats.status,
                block.stats.message,
            )
        return block

    def _restart(self, error: SamplerDied) -> None:
        log.error("sampler died (%s); restarting it", error)
        assert self._sampler is not None
        self._sampler.stop()
        self.stats = replace(
            self.stats, status=STATUS_STARTING, message=f"sampler restarting after: {error}"
        )
        self._on_died(error)
        time.sleep(RESTART_AFTER_FAILURE_S if error.exitcode == EXIT_HARDWARE_FAILURE else 0.1)
        self.restarts += 1
        self.start()
