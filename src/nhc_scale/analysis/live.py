"""What the phone shows while a rep is in progress: whether the effort has begun, and the lowest
0.3 s force of it so far (the value stored when the rep ends is the contact analysis's)."""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.minimum import trapezoid_weights, window_samples


class RunningMinimum:
    """The running minimum of one contact, fed its force relative to the zero as it arrives."""

    def __init__(self, fs: float, cfg: DetectorConfig) -> None:
        self.cfg = cfg
        self._box = window_samples(fs, cfg.sustain_s)
        self.reset()

    def reset(self) -> None:
        self._tail = np.empty(0)  # the last window of force, for the next block's averages
        self._from_s = np.inf
        self._peak = -np.inf
        self._min: float | None = None
        self.effort = False

    def start(self, t_s: float) -> None:
        """The contact began at ``t_s``: bounces and the landing's ringing come first."""
        self._from_s = t_s + self.cfg.bounce_max_s + self.cfg.landing_settle_s

    @property
    def value(self) -> float | None:
        return self._min if self.effort else None

    @property
    def buffered_samples(self) -> int:
        return int(self._tail.size)

    def push(self, t: np.ndarray, rel: np.ndarray) -> None:
        """Samples of the contact: times and force over the zero (causal 0.3 s average)."""
        if t.size == 0:
            return
        joined = np.concatenate((self._tail, rel))
        self._tail = joined[-self._box :].copy()
        if joined.size <= self._box:
            return
        level = sustained_causal(joined, self._box)[-min(t.size, joined.size - self._box) :]
        times = t[-level.size :]
        level = level[times >= self._from_s]
        if level.size == 0:
            return
        self._peak = max(self._peak, float(level.max()))
        low = float(level.min())
        self._min = low if self._min is None else min(self._min, low)
        drop = self._peak - self._min
        if drop >= max(self.cfg.push_rise_kg, self.cfg.live_effort_drop_frac * self._peak):
            self.effort = True


def sustained_causal(y: np.ndarray, n: int) -> np.ndarray:
    """Trailing trapezoid average over ``n`` periods, ``valid`` part only (one value per full
    window)."""
    return np.convolve(y, trapezoid_weights(n), mode="valid")
