"""What the sensor commands share: a running sampler and a window of its readings."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from nhc_scale.cli import CommandError
from nhc_scale.config import Settings
from nhc_scale.instance_lock import InstanceBusy, InstanceLock
from nhc_scale.sampler import Sampler, SamplerDied, SamplerStats
from nhc_scale.sampler.blocks import STATUS_ERROR
from nhc_scale.sensor import sampler_config


class SensorInUse(CommandError):
    """The appliance (or another command) is running on this state directory and its sensor."""


@contextmanager
def running_sampler(settings: Settings) -> Iterator[Sampler]:
    """A sampler on the configured sensor, while no other nhc-scale drives it."""
    try:
        lock = InstanceLock(settings.state_dir).acquire()
    except InstanceBusy as error:
        raise SensorInUse(str(error)) from error
    config, notice = sampler_config(settings)
    if notice:
        print(f"\n*** {notice} ***\n", file=sys.stderr)
    sampler = Sampler(config)
    sampler.start()
    try:
        yield sampler
    finally:
        sampler.stop()
        lock.release()


@dataclass
class Window:
    t_ns: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    stats: SamplerStats | None = None
    blocks: int = 0


def check_block_status(stats: SamplerStats) -> None:
    if stats.status == STATUS_ERROR:
        raise CommandError(f"the sensor cannot be opened: {stats.message}")


def collect(sampler: Sampler, seconds: float, skip_s: float = 0.0) -> Window:
    """Readings taken from ``skip_s`` after now for ``seconds``, timed by the samples.

    Blocks queued while a user was reading a prompt are older than now and are skipped.
    """
    window = Window()
    begin_ns = time.monotonic_ns() + int(skip_s * 1e9)
    end_ns: int | None = None
    deadline = time.monotonic() + skip_s + seconds + 3.0  # the start-up takes a moment
    try:
        while time.monotonic() < deadline:
            block = sampler.receive(timeout_s=0.25)
            if block is None:
                continue
            window.blocks += 1
            window.stats = block.stats
            check_block_status(block.stats)
            for t, counts in zip(block.t_ns, block.counts, strict=True):
                if t < begin_ns:
                    continue
                if end_ns is None:
                    end_ns = t + int(seconds * 1e9)
                elif t > end_ns:
                    return window
                window.t_ns.append(t)
                window.counts.append(counts)
    except SamplerDied as error:
        raise CommandError(f"the sampler stopped: {error}") from error
    if not window.counts:
        status = window.stats.status if window.stats else "no answer from the sampler"
        raise CommandError(f"no readings from the HX711 ({status}): check its wiring and power")
    return window
