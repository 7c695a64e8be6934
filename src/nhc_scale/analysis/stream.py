"""The contact stage: zero tracking and contact segmentation over the clean sample stream.

It is event-driven: numpy finds where the next threshold crossing is, Python only steps from
event to event (a few per rep), so an hour at 80 S/s is a fraction of a second offline and a
block of a few samples is microseconds live. All state is a handful of numbers plus two bounded
buffers (the last ``baseline_lookback_s`` of samples, and the contact in progress, which is
abandoned past ``max_contact_s``), so memory does not grow with the session.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.contact import Contact, analyze_contact, sustained
from nhc_scale.analysis.rep import Rep

_FIRST_WINDOW = 256
_MAX_WINDOW = 8192


def _tail(old: np.ndarray, new: np.ndarray, size: int) -> np.ndarray:
    if new.size >= size:
        return new[new.size - size :].copy()
    return np.concatenate((old, new))[-size:]


class ContactStage:
    """Zero tracking between contacts, contacts with merged breaks, reps at their ends."""

    def __init__(self, period_s: float, zero_kg: float, cfg: DetectorConfig) -> None:
        self.cfg = cfg
        self.fs = fs = 1.0 / period_s
        self._lp = butter(2, min(cfg.detect_lowpass_hz, 0.4 * fs), fs=fs, output="sos")
        self._lp_zi: np.ndarray | None = None
        alpha = 1.0 - float(np.exp(-period_s / cfg.baseline_tau_s))
        self._ema = np.array([[alpha, 0.0, 0.0, 1.0, alpha - 1.0, 0.0]])
        self._ema_zi = sosfilt_zi(self._ema) * zero_kg
        self.zero = zero_kg
        self._analysis_lp = (
            butter(4, cfg.analysis_lowpass_hz, fs=fs, output="sos")
            if fs >= 6 * cfg.analysis_lowpass_hz
            else None
        )
        self._ring_n = max(2, round(cfg.baseline_lookback_s * fs) + 1)
        self._ring_t = np.empty(0)
        self._ring_x = np.empty(0)
        self._ring_m = np.empty(0, dtype=bool)
        self._ring_zero = np.empty(0)
        self._merge_n = max(1, round(cfg.merge_gap_s * fs))
        self._max_n = round(cfg.max_contact_s * fs)
        self._box = max(1, round(cfg.sustain_s * fs))
        self.in_contact = False
        self._reset_contact()

    # -- public ------------------------------------------------------------------------------
    @property
    def buffered_samples(self) -> int:
        """Samples held in memory (bounded: a test watches it over a long session)."""
        return int(self._ring_t.size + self._c_n + self._live_tail.size)

    @property
    def effort(self) -> bool:
        return self._effort

    @property
    def running_min_kg(self) -> float | None:
        return self._live_min if self._effort else None

    def push(
        self, t: np.ndarray, x: np.ndarray, measured: np.ndarray, breaks: np.ndarray
    ) -> list[Rep]:
        """Feed samples; ``measured`` is False where the gap filler re-created a conversion."""
        reps: list[Rep] = []
        bounds = [0, *breaks.tolist(), t.size]
        for piece, (a, b) in enumerate(itertools.pairwise(bounds)):
            if piece:
                reps.extend(self.finish())
                self._lp_zi = None
            if b > a:
                reps.extend(self._process(t[a:b], x[a:b], measured[a:b]))
        return reps

    def finish(self) -> list[Rep]:
        """End of data (or a hole in it): a contact in progress ends here."""
        if not self.in_contact:
            return []
        t, x, m = self._contact_arrays()
        if self._touching:
            end, zero_after = t.size, None
        else:
            end = self._break_start
            zero_after = float(np.median(x[end:])) if t.size - end >= self._ring_n else None
        rep = self._finalize(t, x, m, end, zero_after)
        return [rep] if rep is not None else []

    # -- stream ------------------------------------------------------------------------------
    def _process(self, t: np.ndarray, x: np.ndarray, m: np.ndarray) -> list[Rep]:
        if self._lp_zi is None:
            self._lp_zi = sosfilt_zi(self._lp) * x[0]
        lp, self._lp_zi = sosfilt(self._lp, x, zi=self._lp_zi)
        reps: list[Rep] = []
        i = 0
        while i < t.size:
            if self.in_contact:
                i, rep = self._contact(t, x, m, lp, i)
                if rep is not None:
                    reps.append(rep)
            else:
                i = self._idle(t, x, m, lp, i)
        return reps

    def _remember(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, zero: np.ndarray) -> None:
        self._ring_t = _tail(self._ring_t, t, self._ring_n)
        self._ring_x = _tail(self._ring_x, x, self._ring_n)
        self._ring_m = _tail(self._ring_m, m, self._ring_n)
        self._ring_zero = _tail(self._ring_zero, zero, self._ring_n)

    def _idle(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, lp: np.ndarray, i: int) -> int:
        on = self.cfg.contact_on_kg
        window = _FIRST_WINDOW
        while i < t.size:
            j = min(t.size, i + window)
            zero, zf = sosfilt(self._ema, lp[i:j], zi=self._ema_zi)
            before = np.concatenate(([self.zero], zero[:-1]))
            hits = np.flatnonzero(lp[i:j] - before > on)
            if hits.size:
                k = int(hits[0])
                if k:
                    zero, self._ema_zi = sosfilt(self._ema, lp[i : i + k], zi=self._ema_zi)
                    self.zero = float(zero[-1])
                    self._remember(t[i : i + k], x[i : i + k], m[i : i + k], zero)
                self._start_contact()
                return i + k
            self._ema_zi = zf
            self.zero = float(zero[-1])
            self._remember(t[i:j], x[i:j], m[i:j], zero)
            i = j
            window = min(2 * window, _MAX_WINDOW)
        return i

    # -- contacts ----------------------------------------------------------------------------
    def _reset_contact(self) -> None:
        self._c_t: list[np.ndarray] = []
        self._c_x: list[np.ndarray] = []
        self._c_m: list[np.ndarray] = []
        self._c_n = 0
        self._onset = 0
        self._zero_c = 0.0
        self._touching = False
        self._seg_start = 0
        self._seg_hits = 0  # measured conversions above contact_on_kg in the current segment
        self._break_start = 0
        self._segments: list[tuple[int, int]] = []
        self._live_tail = np.empty(0)
        self._live_from = np.inf
        self._live_peak = -np.inf
        self._live_min: float | None = None
        self._effort = False

    def _start_contact(self) -> None:
        self._reset_contact()
        self.in_contact = True
        self._c_t = [self._ring_t.copy()]
        self._c_x = [self._ring_x.copy()]
        self._c_m = [self._ring_m.copy()]
        self._c_n = self._onset = int(self._ring_t.size)
        self._zero_c = float(self._ring_zero[0]) if self._ring_zero.size else self.zero
        self._touching = True
        self._seg_start = self._onset

    def _contact(
        self, t: np.ndarray, x: np.ndarray, m: np.ndarray, lp: np.ndarray, i: int
    ) -> tuple[int, Rep | None]:
        cfg = self.cfg
        if self._c_n == self._onset:
            self._live_from = float(t[i]) + cfg.bounce_max_s + cfg.landing_settle_s
        j = min(t.size, i + max(_FIRST_WINDOW, self._merge_n))
        rel = lp[i:j] - self._zero_c
        base = self._c_n - i  # buffer index = base + stream index
        pos = i
        ended_at: int | None = None
        while pos < j:
            if self._touching:
                below = np.flatnonzero(rel[pos - i :] < cfg.contact_off_kg)
                seg_stop = j if not below.size else pos + int(below[0])
                # only measured conversions: a hole after a glitch is re-created by a line from
                # it, which reads above the threshold too
                touching = (x[pos:seg_stop] - self._zero_c > cfg.contact_on_kg) & m[pos:seg_stop]
                self._seg_hits += int(np.count_nonzero(touching))
                if not below.size:
                    break
                pos = seg_stop
                self._touching = False
                if self._segments and self._seg_hits < cfg.touch_min_conversions:
                    # a glitch the despiker left alone inside a break, not hands coming back:
                    # the break goes on (else it could join two reps into one)
                    if self._break_start + self._merge_n - base <= pos:
                        ended_at = pos
                        break
                    continue
                self._break_start = base + pos
                self._segments.append((self._seg_start, self._break_start))
            else:
                confirm = self._break_start + self._merge_n - base  # stream index
                stop = min(j, confirm)
                above = np.flatnonzero(rel[pos - i : stop - i] > cfg.contact_on_kg)
                if above.size:
                    pos += int(above[0])
                    self._touching = True
                    self._seg_start = base + pos
                    self._seg_hits = 0
                elif confirm <= j:
                    ended_at = confirm
                    break
                else:
                    break
        stop = j if ended_at is None else ended_at
        self._c_t.append(t[i:stop])
        self._c_x.append(x[i:stop])
        self._c_m.append(m[i:stop])
        self._c_n += stop - i
        self._track_live(t[i:stop], rel[: stop - i])
        if ended_at is not None:
            ct, cx, cm = self._contact_arrays()
            zero_after = float(np.median(cx[-min(self._merge_n, self._ring_n * 2) :]))
            return ended_at, self._finalize(ct, cx, cm, self._break_start, zero_after)
        if self._c_n > self._max_n:
            self._abandon()
        return stop, None

    def _contact_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t = np.concatenate(self._c_t)
        x = np.concatenate(self._c_x)
        m = np.concatenate(self._c_m)
        self._c_t, self._c_x, self._c_m = [t], [x], [m]
        return t, x, m

    def _finalize(
        self, t: np.ndarray, x: np.ndarray, m: np.ndarray, end: int, zero_after: float | None
    ) -> Rep | None:
        segments = list(self._segments)
        if self._touching:
            segments.append((self._seg_start, end))
        contact = Contact(
            t=t,
            x=x,
            measured=m,
            onset=self._onset,
            end=end,
            segments=tuple(segments),
            zero_before=self._zero_c,
            zero_after=zero_after,
            fs=self.fs,
        )
        rep = analyze_contact(contact, self.cfg, self._analysis_lp)
        self._resume_idle(t, x, m, zero_after if zero_after is not None else self._zero_c)
        return rep

    def _abandon(self) -> None:
        """A contact that never ends is a new zero (a weight left on the pad, a tare jump)."""
        t, x, m = self._contact_arrays()
        self._resume_idle(t, x, m, float(np.median(x[-self._ring_n :])))

    def _resume_idle(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, zero: float) -> None:
        self.in_contact = False
        self.zero = zero
        self._ema_zi = sosfilt_zi(self._ema) * zero
        self._ring_t = t[-self._ring_n :].copy()
        self._ring_x = x[-self._ring_n :].copy()
        self._ring_m = m[-self._ring_n :].copy()
        self._ring_zero = np.full(self._ring_t.size, zero)
        self._reset_contact()

    def _track_live(self, t: np.ndarray, rel: np.ndarray) -> None:
        """Running minimum of the effort in progress, for the phone page (causal 0.3 s average;
        the value stored when the rep ends is the contact analysis's)."""
        if t.size == 0:
            return
        joined = np.concatenate((self._live_tail, rel))
        self._live_tail = joined[-self._box :].copy()
        if joined.size <= self._box:
            return
        level = sustained_causal(joined, self._box)[-min(t.size, joined.size - self._box) :]
        times = t[-level.size :]
        level = level[times >= self._live_from]
        if level.size == 0:
            return
        self._live_peak = max(self._live_peak, float(level.max()))
        low = float(level.min())
        self._live_min = low if self._live_min is None else min(self._live_min, low)
        drop = self._live_peak - self._live_min
        if drop >= max(self.cfg.push_rise_kg, 0.1 * self._live_peak):
            self._effort = True


def sustained_causal(y: np.ndarray, n: int) -> np.ndarray:
    """Trailing 0.3 s trapezoid average, ``valid`` part only (one value per full window)."""
    weights = np.ones(n + 1)
    weights[0] = weights[-1] = 0.5
    weights /= n
    return np.convolve(y, weights, mode="valid")


__all__ = ["ContactStage", "sustained", "sustained_causal"]
