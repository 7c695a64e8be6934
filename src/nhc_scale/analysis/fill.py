"""What the force was doing under a transient: a broken line fitted to the force either side.

A continuous two-segment line (two straight pieces meeting at a knot inside the span), fitted by
least squares to the force on both sides, the knot put where the fit is best. On a plateau or a
slope the knot vanishes and it is the line through the span; at the tip of a V (a hand shifting
right at the minimum) it is the V itself, so the minimum is neither lost nor flattened. Being
one fit to both sides, a bump on one side pulls it by a share, never decides it.
"""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis.config import DetectorConfig

#: Fewest samples of context a side: a line through fewer follows the noise.
MIN_FILL_SIDE = 3
#: Added to the normal equations' diagonal so that a degenerate knot cannot make them singular;
#: far below any force's scale, it changes no fit.
RIDGE = 1e-9


def fill_extent(fs: float, cfg: DetectorConfig) -> tuple[int, int]:
    """(samples of context each side of a dip, how far from it they may be) at rate ``fs``."""
    side = max(MIN_FILL_SIDE, round(cfg.fill_context_s * fs))
    return side, max(side, round(cfg.fill_reach_s * fs))


def broken_line(
    y: np.ndarray,
    i0: int,
    i1: int,
    side: int,
    reach: int,
    excluded: np.ndarray,
    lo: int,
    hi: int,
) -> tuple[np.ndarray, float] | None:
    """Least-squares continuous two-segment line through the ``side`` samples of ``y`` nearest
    to ``[i0, i1)`` on either side that are not ``excluded`` (at most ``reach`` away, inside
    ``[lo, hi)``), knot inside the span: (the line evaluated on the span, its misfit: the RMS
    residual on the samples it was fitted to, per degree of freedom); None when one side has
    fewer than two samples."""
    before = np.arange(max(lo, i0 - reach), i0)
    after = np.arange(i1, min(hi, i1 + reach))
    before = before[~excluded[before]][-side:]
    after = after[~excluded[after]][:side]
    if before.size < 2 or after.size < 2:
        return None
    at = np.concatenate((before, after))
    values = y[at]
    knots = np.arange(i0 - 1, i1 + 1, dtype=np.float64)
    # one least-squares fit per knot, all at once: the line is a + b*u + c*|u|, u the distance
    # from the knot
    u = at[None, :] - knots[:, None]
    design = np.stack((np.ones_like(u), u, np.abs(u)), axis=1)  # (knot, term, sample)
    normal = design @ design.transpose(0, 2, 1) + RIDGE * np.eye(3)
    coef = np.linalg.solve(normal, design @ values[:, None])[..., 0]  # (knot, term)
    residual = (coef[:, None, :] @ design)[:, 0, :] - values
    squares = (residual * residual).sum(axis=1)
    best = int(np.argmin(squares))
    v = np.arange(i0, i1, dtype=np.float64) - knots[best]
    misfit = float(np.sqrt(squares[best] / max(1, at.size - 3)))
    return coef[best, 0] + coef[best, 1] * v + coef[best, 2] * np.abs(v), misfit


def dip_fill(
    y: np.ndarray,
    i0: int,
    i1: int,
    side: int,
    reach: int,
    excluded: np.ndarray,
    lo: int,
    hi: int,
) -> np.ndarray | None:
    """What the force in the dip ``y[i0:i1]`` was doing: the :func:`broken_line` around it
    (same arguments), but never below what the pad read. A hand shift only takes force off the
    pad, so what it hides cannot be lower; without this a V extrapolated past a rounded bottom
    dives under the force actually read there."""
    fit = broken_line(y, i0, i1, side, reach, excluded, lo, hi)
    return None if fit is None else np.maximum(fit[0], y[i0:i1])
