"""The last few seconds of raw readings: what tare, calibration and a relaxed reading act on,
at once, without waiting for new samples."""

from __future__ import annotations

import time
from collections import deque

from nhc_scale.appliance.errors import SensorUnavailable

RECENT_S = 4.0  # a relaxed reading looks for 2 s of stillness in the newest 4 s
STALE_S = 0.5  # readings older than this are not "now": the sensor has stopped answering


class RecentReadings:
    def __init__(self, keep_s: float = RECENT_S) -> None:
        self._keep_ns = int(keep_s * 1e9)
        self._t_ns: deque[int] = deque()
        self._counts: deque[int] = deque()

    def add(self, t_ns: tuple[int, ...], counts: tuple[int, ...]) -> None:
        self._t_ns.extend(t_ns)
        self._counts.extend(counts)
        while self._t_ns and self._t_ns[-1] - self._t_ns[0] > self._keep_ns:
            self._t_ns.popleft()
            self._counts.popleft()

    def window(self, seconds: float) -> tuple[list[int], list[int]]:
        """The newest ``seconds`` of (t_ns, counts), or SensorUnavailable if there are none."""
        if not self._t_ns or time.monotonic_ns() - self._t_ns[-1] > STALE_S * 1e9:
            raise SensorUnavailable("the sensor has sent no readings in the last half second")
        newest = self._t_ns[-1]
        pairs = [
            (t, c)
            for t, c in zip(self._t_ns, self._counts, strict=True)
            if newest - t <= seconds * 1e9
        ]
        return [t for t, _ in pairs], [c for _, c in pairs]
