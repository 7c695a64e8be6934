"""From one contact (hands on the pad, bounces merged) to a :class:`Rep`, or to nothing.

This runs once per contact, when the contact has ended, on its buffered samples: it may look
both ways in time (zero-phase filtering, dip widths) because the contact is complete. Its result
depends only on the contact's samples, so live and offline analyses agree exactly.

The minimum follows docs/measurement.md: the force, zeroed on the quiet level around the
contact, low-passed where the rate resolves the effort, with its transients taken out
(transients.py), averaged over 0.3 s (minimum.py); the lowest of that average between the
landing and the push-off (phases.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.explain import hands_moved, ignored_spans, push_off_start
from nhc_scale.analysis.lowpass import ZeroPhaseLowpass
from nhc_scale.analysis.minimum import lowest_average_near, sustained
from nhc_scale.analysis.phases import bottom, effort_start, landing
from nhc_scale.analysis.preprocess import MEASURED
from nhc_scale.analysis.rep import Rep
from nhc_scale.analysis.transients import remove_transients

#: Order of the zero-phase low-pass (applied forwards and backwards: twice that in effect).
LOWPASS_ORDER = 4


@dataclass(frozen=True)
class Contact:
    """A finished contact as the stream stage hands it over."""

    t: np.ndarray  # timestamps, including a little idle before and after
    x: np.ndarray  # clean force, kg, not yet zeroed
    origin: np.ndarray  # preprocess's MEASURED, or GLITCH / LOST where a line replaced it
    onset: int  # index of the first sample above the contact threshold
    end: int  # one past the last sample above the release threshold
    segments: tuple[tuple[int, int], ...]  # touching runs [start, stop) between breaks
    zero_before: float  # the quiet level before the contact
    zero_after: float | None  # ...and after it, when the recording went on long enough
    fs: float

    @property
    def measured(self) -> np.ndarray:
        """True where the chip's conversion is the sample (no line stands in for it)."""
        return self.origin == MEASURED


class Resolution(Enum):
    """How finely the sample rate shows the effort's shape; it decides how a contact is read.

    ``FINE`` (80 S/s, from ``fine_rate_min_hz``): the force is low-passed (tremor, mains), a dip
    is also measured against the line its sides make, so that a hand shift riding on the
    effort's V is found, and a hand's catch is capped in the force itself. ``COARSE`` (10 S/s):
    a 0.3 s window holds three conversions, each already an average over its period; the force
    is used as converted, dips are measured against the force around them, and only the fill
    under a hand shift is fitted with its catch capped.
    """

    FINE = "fine"
    COARSE = "coarse"


class ContactAnalyzer:
    """Analyses the contacts of one stream: the rate's resolution is decided once, here."""

    def __init__(self, fs: float, cfg: DetectorConfig) -> None:
        self.fs = fs
        self.cfg = cfg
        self.resolution = Resolution.FINE if fs >= cfg.fine_rate_min_hz else Resolution.COARSE
        self._lowpass = (
            ZeroPhaseLowpass(LOWPASS_ORDER, cfg.analysis_lowpass_hz, fs)
            if self.resolution is Resolution.FINE
            else None
        )

    def effort_force(self, y: np.ndarray) -> tuple[np.ndarray, Resolution]:
        """The zeroed force as the minimum is sought in it, and the resolution it is read at.

        A contact too short for the zero-phase filter's padding (a few samples: never a rep) is
        read as at a coarse rate, unfiltered."""
        lowpass = self._lowpass
        if lowpass is None or y.size <= lowpass.padding:
            return y, Resolution.COARSE
        return lowpass(y), Resolution.FINE

    def analyze(self, contact: Contact) -> Rep | None:
        """The rep made by ``contact``, or None for a touch of the pad."""
        cfg, fs, t = self.cfg, self.fs, contact.t
        y = zeroed(contact, cfg)
        onset, end = contact.onset, contact.end
        if end - onset < 2 or t[end - 1] - t[onset] < cfg.min_rep_s:
            return None
        smooth, resolution = self.effort_force(y)
        k_land, lo = landing(t, y, contact.segments, fs, cfg)
        if lo >= end - 1:
            return None
        cleaned = remove_transients(smooth, lo, end, fs, cfg, resolution is Resolution.FINE)
        # the pad cannot pull the hands: a reading below zero during the effort that was not cut
        # out as a dip is noise or a wild conversion too small to tell from a steep V's tip at
        # 10 S/s, never force to average in (clamped after the cut: clamped before, a dip
        # becomes too shallow to be cut and its floor of zero is averaged in instead)
        on_pad = np.maximum(cleaned.force, 0.0)
        level = sustained(on_pad, fs, cfg.sustain_s)[lo:end]
        found = bottom(
            t, contact.x, contact.measured, contact.zero_before, smooth, level, lo, end, fs, cfg
        )
        k = found.k
        minimum, min_at_s = 0.0, float(t[lo + k])
        if not found.unassisted:
            lowest, min_at_s = lowest_average_near(on_pad, t, lo + k, fs, cfg.sustain_s)
            minimum = max(0.0, lowest)
        k_effort, hold_top = effort_start(level, k, cfg)
        if hold_top < cfg.min_rep_kg:
            return None
        window = (min_at_s - cfg.sustain_s / 2, min_at_s + cfg.sustain_s / 2)
        push_start_s: float | None = None
        if found.push_peak_kg is not None and found.push_peak_at is not None:
            j = push_off_start(
                on_pad[lo:end], k, found.push_peak_at, float(level[k]), found.push_peak_kg, cfg
            )
            push_start_s = float(t[lo + j])
        effort_end_s = float(t[end - 1]) if push_start_s is None else push_start_s
        effort = (float(t[lo + k_effort]), effort_end_s)
        return Rep(
            start_s=float(t[onset]),
            end_s=float(t[end - 1]),
            min_assistance_kg=minimum,
            min_at_s=min_at_s,
            unassisted=found.unassisted,
            landing_peak_kg=float(y[k_land]),
            hold_kg=float(np.median(level[: k_effort + 1])),
            push_off_peak_kg=found.push_peak_kg,
            effort_s=float(t[lo + k] - t[lo + k_effort]),
            effort_start_s=effort[0],
            min_window_s=window,
            push_off_start_s=push_start_s,
            ignored=ignored_spans(t, contact.origin, cleaned.cuts, effort),
            hands_moved=hands_moved(t, cleaned.cuts, window, cfg),
        )


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
