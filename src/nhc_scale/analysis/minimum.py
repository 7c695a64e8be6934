"""What the hands sustained: the force averaged over 0.3 s, and its lowest value near a sample.

docs/measurement.md: the minimum assistance is the lowest force the hands sustained for 0.3 s.
Averaging the force drawn as straight lines between samples over the window (trapezoid weights)
is what a needle that integrates over the window would read.
"""

from __future__ import annotations

import numpy as np

#: Window positions tried between two samples when the lowest average is refined: a tenth of a
#: sample period (10 ms at 10 S/s) is finer than anything the 0.3 s average can show.
SUBSAMPLE_STEPS = 10


def trapezoid_weights(n: int) -> np.ndarray:
    """Weights averaging the piecewise-linear signal over ``n`` sample periods."""
    weights = np.ones(n + 1)
    weights[0] = weights[-1] = 0.5
    return weights / n


def window_samples(fs: float, window_s: float) -> int:
    """Sample periods in a window of ``window_s`` at rate ``fs`` (at least one)."""
    return max(1, round(window_s * fs))


def sustained(y: np.ndarray, fs: float, window_s: float) -> np.ndarray:
    """Centred moving average of the piecewise-linear ``y`` over ``window_s``."""
    weights = trapezoid_weights(window_samples(fs, window_s))
    if y.size < weights.size:
        return np.full(y.shape, float(np.mean(y)) if y.size else 0.0)
    return np.convolve(y, weights, mode="same")


def lowest_average_near(
    y: np.ndarray, t: np.ndarray, k: int, fs: float, window_s: float
) -> tuple[float, float]:
    """(the lowest average of the piecewise-linear ``y`` over ``window_s``, its centre's time)
    for window centres within one sample of ``y[k]``, tried every tenth of a sample.

    :func:`sustained` centres its windows on samples only: at 10 S/s they are 0.1 s apart, a
    third of the window, and the lowest of them can read the tip of a steep V high by a few
    hundred grams. What the hands sustained is the lowest average over any 0.3 s."""
    up = SUBSAMPLE_STEPS
    m = window_samples(fs, window_s) * up  # the window, in steps
    reach = m // up + 2
    a, b = max(0, k - reach), min(y.size, k + reach + 1)
    fine_at = np.arange(a * up, (b - 1) * up + 1) / up  # sample indices, fractional
    fine = np.interp(fine_at, np.arange(a, b), y[a:b])
    averages = np.convolve(fine, trapezoid_weights(m), mode="valid")
    centres = fine_at[: averages.size] + 0.5 * m / up
    near = np.abs(centres - k) <= 1.0
    if not near.any():  # too close to either end for a whole window: sustained()'s own
        return float(sustained(y[a:b], fs, window_s)[k - a]), float(t[k])
    best = int(np.argmin(np.where(near, averages, np.inf)))
    return float(averages[best]), float(np.interp(centres[best], np.arange(t.size), t))
