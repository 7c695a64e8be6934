"""A session's detector fed ten times a second rather than at every block from the sampler.

The sampler hands over a block every 20 ms: two samples at 80 S/s. The detector's cost is
mostly per call (its filters' set-up, not the arithmetic), so at that size it spent ~9 ms of CPU
per second of data here where 80-sample blocks cost ~0.5 ms (``benchmarks/analysis.py``); a Pi
Zero's cores are several times slower. The detector gives the same reps for any chunking of the
same samples (docs/measurement.md, "Live and offline agree"), so gathering 0.1 s before each
call changes nothing but when its answers arrive: the phone's digits change 8 times a second
anyway, and a rep is reported 2 s after the hands leave.
"""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis import Rep, RepDetector

FEED_EVERY_S = 0.1


class BatchedDetector:
    """A :class:`RepDetector` that is handed samples as they come and fed at most every
    ``every_s`` of data; ``flush`` feeds what is left before the detector's own flush."""

    def __init__(self, every_s: float = FEED_EVERY_S) -> None:
        self._detector = RepDetector()
        self._every_s = every_s
        self._t: list[np.ndarray] = []
        self._kg: list[np.ndarray] = []

    @property
    def state(self) -> str:
        return self._detector.state

    @property
    def running_min_kg(self) -> float | None:
        return self._detector.running_min_kg

    def feed(self, t_s: np.ndarray, kg: np.ndarray) -> list[Rep]:
        if t_s.size == 0:
            return []
        self._t.append(t_s)
        self._kg.append(kg)
        if float(t_s[-1] - self._t[0][0]) < self._every_s:
            return []
        return self._feed_pending()

    def flush(self) -> list[Rep]:
        return [*self._feed_pending(), *self._detector.flush()]

    def _feed_pending(self) -> list[Rep]:
        if not self._t:
            return []
        t_s, kg = np.concatenate(self._t), np.concatenate(self._kg)
        self._t, self._kg = [], []
        return self._detector.feed(t_s, kg)
