"""The acquisition loop: read every conversion, timestamp it, count what went wrong.

It is independent of processes so tests can run it in-process on an emulated chip; the
sampler process wraps it.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from nhc_scale.hx711 import HX711, SETTLE_S, Conversion
from nhc_scale.sampler.blocks import (
    STATUS_NO_DATA,
    STATUS_OK,
    STATUS_STARTING,
    SampleBlock,
    SamplerStats,
)

# Wake this long before the next conversion is due, then poll: covers oversleeping and the
# HX711's own clock running a little fast, without spending the wait polling.
WAKE_EARLY_NS = 300_000
WAKE_EARLY_FRACTION = 0.03
INTERVAL_HISTORY = 32  # recent gap-free intervals; their median is the conversion period
# Words dropped because the chip fell silent before vouching for them: reported with the
# driver's rejections, by cause, in health and `nhc-scale doctor`.
REJECT_UNCONFIRMED = "unconfirmed"


class AcquisitionLoop:
    def __init__(
        self,
        driver: HX711,
        stats: SamplerStats,
        block_interval_s: float = 0.02,
        heartbeat_s: float = 0.25,
        no_data_s: float | None = None,
        retry_s: float = 1.0,
        clock: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.driver = driver
        self.stats = stats
        self._clock = clock
        rate = stats.configured_sps
        self._period_ns = 1e9 / rate
        self._intervals: deque[int] = deque(maxlen=INTERVAL_HISTORY)
        self._block_interval_ns = int(block_interval_s * 1e9)
        self._heartbeat_ns = int(heartbeat_s * 1e9)
        # Silence longer than 3 periods (at least 0.3 s) means the chip stopped answering:
        # reported well within the 0.5 s a user should wait to see it.
        self._no_data_ns = int((no_data_s or max(0.3, 3 / rate)) * 1e9)
        self._retry_ns = int(retry_s * 1e9)
        self._seq = 0
        self._index = 0
        self._t: list[int] = []
        self._counts: list[int] = []
        self._last_good_ns: int | None = None
        # The newest conversion is held back until the chip delivers the next one: a plug
        # pulled mid-word leaves DOUT floating high, so the rest of that word reads as ones and
        # passes every check the driver can make (a word of all ones is -1 counts). Only a
        # chip still answering afterwards vouches for it; the one before a silence is dropped.
        self._pending: Conversion | None = None
        self.unconfirmed = 0  # conversions dropped because the chip fell silent after them
        self._missed = 0
        self._samples = 0
        now = clock()
        self._last_data_ns = now
        self._last_flush_ns = now
        self._last_retry_ns = now
        self._status = STATUS_STARTING
        self.dropped_samples = 0  # set by the transport when the consumer falls behind

    def period_ns(self) -> float:
        if len(self._intervals) >= 4:
            return float(statistics.median(self._intervals))
        return self._period_ns

    def step(self) -> SampleBlock | None:
        """Read (or wait for) one conversion; return a block when one is due."""
        period = self.period_ns()
        if self._last_good_ns is not None:
            early = max(WAKE_EARLY_NS, period * WAKE_EARLY_FRACTION)
            wake_at = self._last_good_ns + period - early
            delay = (wake_at - self._clock()) * 1e-9
            if delay > 0:
                time.sleep(delay)
        restarts = self.driver.restarts
        conversion = self.driver.read(timeout_s=min(0.05, 2 * period * 1e-9))
        now = self._clock()
        if conversion is not None:
            if self._last_good_ns is not None:
                gap = conversion.t_ns - self._last_good_ns
                missed = round(gap / period) - 1
                if missed > 0:
                    self._missed += missed
                else:
                    self._intervals.append(gap)
            self._last_good_ns = conversion.t_ns
            self._last_data_ns = now
            if self._pending is not None:
                self._t.append(self._pending.t_ns)
                self._counts.append(self._pending.counts)
                self._samples += 1
            self._pending = conversion
            self._status = STATUS_OK
        else:
            # After a rejection the chip was restarted: the next gap is no measure of loss.
            if self.driver.last_rejection is not None:
                self._last_good_ns = None
            if self.driver.restarts != restarts:
                # The chip was power-cycled: nothing comes before it has settled.
                time.sleep(SETTLE_S[self.stats.configured_sps] * 0.9)
            if now - self._last_data_ns > self._no_data_ns:
                self._last_good_ns = None
                if self._pending is not None:
                    self._pending = None
                    self.unconfirmed += 1
                if self._status != STATUS_NO_DATA:
                    self._status = STATUS_NO_DATA
                    return self._flush(now)
                if now - self._last_retry_ns > self._retry_ns:
                    # A replugged chip wakes on A/128: restart it into our gain.
                    self._last_retry_ns = now
                    self.driver.restart()
        due = now - self._last_flush_ns
        if (self._t and due >= self._block_interval_ns) or due >= self._heartbeat_ns:
            return self._flush(now)
        return None

    def _flush(self, now: int) -> SampleBlock:
        driver = self.driver
        period = self.period_ns()
        self.stats = replace(
            self.stats,
            measured_sps=round(1e9 / period, 2) if len(self._intervals) >= 4 else None,
            samples=self._samples,
            missed_conversions=self._missed,
            rejected={**driver.rejected, REJECT_UNCONFIRMED: self.unconfirmed},
            timing_violations=driver.timing_violations,
            restarts=driver.restarts,
            dropped_samples=self.dropped_samples,
            status=self._status,
            cpu_s=time.process_time(),
        )
        block = SampleBlock(self._seq, self._index, tuple(self._t), tuple(self._counts), self.stats)
        self._seq += 1
        self._index += len(self._t)
        self._t.clear()
        self._counts.clear()
        self._last_flush_ns = now
        return block
