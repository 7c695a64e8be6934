"""Finding the short dips in a contact's force: hands shifting on the pad, ringing troughs.

A dip is a local minimum at least ``dip_min_kg`` deep (against the force within
``dip_context_s``) whose width at half depth is under ``dip_max_halfwidth_s``. The V of a real
effort, however sharp its tip, is many times wider at half its depth. Each dip comes with the
span to cut out: where it is deeper than ``dip_cut_depth`` of its depth, no further than
``dip_reach_s`` from its tip.

At rates that resolve the effort's shape (``fine``), a dip's depth is also measured against the
line the force either side of it makes (:func:`below_line`): a dip at the foot of the effort's
fall is no deeper than it reaches below that line, and a hand shifting at the tip of the V,
which takes the V's own depth and width when measured against the highest force near it, is
found riding on the V (:func:`riding_dip`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.signal import find_peaks, peak_widths

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.fill import broken_line, fill_extent

#: A sampled dip reads up to about half a sample period wider than it is (each conversion
#: averages over its period): at 10 S/s a 0.25 s hand shift measures ~0.25 s at half depth.
SAMPLED_WIDTH_SLACK = 0.5
#: Widths of the span left out when a dip is measured against the line its sides make, as
#: shares of ``dip_line_span_s``: four widths, not every one (the fits are the cost).
LINE_SPAN_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


class Dip(NamedTuple):
    """A dip's span to cut out, ``[first, stop)`` in contact indices, and its depth in kg."""

    first: int
    stop: int
    depth: float


def find_dips(
    y: np.ndarray, lo: int, hi: int, fs: float, cfg: DetectorConfig, fine: bool
) -> list[Dip]:
    """Every short dip in ``y[lo:hi]``; with ``fine``, the dips riding on a wider minimum too."""
    part = -y[lo:hi]
    if part.size < 3:
        return []
    depth_window = 2 * max(1, round(cfg.dip_context_s * fs)) + 1
    peaks, props = find_peaks(
        part, prominence=cfg.dip_min_kg, width=0, rel_height=0.5, wlen=depth_window
    )
    limit = short_dip_limit(fs, cfg)
    reach = max(1, int(cfg.dip_reach_s * fs))
    short = props["widths"] <= limit
    depth = props["prominences"]
    dips: list[Dip] = []
    if short.any():
        prominence_data = (
            props["prominences"][short],
            props["left_bases"][short],
            props["right_bases"][short],
        )
        _, _, left, right = peak_widths(
            part, peaks[short], rel_height=1.0 - cfg.dip_cut_depth, prominence_data=prominence_data
        )
        for peak, left_ip, right_ip, deep in zip(
            peaks[short].tolist(), left, right, depth[short].tolist(), strict=True
        ):
            i0 = lo + max(int(np.floor(left_ip)), peak - reach)
            i1 = lo + min(int(np.ceil(right_ip)), peak + reach) + 1
            if fine and (found := below_line(y, lo + peak, lo, hi, fs, cfg)) is not None:
                # the depth above includes the fall's flank when the dip sits at its foot, and
                # so would a cut down to a share of it; the cut stops where the force is back
                # near the line its sides make (the samples at the crossings included: a flank
                # left in the fill's context pulls it down)
                a, b = _cut_below_line(found, lo + peak, cfg)
                i0, i1 = max(i0, a - 1), min(i1, b + 1)
            dips.append(Dip(i0, i1, deep))
    if fine:
        for peak, deep in zip(peaks[~short].tolist(), depth[~short].tolist(), strict=True):
            span = riding_dip(y, lo + peak, lo, hi, fs, cfg)
            if span is not None:
                dips.append(Dip(*span, deep))
    return dips


def short_dip_limit(fs: float, cfg: DetectorConfig) -> float:
    """The widest half-depth width of a short dip, in samples at rate ``fs``."""
    return cfg.dip_max_halfwidth_s * fs + SAMPLED_WIDTH_SLACK


def riding_dip(
    y: np.ndarray, p: int, lo: int, hi: int, fs: float, cfg: DetectorConfig
) -> tuple[int, int] | None:
    """The span to cut out of a short dip at ``y[p]`` riding on a wider minimum, or None.

    Measured against the broken line the force on either side makes (:func:`below_line`), the
    dip is what lies below that line. It is one when it is deeper than ``dip_min_kg`` and as
    narrow at half that depth as a short dip; it is cut where it is more than ``dip_cut_depth``
    of that depth below the line.
    """
    found = below_line(y, p, lo, hi, fs, cfg)
    if found is None or found[0] < cfg.dip_min_kg:
        return None
    depth, i0, below = found
    limit = short_dip_limit(fs, cfg)
    a, b = _run_below(below, p - i0, -0.5 * depth)
    if b - a > limit + 1:  # samples below half depth: one more than the width between crossings
        return None
    return _cut_below_line(found, p, cfg)


def below_line(
    y: np.ndarray, p: int, lo: int, hi: int, fs: float, cfg: DetectorConfig
) -> tuple[float, int, np.ndarray] | None:
    """How far ``y[p]`` lies below the broken line the force either side of it makes, from spans
    of up to ``dip_line_span_s`` either side of ``p`` left out: (its depth less
    ``dip_misfit_sigmas`` times the line's misfit to its sides, the span's first index, the force
    less the line over the span) for the span where that depth is greatest; None when no span
    has a positive one. A line that does not fit the force around it predicts nothing under it.
    """
    hmax = max(1, round(cfg.dip_line_span_s * fs))
    side, reach = fill_extent(fs, cfg)
    nothing = np.zeros(y.size, dtype=bool)
    best: tuple[float, int, np.ndarray] | None = None
    for h in sorted({max(1, round(hmax * q)) for q in LINE_SPAN_FRACTIONS}):
        i0, i1 = max(lo, p - h), min(hi, p + h + 1)
        fit = broken_line(y, i0, i1, side, reach, nothing, lo, hi)
        if fit is None:
            continue
        trend, misfit = fit
        depth = float(trend[p - i0] - y[p]) - cfg.dip_misfit_sigmas * misfit
        if depth > 0 and (best is None or depth > best[0]):
            best = (depth, i0, y[i0:i1] - trend)
    return best


def _cut_below_line(
    found: tuple[float, int, np.ndarray], p: int, cfg: DetectorConfig
) -> tuple[int, int]:
    """The span around ``p`` where the force is over ``dip_cut_depth`` of the depth
    :func:`below_line` found below the line."""
    depth, i0, below = found
    a, b = _run_below(below, p - i0, -cfg.dip_cut_depth * depth)
    return i0 + a, i0 + b


def _run_below(values: np.ndarray, k: int, level: float) -> tuple[int, int]:
    """The run ``[a, b)`` of ``values`` below ``level`` around index ``k`` (which is below)."""
    above = np.flatnonzero(values >= level)
    a = int(above[above < k].max()) + 1 if (above < k).any() else 0
    b = int(above[above > k].min()) if (above > k).any() else values.size
    return a, b
