"""A hand shift's aftermath: the catch as the hand lands again, and the trough as it settles.

A hand landing again overshoots (the catch) and the force then settles back to what the hands
sustain. Next to the overshoot the settled force looks like one more short dip: it is not a
second shift (one hand shifts at a time) and stays as read (:func:`hand_shifts`). The overshoot
is no more sustained than the shift itself: at rates that resolve it, it is capped at the line
across the shift (:func:`flatten_catch`); at 10 S/s, where a catch is one or two conversions, the
fill is fitted to the force with the catch capped, the force itself left as read
(:func:`without_catches`).

Both caps bet on convexity: around a minimum the force lies under the line across it, so only
an overshoot reaches over that line.
"""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis.dips import Dip


def hand_shifts(dips: list[Dip], trough_widths: float) -> list[tuple[int, int]]:
    """The spans of ``dips`` to cut out: all but the troughs after a catch. Such a trough is a
    dip shallower than a cut one before it and beginning within ``trough_widths`` of that cut's
    widths after its end."""
    cut: list[tuple[int, int, float]] = []
    for i0, i1, deep in sorted(dips):
        if cut:
            p0, p1, p_deep = cut[-1]
            if p1 <= i0 < p1 + trough_widths * (p1 - p0) and deep < p_deep:
                continue
        cut.append((i0, i1, deep))
    return [(i0, i1) for i0, i1, _ in cut]


def catch_spans(cuts: list[tuple[int, int]], widths: float, hi: int) -> list[tuple[int, int, int]]:
    """``(i0, i1, stop)`` for each cut ``[i0, i1)`` of ``cuts`` (in order): ``[i1, stop)`` is
    where its catch may lie, up to the sample ``widths`` of the cut's widths after it or up to
    the next cut."""
    stops = [i0 for i0, _ in cuts[1:]] + [hi]
    return [
        (i0, i1, min(stop, i1 + round(widths * (i1 - i0)) + 1))
        for (i0, i1), stop in zip(cuts, stops, strict=True)
    ]


def without_catches(
    y: np.ndarray, spans: list[tuple[int, int, int]], lo: int, least_kg: float
) -> np.ndarray:
    """``y`` with each shift's catch capped, for the fill to be fitted to at 10 S/s. Over each
    ``[i1, stop)`` of :func:`catch_spans`, where the force rises at least ``least_kg`` above the
    line from the force just before the cut ``[i0, i1)`` to the force at ``stop - 1``, it is
    capped at that line. At 10 S/s a fill has three conversions of context a side and a catch
    takes one or two of them: left in, the fill bends up towards it."""
    out = y.copy()
    for i0, i1, stop in spans:
        if lo < i0 and i1 < stop - 1:
            _cap_at_line(out, i0, i1, stop, i0 - 1, least_kg)
    return out


def flatten_catch(out: np.ndarray, i0: int, i1: int, stop: int, lo: int, least_kg: float) -> None:
    """Take a hand shift's catch out of ``out`` in place. The shift was cut out at ``[i0, i1)``
    and filled; where the force over ``[i1 - 1, stop)`` (``stop``: one cut's width on, or the
    next cut) rises at least ``least_kg`` above the line from the fill's start to the force at
    the end of that span, it is capped at the line to that end from the force just before the
    cut. Left in, the catch sits in the 0.3 s window over the minimum and reads it high.

    The test starts at the fill (a sharp-edged shift's flank, left in by the cut, lies below
    what was sustained and would make every force after it look like an overshoot); the cap
    starts before the cut (the fill, fitted to the force around it and so to the catch, is
    itself a little high)."""
    if lo < i0 and i1 < stop - 1:
        _cap_at_line(out, i0, i1 - 1, stop, i0, least_kg)


def _cap_at_line(
    v: np.ndarray, i0: int, first: int, stop: int, tested_from: int, least_kg: float
) -> None:
    """The cap both catch helpers make, in place: where ``v[first:stop]`` rises at least
    ``least_kg`` above the line from ``v[tested_from]`` to ``v[stop - 1]``, it is capped at the
    line from ``v[i0 - 1]`` (the force just before the cut starting at ``i0``) to ``v[stop - 1]``.
    A span stops before the next cut and its last sample, where both lines end, is never
    changed, so capping one shift's span never moves the lines of the next."""
    end = stop - 1
    at = np.arange(first, stop)
    span = v[first:stop]
    if np.max(span - np.interp(at, [tested_from, end], [v[tested_from], v[end]])) >= least_kg:
        np.minimum(span, np.interp(at, [i0 - 1, end], [v[i0 - 1], v[end]]), out=span)
