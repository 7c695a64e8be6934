"""Taking the transients out of a contact's force before its minimum is sought.

docs/measurement.md, "Transients": a hand shifting on the pad, a trough of the landing's
ringing, a hand's catch are real force, but not what the hands sustained. Each short dip
(dips.py) is cut out and filled with what the force was doing around it (fill.py), from the
nearest force that is not in another dip, never from outside ``[lo, hi)``: before ``lo`` lie the
landing's impact and the quiet pad before it, after ``hi`` the release, none of which says
anything about the force under a dip. Then the catches are dealt with (catches.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nhc_scale.analysis.catches import (
    catch_spans,
    flatten_catch,
    hand_shifts,
    without_catches,
)
from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.dips import find_dips
from nhc_scale.analysis.fill import dip_fill, fill_extent


@dataclass(frozen=True)
class Cleaned:
    """The force with its transients taken out, and the spans cut out and filled as hand shifts
    (a ringing trough is cut the same way)."""

    force: np.ndarray
    cuts: tuple[tuple[int, int], ...]  # [first, stop) in contact indices, in time order


def remove_transients(
    y: np.ndarray, lo: int, hi: int, fs: float, cfg: DetectorConfig, fine: bool
) -> Cleaned:
    """``y`` with the short dips in ``y[lo:hi]`` cut out and filled, their catches capped.

    ``fine``: the rate resolves the effort's shape (contact.py's decision), so dips are also
    measured against the line their sides make and a catch's overshoot is capped in the force
    itself; otherwise only the fill is fitted to the force with the catches capped.
    """
    dips = find_dips(y, lo, hi, fs, cfg, fine)
    if not dips:
        return Cleaned(y, ())
    # every dip, a catch's trough too, is kept out of the fills' context: next to the catch's
    # overshoot it is no better a guide to the force under a hand shift
    excluded = np.zeros(y.size, dtype=bool)
    for i0, i1, _ in dips:
        excluded[i0:i1] = True
    side, fill_reach = fill_extent(fs, cfg)
    out = y.copy()
    cuts = hand_shifts(dips, cfg.catch_trough_widths)
    context = y
    if not fine:
        context = without_catches(
            y, catch_spans(cuts, cfg.catch_trough_widths, hi), lo, cfg.dip_min_kg
        )
    filled = []
    for i0, i1 in cuts:
        fill = dip_fill(context, i0, i1, side, fill_reach, excluded, lo, hi)
        if fill is not None:
            out[i0:i1] = fill
            filled.append((i0, i1))
    if fine:
        for i0, i1, stop in catch_spans(cuts, 1.0, hi):
            flatten_catch(out, i0, i1, stop, lo, cfg.dip_min_kg)
    return Cleaned(out, tuple(filled))
