"""A clock the tests own: the driver, the port's polling and the acquisition loop run on it,
so pin-level timing is exact and no test depends on how busy the machine is."""

from __future__ import annotations

import time

READ_COST_NS = 2_000


class FakeTime:
    """Stands in for the ``time`` module where the driver, the port and the loop use it."""

    def __init__(self, start_ns: int = 7_000_000_000) -> None:
        self.now = start_ns

    def monotonic_ns(self) -> int:
        return self.now

    def monotonic(self) -> float:
        # Each look at the clock (and the DOUT read beside it) takes a little time: a port
        # spinning for the ready edge must see time pass.
        self.now += READ_COST_NS
        return self.now * 1e-9

    def sleep(self, seconds: float) -> None:
        self.now += max(1, round(seconds * 1e9))

    process_time = staticmethod(time.process_time)
