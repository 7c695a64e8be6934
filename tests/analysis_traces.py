"""Hand-built force traces for the detector's tests: every feature placed exactly."""

from __future__ import annotations

import numpy as np


def timeline(duration_s: float, rate: float = 80.0) -> np.ndarray:
    return np.arange(0.0, duration_s, 1.0 / rate)


def assisted(
    t: np.ndarray,
    t0: float,
    hold: float = 40.0,
    bottom: float = 15.0,
    push: float = 45.0,
    plateau_s: float = 1.0,
) -> np.ndarray:
    """Land at t0, hold 3 s, fall for 2 s, plateau, push off, release."""
    knots = np.array([0.0, 0.05, 3.0, 5.0, 5.0 + plateau_s, 5.7 + plateau_s, 6.0 + plateau_s])
    values = [0.0, hold, hold, bottom, bottom, push, push]
    knots = np.append(knots, knots[-1] + 0.2)
    values.append(0.0)
    return np.interp(t, knots + t0, values, left=0.0, right=0.0)


def rounded(t: np.ndarray, t0: float, hold: float = 40.0, bottom: float = 15.0) -> np.ndarray:
    """Land at t0 and hold; from t0+3 s ease down to ``bottom`` at t0+5.5 s and straight back
    up, easing, to hold+5 kg at t0+6.5 s (a round-bottomed V); release at t0+7 s."""

    def ease(u: np.ndarray) -> np.ndarray:
        u = np.clip(u, 0.0, 1.0)
        return u * u * (3.0 - 2.0 * u)

    u = t - t0
    effort = hold - (hold - bottom) * ease((u - 3.0) / 2.5) + (hold + 5.0 - bottom) * ease(u - 5.5)
    on = np.clip(u / 0.05, 0.0, 1.0) * np.clip((7.2 - u) / 0.2, 0.0, 1.0)
    return effort * on


def unassisted(t: np.ndarray, t0: float, hold: float = 40.0) -> np.ndarray:
    """Land, hold, and the force falls to zero over 2.5 s: the hands leave without a push."""
    return np.interp(t, np.array([0.0, 0.05, 3.0, 5.5]) + t0, [0.0, hold, hold, 0.0], 0.0, 0.0)


def noisy(t: np.ndarray, force: np.ndarray, seed: int = 0, noise: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tremor = 0.3 * np.sin(2 * np.pi * 9.5 * t) * (force > 1.0)
    return force + tremor + rng.normal(0.0, noise, t.size)


def plateau_then_push(t: np.ndarray, push: list[float]) -> np.ndarray:
    """10 S/s: land at 10 s, hold 30 kg, fall to a 15 kg plateau, then ``push`` (one value per
    conversion from 16.5 s on) and nothing after."""
    force = assisted(t, 10.0, hold=30.0, bottom=15.0, push=15.0, plateau_s=1.5)
    force[t >= 16.45] = 0.0
    start = int(np.searchsorted(t, 16.45))
    force[start : start + len(push)] = push
    return noisy(t, force)


# 10 S/s samples of a synthetic recording (seed 2003, rep 7): a slow effort bottoming at ~21 kg,
# a push-off of only ~5 kg, the release, then 1.1 s later a lone 6 kg glitch (below the 6 kg
# despike threshold that 10 S/s needs to keep the tips of steep Vs).
GLITCH_AFTER_RELEASE = [
    0.8, 0.8, 0.8, 0.8, 0.7, 0.9, 0.9, 0.8, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 0.8, 0.9, 0.8,
    0.9, 0.8, 0.9, 0.8, 7.7, 38.6, 35.1, 33.9, 33.6, 33.6, 33.6, 33.5, 33.5, 33.4, 33.4, 33.4,
    33.3, 33.3, 33.3, 33.4, 33.4, 33.5, 33.6, 33.6, 33.7, 33.8, 33.8, 33.9, 33.8, 33.7, 33.7,
    33.7, 33.5, 33.4, 33.3, 33.2, 33.2, 33.3, 33.1, 33.0, 33.1, 33.0, 32.8, 32.8, 32.6, 32.4,
    32.2, 31.8, 31.5, 31.1, 30.7, 30.2, 29.6, 29.1, 28.6, 28.1, 27.5, 27.0, 26.4, 26.0, 25.5,
    25.2, 24.8, 24.3, 24.0, 23.7, 23.4, 23.2, 23.0, 22.7, 22.4, 22.1, 21.9, 21.7, 21.5, 21.4,
    21.2, 21.1, 21.1, 21.0, 21.0, 21.1, 21.1, 21.2, 21.2, 21.4, 21.6, 21.9, 22.6, 23.8, 24.9,
    25.9, 26.3, 26.3, 26.3, 26.2, 24.9, 8.0, 0.9, 0.9, 0.7, 0.8, 0.8, 0.8, 0.9, 0.9, 0.8, 0.8,
    6.6, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 0.9, 0.8, 0.9, 0.8, 0.8, 0.8, 0.9, 0.9,
    0.8, 0.9, 0.8, 0.9, 0.9, 0.9, 0.9,
]  # fmt: skip


# 10 S/s samples of a synthetic recording (seed 2065, rep 17): a landing at 92 kg, a ringing
# trough 0.3 s later, a hold at ~47 kg, an effort to ~38 kg (a hand shift at the bottom), the
# push-off and the release.
TROUGH_AFTER_LANDING = [
    1.1, 1.3, 1.1, 1.2, 1.2, 1.2, 1.2, 1.2, 1.0, 1.2, 1.2, 1.2, 1.1, 1.1, 1.2, 1.1, 1.2, 1.1,
    1.2, 1.2, 1.1, 1.1, 1.1, 91.6, 52.4, 49.2, 48.9, 45.3, 48.8, 47.2, 47.9, 48.3, 47.9, 47.9,
    47.3, 47.0, 46.7, 46.7, 47.1, 47.6, 48.1, 48.5, 48.1, 47.4, 46.4, 45.8, 45.5, 45.7, 46.3,
    46.7, 46.8, 46.5, 45.7, 45.3, 44.7, 44.0, 41.0, 46.5, 44.0, 43.6, 43.2, 43.0, 42.9, 42.8,
    42.6, 41.6, 41.2, 40.5, 40.2, 40.0, 40.2, 40.1, 40.3, 40.2, 40.0, 39.5, 38.9, 38.2, 37.8,
    37.6, 37.6, 37.8, 38.3, 38.5, 38.4, 38.1, 27.3, 41.4, 39.5, 42.4, 45.7, 49.2, 51.2, 51.7,
    51.5, 50.8, 50.7, 52.3, 55.2, 58.8, 61.9, 64.1, 64.4, 64.4, 64.4, 64.5, 64.8, 34.9, 1.3,
    1.2, 1.2, 1.2, 1.1, 1.2, 1.2, 1.1, 1.3, 1.1, 1.1, 1.2, 1.2, 1.1, 1.1, 1.3, 1.2, 1.1, 1.3,
    1.1,
]  # fmt: skip


def sustained_minimum(
    t: np.ndarray, force: np.ndarray, lo_s: float, hi_s: float, window_s: float = 0.3
) -> float:
    """The truth a test holds the detector to (docs/measurement.md): the lowest average of the
    force (straight lines between samples) over ``window_s``, for window centres in
    ``[lo_s, hi_s]``, on a 1 ms grid."""
    step = 0.001
    n = round(window_s / step)
    grid = np.arange(lo_s - window_s / 2, hi_s + window_s / 2 + step / 2, step)
    weights = np.ones(n + 1)
    weights[0] = weights[-1] = 0.5
    averages = np.convolve(np.interp(grid, t, force), weights / n, mode="valid")
    return float(averages.min())


def rep_around(samples: list[float], rate: float = 10.0, hold: float = 40.0) -> tuple:
    """(t, force): a rep at ``rate`` whose effort ends in ``samples`` (one per conversion):
    landing at 10 s, a 3 s hold at ``hold`` kg, a 1.5 s fall to the first sample, the samples,
    and then 0 kg (the samples end with the push-off and the release, or the release follows
    at once). A little noise, no tremor: the samples carry their own."""
    period = 1.0 / rate
    lead = np.arange(0.0, 10.0, period)
    landing = np.arange(10.0, 14.5, period)
    hold_and_fall = np.interp(landing, [10.0, 10.05, 13.0, 14.5], [0.0, hold, hold, samples[0]])
    after = np.zeros(round(8.0 * rate))
    force = np.concatenate((np.zeros(lead.size), hold_and_fall, samples, after))
    t = np.arange(force.size) * period
    return t, force + np.random.default_rng(7).normal(0.0, 0.03, t.size)
