"""The phases of a rep (docs/measurement.md): landing, hold, effort, push-off, release.

Given a contact's force, zeroed and with its transients taken out, and its 0.3 s average
``level`` from the end of the landing's settling (``lo``) to the release (``end``), these find
where the effort bottoms out: at the minimum before a push-off, at the lift-off of an unassisted
rep, or at the lowest force seen before a hole in the data that could hide a push-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nhc_scale.analysis.config import DetectorConfig


@dataclass(frozen=True)
class Bottom:
    """Where the effort bottomed out; indices count from ``lo``."""

    k: int  # the sample the minimum's 0.3 s window is centred near (lift-off if unassisted)
    unassisted: bool  # the force fell to zero and no push-off followed
    push_peak_kg: float | None  # the push-off's highest force; None if no push-off was seen
    push_peak_at: int | None = None  # ...and where it was


def landing(
    t: np.ndarray,
    y: np.ndarray,
    segments: tuple[tuple[int, int], ...],
    fs: float,
    cfg: DetectorConfig,
) -> tuple[int, int]:
    """(the landing's peak, the first sample after its impact and ringing have faded).

    The landing is the first piece of contact that lasts ``bounce_max_s`` (shorter ones before
    it are bounces), or the longest piece; its peak lies within ``bounce_max_s`` of its start.
    """
    start, stop = _landing_segment(t, segments, cfg.bounce_max_s)
    window = max(1, round(cfg.bounce_max_s * fs))
    peak = start + int(np.argmax(y[start : min(stop, start + window)]))
    return peak, peak + round(cfg.landing_settle_s * fs)


def _landing_segment(
    t: np.ndarray, segments: tuple[tuple[int, int], ...], bounce_max_s: float
) -> tuple[int, int]:
    for start, stop in segments:
        if t[stop - 1] - t[start] >= bounce_max_s:
            return start, stop
    return max(segments, key=lambda seg: t[seg[1] - 1] - t[seg[0]])


def push_offs(
    t: np.ndarray, smooth: np.ndarray, level: np.ndarray, lo: int, end: int, cfg: DetectorConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each sample of ``level`` (from ``lo``): whether a push-off follows it, the highest
    force after it and where that is.

    A push-off rises above the level by ``push_rise_kg``, by ``push_rise_frac`` of the fall
    from the hold and by ``push_rise_level_frac`` of the level; the hands then leave: the force
    is never back at the level until at most ``release_max_s`` before the end of the contact;
    and its peak lies ahead, at least half a window on (the centred 0.3 s average already sees
    the top of the release that far ahead). The push-off is judged on the low-passed force,
    not its 0.3 s average: a short, sharp push (0.5 s at 10 S/s) is a real push even if its
    average barely rises.
    """
    highest = np.maximum.accumulate(level)
    backwards = smooth[lo:end][::-1]
    running = np.maximum.accumulate(backwards)
    at_new_top = np.where(backwards == running, np.arange(backwards.size), 0)
    later_peak = running[::-1]
    later_peak_at = (backwards.size - 1 - np.maximum.accumulate(at_new_top))[::-1]
    share = np.maximum(cfg.push_rise_frac * (highest - level), cfg.push_rise_level_frac * level)
    needed = np.maximum(cfg.push_rise_kg, share)
    pushed = later_peak - level >= needed
    # the last time the force is back at each level: after a push-off only the release is below
    last_at_level = np.searchsorted(-later_peak, -level, side="right") - 1
    released_s = t[end - 1] - t[lo + np.maximum(last_at_level, 0)]
    pushed &= released_s <= cfg.release_max_s
    ahead_s = t[lo + later_peak_at] - t[lo : lo + level.size]
    pushed &= ahead_s >= cfg.sustain_s / 2
    return pushed, later_peak, later_peak_at


def bottom(
    t: np.ndarray,
    x: np.ndarray,
    measured: np.ndarray,
    zero: float,
    smooth: np.ndarray,
    level: np.ndarray,
    lo: int,
    end: int,
    fs: float,
    cfg: DetectorConfig,
) -> Bottom:
    """Where the effort bottomed out: the lowest level a push-off follows; else, when the end
    of the rep fell into a hole in the data, the lowest level seen before it (a push-off could
    hide there: the rep is not called unassisted on what was not seen); else the lift-off of
    an unassisted rep, where the level falls to ``contact_off_kg``."""
    pushed, later_peak, later_peak_at = push_offs(t, smooth, level, lo, end, cfg)
    if pushed.any():
        k = int(np.argmin(np.where(pushed, level, np.inf)))
        return Bottom(k, False, float(later_peak[k]), int(later_peak_at[k]))
    hole = hole_before_end(t, x, measured, zero, end, cfg)
    if hole is not None:
        seen = max(1, hole - lo - round(cfg.sustain_s / 2 * fs))
        return Bottom(int(np.argmin(level[:seen])), unassisted=False, push_peak_kg=None)
    below = np.flatnonzero(level <= cfg.contact_off_kg)
    k = int(below[0]) if below.size else level.size - 1
    return Bottom(k, unassisted=True, push_peak_kg=None)


def effort_start(level: np.ndarray, k: int, cfg: DetectorConfig) -> tuple[int, float]:
    """(where the effort that bottomed out at ``k`` began, the top of the hold before it): the
    last sample before ``k`` whose level stood within ``phase_edge_frac`` of the fall below
    the top."""
    hold_top = float(np.max(level[: k + 1]))
    fall_start = float(level[k]) + (1.0 - cfg.phase_edge_frac) * (hold_top - float(level[k]))
    return int(np.flatnonzero(level[: k + 1] >= fall_start)[-1]), hold_top


def hole_before_end(
    t: np.ndarray,
    x: np.ndarray,
    measured: np.ndarray,
    zero: float,
    end: int,
    cfg: DetectorConfig,
) -> int | None:
    """The first sample of the first hole in the data (lost conversions, re-created by a line)
    ending within ``release_max_s`` of the contact's end and long enough to hide a push-off (its
    measured neighbours more than ``sustain_s`` apart), or None. A hole that the fall before it,
    continued across it, explains (the force after it is where that fall leads) hides nothing.
    """
    kept = np.flatnonzero(measured)
    before, after = kept[:-1], kept[1:]
    hole = (
        (t[after] - t[before] > cfg.sustain_s)
        & (before < end - 1)  # it starts inside the contact (its line may carry the end)...
        & (t[after] >= t[end - 1] - cfg.release_max_s)  # ...and ends near the release
    )
    for i in np.flatnonzero(hole).tolist():
        if not _fall_carries_across(t, x, zero, kept, int(before[i]), int(after[i]), cfg):
            return int(before[i]) + 1
    return None


def _fall_carries_across(
    t: np.ndarray,
    x: np.ndarray,
    zero: float,
    kept: np.ndarray,
    last: int,
    first: int,
    cfg: DetectorConfig,
) -> bool:
    """Whether the force falling before the hole between measured samples ``last`` and
    ``first``, continued in a straight line (never below zero: the hands have left), arrives
    where the force is after it: nothing but the fall happened in the hole."""
    seen = kept[(kept <= last) & (t[kept] >= t[last] - cfg.sustain_s)]
    if seen.size < 2:
        return False
    slope, at_last = np.polyfit(t[seen] - t[last], x[seen] - zero, 1)
    if slope >= 0.0:
        return False
    expected = max(0.0, at_last + slope * (t[first] - t[last]))
    fall = at_last - expected
    return bool(abs(x[first] - zero - expected) <= max(cfg.push_rise_kg, cfg.hole_fall_frac * fall))
