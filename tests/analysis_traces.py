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
