"""From one contact (hands on the pad, bounces merged) to a :class:`Rep`, or to nothing.

This runs once per contact, when the contact has ended, on its buffered samples: it may look
both ways in time (zero-phase filtering, dip widths) because the contact is complete. Its result
depends only on the contact's samples, so live and offline analyses agree exactly.

The minimum follows docs/measurement.md: the lowest force the hands *sustained* during the
effort, before the push-off. Concretely: the force, zeroed on the quiet level around the
contact, low-passed (tremor, mains), with short dips cut out (a hand shifting, the landing's
ringing), averaged over 0.3 s; the minimum of that average between the landing and the push-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks, peak_widths, sosfiltfilt

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.rep import Rep


@dataclass(frozen=True)
class Contact:
    """A finished contact as the stream stage hands it over."""

    t: np.ndarray  # timestamps, including a little idle before and after
    x: np.ndarray  # clean force, kg, not yet zeroed
    measured: np.ndarray  # False where a lost conversion or a glitch was replaced by a line
    onset: int  # index of the first sample above the contact threshold
    end: int  # one past the last sample above the release threshold
    segments: tuple[tuple[int, int], ...]  # touching runs [start, stop) between breaks
    zero_before: float  # the quiet level before the contact
    zero_after: float | None  # ...and after it, when the recording went on long enough
    fs: float


def sustained(y: np.ndarray, fs: float, window_s: float) -> np.ndarray:
    """Centred moving average over ``window_s`` of the piecewise-linear signal (trapezoid
    weights), i.e. what a needle that integrates over the window would read."""
    n = max(1, round(window_s * fs))
    weights = np.ones(n + 1)
    weights[0] = weights[-1] = 0.5
    weights /= n
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
    up = 10
    m = max(1, round(window_s * fs)) * up  # sustained()'s window, in tenths of a sample
    reach = m // up + 2
    a, b = max(0, k - reach), min(y.size, k + reach + 1)
    fine_at = np.arange(a * up, (b - 1) * up + 1) / up  # sample indices, fractional
    fine = np.interp(fine_at, np.arange(a, b), y[a:b])
    weights = np.ones(m + 1)
    weights[0] = weights[-1] = 0.5
    averages = np.convolve(fine, weights / m, mode="valid")
    centres = fine_at[: averages.size] + 0.5 * m / up
    near = np.abs(centres - k) <= 1.0
    if not near.any():  # too close to either end for a whole window: sustained()'s own
        return float(sustained(y[a:b], fs, window_s)[k - a]), float(t[k])
    best = int(np.argmin(np.where(near, averages, np.inf)))
    return float(averages[best]), float(np.interp(centres[best], np.arange(t.size), t))


def excise_dips(
    y: np.ndarray, lo: int, hi: int, fs: float, cfg: DetectorConfig, resolved: bool
) -> np.ndarray:
    """Fill short dips in ``y[lo:hi]`` with what the force was doing around them.

    A dip is a local minimum at least ``dip_min_kg`` deep (against the force within
    ``dip_context_s``) whose width at half depth is under ``dip_max_halfwidth_s``: a hand
    shifting on the pad or a ringing trough. The V of a real effort, however sharp its tip, is
    many times wider at half its depth. A dip is cut out where it is over ``dip_cut_depth`` of
    its depth deep. When the rate ``resolved`` the effort's shape, that depth is also measured
    against the line the force either side makes (:func:`below_line`), and a wider minimum is
    looked at for a short dip riding on it (:func:`riding_dip`).

    The fill is a continuous broken line (two straight segments meeting at a knot inside the dip)
    fitted by least squares to the force within ``dip_context_s`` either side of the dip, other
    dips left out, the knot chosen where the fit is best: on a plateau or a slope the knot
    vanishes and the fill is the line through it; at the tip of a V (a hand shifting right at the
    minimum) it is the V itself, so the minimum is neither lost nor flattened. Being one fit to
    both sides, a bump on one side (the catch after a shift) pulls it by a share, never decides it.
    Another dip in the context (the trough after a catch) is stepped over, not given up on: the
    context is the nearest untouched force, up to ``fill_reach_s`` away, and never outside
    ``[lo, hi)``: before ``lo`` lie the landing's impact and the quiet pad before it, after ``hi``
    the release, none of which says anything about the force in the dip. The fill is never below
    the force read in the dip (:func:`dip_fill`).

    After a hand shift comes its catch. The trough as the catch settles is left in
    (:func:`hand_shifts`). When the rate resolves the catch, the overshoot itself is capped
    (:func:`flatten_catch`); at 10 S/s the fill is fitted to the force with it capped
    (:func:`without_catches`).
    """
    part = -y[lo:hi]
    if part.size < 3:
        return y
    depth_window = 2 * max(1, round(cfg.dip_context_s * fs)) + 1
    peaks, props = find_peaks(
        part, prominence=cfg.dip_min_kg, width=0, rel_height=0.5, wlen=depth_window
    )
    limit = _short_dip_limit(fs, cfg)
    reach = max(1, int(cfg.dip_reach_s * fs))
    short = props["widths"] <= limit
    depth = props["prominences"]
    dips: list[tuple[int, int, float]] = []  # (first, one past the last, depth)
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
            if resolved and (found := below_line(y, lo + peak, lo, hi, fs, cfg)) is not None:
                # find_peaks's depth includes the fall's flank when the dip sits at its foot,
                # and so would a cut down to a share of it; the cut stops where the force is
                # back near the line its sides make (the samples at the crossings included, as
                # above: a flank left in the fill's context pulls it down)
                a, b = _cut_below_line(found, lo + peak, cfg)
                i0, i1 = max(i0, a - 1), min(i1, b + 1)
            dips.append((i0, i1, deep))
    if resolved:
        for peak, deep in zip(peaks[~short].tolist(), depth[~short].tolist(), strict=True):
            span = riding_dip(y, lo + peak, lo, hi, fs, cfg)
            if span is not None:
                dips.append((*span, deep))
    if not dips:
        return y
    # every dip, a catch's trough too, is kept out of the fills' context: next to the catch's
    # overshoot it is no better a guide to the force under a hand shift (letting it in scored
    # the same on average, and worse than no trough rule at all on two of seven seed sets)
    excluded = np.zeros(y.size, dtype=bool)
    for i0, i1, _ in dips:
        excluded[i0:i1] = True
    side, fill_reach = fill_extent(fs, cfg)
    out = y.copy()
    cuts = hand_shifts(dips, cfg.catch_trough_widths)
    context = y
    if not resolved:
        context = without_catches(y, catch_spans(cuts, cfg.catch_trough_widths, hi), lo, cfg)
    for i0, i1 in cuts:
        fill = dip_fill(context, i0, i1, side, fill_reach, excluded, lo, hi)
        if fill is not None:
            out[i0:i1] = fill
    if resolved:
        for i0, i1, stop in catch_spans(cuts, 1.0, hi):
            flatten_catch(out, i0, i1, stop, lo, cfg.dip_min_kg)
    return out


def hand_shifts(dips: list[tuple[int, int, float]], trough_widths: float) -> list[tuple[int, int]]:
    """The spans of ``dips`` (first, one past the last, depth) to cut out: all but the troughs
    after a catch. A hand landing again overshoots (the catch) and the force then settles back
    to what the hands sustain; next to the overshoot that looks like one more short dip, and cut
    out and filled from the overshoot it was lifted 1-7 kg. Such a trough is a dip shallower
    than a cut one before it and beginning within ``trough_widths`` of that cut's widths after
    its end."""
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
    y: np.ndarray, spans: list[tuple[int, int, int]], lo: int, cfg: DetectorConfig
) -> np.ndarray:
    """``y`` with each shift's catch capped, for the fill to be fitted to at 10 S/s. Over each
    ``[i1, stop)`` of :func:`catch_spans`, where the force rises at least ``dip_min_kg`` above
    the line from the force just before the cut ``[i0, i1)`` to the force at ``stop - 1``, it
    is capped at that line (convex around a minimum, the force lies under it).

    At 10 S/s a fill has three conversions of context a side, and a catch takes one or two of
    them: the broken line bent up towards it and read the minimum under a shift high (26 of the
    86 misses at 10 S/s on five seed sets). The force itself is left as read: capping it there
    cut the tips of steep Vs (see :func:`flatten_catch`). Over two cut widths (the catch and its
    settling; one and a half read 97.0 %, three 97.2 %), within tolerance at 10 S/s on five
    seed sets went from 96.8 to 97.4 %; boxes and triangles for the shift's shape gained as
    much, a Gaussian lost 0.2 points, and with no catch at all it gained 0.2 points. It is a
    bet on convexity: a push-off that tops out within the span is capped too, and its fill
    reads low (seed 1015 rep 6: 1.8 kg). Capping only force that comes back down after the
    overshoot kept three quarters of the gain, and none of it without a catch. At 80 S/s, where
    the fill has 24 conversions a side and the catch itself is capped, fitting to the capped
    force as well read worse (-0.1 points, -0.5 with no catch)."""
    out = y.copy()
    for i0, i1, stop in spans:
        if lo < i0 and i1 < stop - 1:
            _cap_at_line(out, i0, i1, stop, i0 - 1, cfg.dip_min_kg)
    return out


def flatten_catch(out: np.ndarray, i0: int, i1: int, stop: int, lo: int, least_kg: float) -> None:
    """Take a hand shift's catch out of ``out`` in place. The shift was cut out at ``[i0, i1)``
    and filled; the catch, the overshoot of the hand landing again, follows it. Where the force
    over ``[i1 - 1, stop)`` (``stop``: one cut's width on, or the next cut) rises at least
    ``least_kg`` above the line from the fill's start to the force at the end of that span, it
    is capped at the line to that end from the force just before the cut. Around a minimum the
    force is convex, so such a line lies above what the hands sustain, and only an overshoot
    reaches over it.

    Left in, the catch sat in the 0.3 s window over the minimum and read it high: a 0.2 s shift
    of 6 kg with a 3 kg catch by 1 kg. At 80 S/s over five seed sets, within tolerance went from
    96.8 to 97.6 %; with boxes, triangles and Gaussians for the shift's shape it was the same or
    better; without any catch, 97.76 -> 97.72 %. Some choices, measured:
    - the cap starts before the cut, not at the fill's start as the test does: the fill, fitted
      to the force around it and so to the catch, is itself a little high (97.4 % from the
      fill's start);
    - the test starts at the fill: a sharp-edged shift's flank, left in by the cut, lies below
      what was sustained, and a line from there found an "overshoot" in the force after every
      such shift and read a flat minimum 0.4 kg low;
    - the span is one cut long: half a cut longer read 96.9 %, a whole cut longer 96.7 %; its end
      reaches the rise after the minimum and the line passes over the catch;
    - at 10 S/s a catch is one or two conversions, each averaged over its period, and lines
      between them cut the tips of steep Vs (-0.2 points): not done there."""
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


def _short_dip_limit(fs: float, cfg: DetectorConfig) -> float:
    """The widest half-depth width of a short dip, in samples at rate ``fs``. A sampled dip reads
    up to about half a sample period wider than it is (each conversion averages over its
    period): at 10 S/s a 0.25 s hand shift measures ~0.25 s at half depth."""
    return cfg.dip_max_halfwidth_s * fs + 0.5


def riding_dip(
    y: np.ndarray, p: int, lo: int, hi: int, fs: float, cfg: DetectorConfig
) -> tuple[int, int] | None:
    """The span to cut out of a short dip at ``y[p]`` riding on a wider minimum, or None.

    ``find_peaks`` measures a dip against the highest force near it, so a hand shifting at the
    tip of the effort's V takes the V's depth and width and is not short. Measured instead
    against the broken line the force on either side makes (:func:`below_line`), the dip is what
    lies below that line. It is one when it is deeper than ``dip_min_kg`` and as narrow at half
    that depth as a short dip; it is cut where it is more than ``dip_cut_depth`` of that depth
    below the line.
    """
    found = below_line(y, p, lo, hi, fs, cfg)
    if found is None or found[0] < cfg.dip_min_kg:
        return None
    depth, i0, below = found
    limit = _short_dip_limit(fs, cfg)
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
    # four span widths, quarters of the widest, not all of them: the fits are the cost (trying
    # every width took an hour at 80 S/s offline from 0.09 s to 0.23 s, for one rep more in
    # five seed sets)
    for h in sorted({max(1, round(hmax * q)) for q in (0.25, 0.5, 0.75, 1.0)}):
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


def fill_extent(fs: float, cfg: DetectorConfig) -> tuple[int, int]:
    """(samples of context each side of a dip, how far from it they may be) at rate ``fs``."""
    side = max(3, round(cfg.fill_context_s * fs))
    return side, max(side, round(cfg.fill_reach_s * fs))


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
    """What the force in the dip ``y[i0:i1]`` was doing: the :func:`broken_line` trend around it
    (same arguments), but never below what the pad read. A hand shift only takes force off the
    pad, so what it hides cannot be lower; without this a V extrapolated past a rounded bottom
    dives under the force actually read there."""
    fit = broken_line(y, i0, i1, side, reach, excluded, lo, hi)
    return None if fit is None else np.maximum(fit[0], y[i0:i1])


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
    u = at[None, :] - knots[:, None]
    design = np.stack((np.ones_like(u), u, np.abs(u)), axis=-1)
    normal = np.einsum("kmp,kmq->kpq", design, design) + 1e-9 * np.eye(3)
    coef = np.linalg.solve(normal, np.einsum("kmp,m->kp", design, values)[..., None])[..., 0]
    residual = np.einsum("kmp,kp->km", design, coef) - values[None, :]
    squares = np.einsum("km,km->k", residual, residual)
    best = int(np.argmin(squares))
    v = np.arange(i0, i1, dtype=np.float64) - knots[best]
    misfit = float(np.sqrt(squares[best] / max(1, at.size - 3)))
    return coef[best, 0] + coef[best, 1] * v + coef[best, 2] * np.abs(v), misfit


def _landing_segment(contact: Contact, bounce_max_s: float) -> tuple[int, int]:
    t = contact.t
    for start, stop in contact.segments:
        if t[stop - 1] - t[start] >= bounce_max_s:
            return start, stop
    return max(contact.segments, key=lambda seg: t[seg[1] - 1] - t[seg[0]])


def _hole_before_end(contact: Contact, end: int, cfg: DetectorConfig) -> int | None:
    """The first sample of the first hole in the data (lost conversions, re-created by a line)
    ending within ``release_max_s`` of the contact's end and long enough to hide a push-off (its
    measured neighbours more than ``sustain_s`` apart), or None. A hole that the fall before it,
    continued across it, explains (the force after it is where that fall leads) hides nothing.
    """
    t = contact.t
    kept = np.flatnonzero(contact.measured)
    before, after = kept[:-1], kept[1:]
    hole = (
        (t[after] - t[before] > cfg.sustain_s)
        & (before < end - 1)  # it starts inside the contact (its line may carry the end)...
        & (t[after] >= t[end - 1] - cfg.release_max_s)  # ...and ends near the release
    )
    for i in np.flatnonzero(hole).tolist():
        if not _fall_carries_across(contact, kept, int(before[i]), int(after[i]), cfg):
            return int(before[i]) + 1
    return None


def _fall_carries_across(
    contact: Contact, kept: np.ndarray, last: int, first: int, cfg: DetectorConfig
) -> bool:
    """Whether the force falling before the hole between measured samples ``last`` and
    ``first``, continued in a straight line (never below zero: the hands have left), arrives
    where the force is after it: nothing but the fall happened in the hole."""
    t, x, zero = contact.t, contact.x, contact.zero_before
    seen = kept[(kept <= last) & (t[kept] >= t[last] - cfg.sustain_s)]
    if seen.size < 2:
        return False
    slope, at_last = np.polyfit(t[seen] - t[last], x[seen] - zero, 1)
    if slope >= 0.0:
        return False
    expected = max(0.0, at_last + slope * (t[first] - t[last]))
    fall = at_last - expected
    return bool(abs(x[first] - zero - expected) <= max(cfg.push_rise_kg, 0.2 * fall))


def zeroed(contact: Contact, cfg: DetectorConfig) -> np.ndarray:
    """Force relative to the quiet level, interpolating the zero across the contact when the
    level after it is known and agrees (slow drift); a level after it that disagrees means
    something else changed (a weight left on the pad): the level before is kept."""
    before, after = contact.zero_before, contact.zero_after
    if after is None or abs(after - before) > cfg.contact_off_kg:
        return contact.x - before
    t0 = contact.t[contact.onset]
    t1 = contact.t[contact.end - 1]
    ramp = np.clip((contact.t - t0) / max(t1 - t0, 1e-9), 0.0, 1.0)
    return contact.x - (before + ramp * (after - before))


def analyze_contact(
    contact: Contact, cfg: DetectorConfig, lowpass: np.ndarray | None
) -> Rep | None:
    """The rep made by ``contact``, or None for a touch of the pad."""
    t, fs = contact.t, contact.fs
    y = zeroed(contact, cfg)
    onset, end = contact.onset, contact.end
    if end - onset < 2 or t[end - 1] - t[onset] < cfg.min_rep_s:
        return None
    smooth = y
    if lowpass is not None and y.size > 3 * (2 * lowpass.shape[0] + 1):
        smooth = sosfiltfilt(lowpass, y)

    land_start, land_stop = _landing_segment(contact, cfg.bounce_max_s)
    window = max(1, round(cfg.bounce_max_s * fs))
    k_land = land_start + int(np.argmax(y[land_start : min(land_stop, land_start + window)]))
    lo = k_land + round(cfg.landing_settle_s * fs)
    if lo >= end - 1:
        return None

    resolved = smooth is not y
    # the pad cannot pull the hands: a reading below zero during the effort that is not cut out
    # as a dip is noise or a wild conversion too small to tell from a steep V's tip at 10 S/s,
    # never force to average in (clamped after the cut: clamped before, a dip becomes too
    # shallow to be cut and its floor of zero is averaged in instead)
    on_pad = np.maximum(excise_dips(smooth, lo, end, fs, cfg, resolved), 0.0)
    level = sustained(on_pad, fs, cfg.sustain_s)[lo:end]
    highest = np.maximum.accumulate(level)
    # the push-off is judged on the low-passed force, not its 0.3 s average: a short, sharp
    # push (0.5 s at 10 S/s) is a real push even if its average barely rises
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
    # ...and the peak is ahead, not the top of the release the 0.3 s average already sees
    ahead_s = t[lo + later_peak_at] - t[lo : lo + level.size]
    pushed &= ahead_s >= 0.5 * cfg.sustain_s
    unassisted = False
    push_peak: float | None = None
    if pushed.any():
        k = int(np.argmin(np.where(pushed, level, np.inf)))
        push_peak = float(later_peak[k])
    elif (hole := _hole_before_end(contact, end, cfg)) is not None:
        # the end of the rep fell into a hole in the data: a push-off could hide there, so the
        # rep is not called unassisted on what was not seen; its minimum is the lowest force seen
        seen = max(1, hole - lo - round(0.5 * cfg.sustain_s * fs))
        k = int(np.argmin(level[:seen]))
    else:
        below = np.flatnonzero(level <= cfg.contact_off_kg)
        k = int(below[0]) if below.size else level.size - 1
        unassisted = True
    minimum, min_at_s = 0.0, float(t[lo + k])
    if not unassisted:
        lowest, min_at_s = lowest_average_near(on_pad, t, lo + k, fs, cfg.sustain_s)
        minimum = max(0.0, lowest)
    hold_top = float(highest[k])
    if hold_top < cfg.min_rep_kg:
        return None
    fall_start = float(level[k]) + 0.9 * (hold_top - float(level[k]))
    k_effort = int(np.flatnonzero(level[: k + 1] >= fall_start)[-1])
    hold_kg = float(np.median(level[: k_effort + 1]))
    return Rep(
        start_s=float(t[onset]),
        end_s=float(t[end - 1]),
        min_assistance_kg=minimum,
        min_at_s=min_at_s,
        unassisted=unassisted,
        landing_peak_kg=float(y[k_land]),
        hold_kg=hold_kg,
        push_off_peak_kg=push_peak,
        effort_s=float(t[lo + k] - t[lo + k_effort]),
    )
