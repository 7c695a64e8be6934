"""The contact stage: zero tracking and contact segmentation over the clean sample stream.

It is event-driven: numpy finds where the next threshold crossing is, Python only steps from
event to event (a few per rep), so an hour at 80 S/s is a fraction of a second offline and a
block of a few samples is microseconds live. All state is a handful of numbers plus two bounded
buffers (the last ``baseline_lookback_s`` of samples, and the contact in progress, which is
abandoned past ``max_contact_s``), so memory does not grow with the session.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import butter, lfilter, lfilter_zi, sosfilt, sosfilt_zi

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.contact import Contact, ContactAnalyzer
from nhc_scale.analysis.live import ContactSoFar, RunningMinimum
from nhc_scale.analysis.preprocess import MEASURED
from nhc_scale.analysis.rep import Rep

#: Samples looked at per step while idle, doubling up to the most: one numpy call finds the
#: next contact in a long quiet stretch, and a live block of a few samples stays cheap.
_FIRST_WINDOW = 256
_MAX_WINDOW = 8192
#: Order of the causal low-pass that decides contact (sharp enough against tremor, little lag).
DETECT_LOWPASS_ORDER = 2
#: The contact filter's cutoff stays below this share of the rate (the Nyquist limit is 0.5).
MAX_CUTOFF_PER_RATE = 0.4


def _tail(old: np.ndarray, new: np.ndarray, size: int) -> np.ndarray:
    if new.size >= size:
        return new[new.size - size :].copy()
    return np.concatenate((old, new))[-size:]


@dataclass
class OpenContact:
    """The contact in progress: its samples so far (from ``baseline_lookback_s`` before its
    onset) and the pieces it is made of. Indices count from its first buffered sample."""

    zero: float  # the quiet level it is measured from
    onset: int  # the first sample above the contact threshold
    t: list[np.ndarray] = field(default_factory=list)
    x: list[np.ndarray] = field(default_factory=list)
    origin: list[np.ndarray] = field(default_factory=list)  # preprocess's MEASURED, GLITCH, LOST
    n: int = 0  # samples held
    touching: bool = True  # hands on the pad now (else in a break that may yet end it)
    piece_start: int = 0  # where the current touching piece began
    piece_hits: int = 0  # measured conversions above contact_on_kg in the current piece
    break_start: int = 0  # where the current break began
    pieces: list[tuple[int, int]] = field(default_factory=list)  # touching pieces before it

    def append(self, t: np.ndarray, x: np.ndarray, origin: np.ndarray) -> None:
        self.t.append(t)
        self.x.append(x)
        self.origin.append(origin)
        self.n += t.size

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Its samples as one array each (kept joined, so the next call is cheap)."""
        t = np.concatenate(self.t)
        x = np.concatenate(self.x)
        m = np.concatenate(self.origin)
        self.t, self.x, self.origin = [t], [x], [m]
        return t, x, m

    def touching_mask(self, first: int) -> np.ndarray:
        """Whether the hands were on the pad at each sample from ``first`` on."""
        mask = np.zeros(self.n - first, dtype=bool)
        if self.touching:
            mask[max(0, self.piece_start - first) :] = True
        for start, stop in reversed(self.pieces):
            if stop <= first:
                break
            mask[max(0, start - first) : stop - first] = True
        return mask

    def segments(self, end: int) -> tuple[tuple[int, int], ...]:
        """Its touching pieces, the current one ending at ``end`` if the hands are on the pad."""
        if self.touching:
            return (*self.pieces, (self.piece_start, end))
        return tuple(self.pieces)


@dataclass
class _Lookback:
    """The last ``baseline_lookback_s`` of samples while idle, and the zero at each."""

    size: int
    t: np.ndarray = field(default_factory=lambda: np.empty(0))
    x: np.ndarray = field(default_factory=lambda: np.empty(0))
    origin: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    zero: np.ndarray = field(default_factory=lambda: np.empty(0))

    def remember(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, zero: np.ndarray) -> None:
        self.t = _tail(self.t, t, self.size)
        self.x = _tail(self.x, x, self.size)
        self.origin = _tail(self.origin, m, self.size)
        self.zero = _tail(self.zero, zero, self.size)

    def restart(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, zero: float) -> None:
        """Idle again after a contact: the last samples, all at the new ``zero``."""
        self.t = t[-self.size :].copy()
        self.x = x[-self.size :].copy()
        self.origin = m[-self.size :].copy()
        self.zero = np.full(self.t.size, zero)


class ContactStage:
    """Zero tracking between contacts, contacts with merged breaks, reps at their ends."""

    def __init__(self, period_s: float, zero_kg: float, cfg: DetectorConfig) -> None:
        self.cfg = cfg
        self.fs = fs = 1.0 / period_s
        cutoff = min(cfg.detect_lowpass_hz, MAX_CUTOFF_PER_RATE * fs)
        self._lp = butter(DETECT_LOWPASS_ORDER, cutoff, fs=fs, output="sos")
        self._lp_zi: np.ndarray | None = None
        alpha = 1.0 - float(np.exp(-period_s / cfg.baseline_tau_s))
        # a first-order filter as lfilter's coefficients: called on every idle stretch, it costs
        # a fifth of what sosfilt does for the same numbers
        self._ema = (np.array([alpha]), np.array([1.0, alpha - 1.0]))
        # the filter's state at rest on a zero of 1 kg: a new zero's state is a multiple of it
        self._ema_rest = lfilter_zi(*self._ema)
        self._ema_zi = self._ema_rest * zero_kg
        self.zero = zero_kg
        self._analyzer = ContactAnalyzer(fs, cfg)
        self._lookback = _Lookback(max(2, round(cfg.baseline_lookback_s * fs) + 1))
        self._merge_n = max(1, round(cfg.merge_gap_s * fs))
        self._max_n = round(cfg.max_contact_s * fs)
        self._live = RunningMinimum(fs, cfg, self._analyzer)
        self._contact: OpenContact | None = None

    # -- public ------------------------------------------------------------------------------
    @property
    def in_contact(self) -> bool:
        return self._contact is not None

    @property
    def buffered_samples(self) -> int:
        """Samples held in memory (bounded: a test watches it over a long session)."""
        held = 0 if self._contact is None else self._contact.n
        return int(self._lookback.t.size + held + self._live.buffered_samples)

    @property
    def effort(self) -> bool:
        return self._live.in_effort

    @property
    def running_min_kg(self) -> float | None:
        return self._live.value

    def push(
        self, t: np.ndarray, x: np.ndarray, origin: np.ndarray, breaks: np.ndarray
    ) -> list[Rep]:
        """Feed samples with their ``origin`` (preprocess's MEASURED, GLITCH or LOST)."""
        reps: list[Rep] = []
        bounds = [0, *breaks.tolist(), t.size]
        for piece, (a, b) in enumerate(itertools.pairwise(bounds)):
            if piece:
                reps.extend(self.finish())
                self._lp_zi = None
            if b > a:
                reps.extend(self._process(t[a:b], x[a:b], origin[a:b]))
        return reps

    def finish(self) -> list[Rep]:
        """End of data (or a hole in it): a contact in progress ends here."""
        contact = self._contact
        if contact is None:
            return []
        t, x, m = contact.arrays()
        if contact.touching:
            end, zero_after = t.size, None
        else:
            end = contact.break_start
            size = self._lookback.size
            zero_after = float(np.median(x[end:])) if t.size - end >= size else None
        rep = self._finalize(contact, t, x, m, end, zero_after)
        return [rep] if rep is not None else []

    # -- stream ------------------------------------------------------------------------------
    def _process(self, t: np.ndarray, x: np.ndarray, m: np.ndarray) -> list[Rep]:
        if self._lp_zi is None:
            self._lp_zi = sosfilt_zi(self._lp) * x[0]
        lp, self._lp_zi = sosfilt(self._lp, x, zi=self._lp_zi)
        reps: list[Rep] = []
        i = 0
        while i < t.size:
            if self._contact is not None:
                i, rep = self._in_contact(self._contact, t, x, m, lp, i)
                if rep is not None:
                    reps.append(rep)
            else:
                i = self._idle(t, x, m, lp, i)
        return reps

    def _idle(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, lp: np.ndarray, i: int) -> int:
        on = self.cfg.contact_on_kg
        window = _FIRST_WINDOW
        while i < t.size:
            j = min(t.size, i + window)
            zero, zf = lfilter(*self._ema, lp[i:j], zi=self._ema_zi)
            before = np.concatenate(([self.zero], zero[:-1]))
            hits = np.flatnonzero(lp[i:j] - before > on)
            if hits.size:
                k = int(hits[0])
                if k:
                    zero, self._ema_zi = lfilter(*self._ema, lp[i : i + k], zi=self._ema_zi)
                    self.zero = float(zero[-1])
                    self._lookback.remember(t[i : i + k], x[i : i + k], m[i : i + k], zero)
                self._start_contact()
                return i + k
            self._ema_zi = zf
            self.zero = float(zero[-1])
            self._lookback.remember(t[i:j], x[i:j], m[i:j], zero)
            i = j
            window = min(2 * window, _MAX_WINDOW)
        return i

    # -- contacts ----------------------------------------------------------------------------
    def _start_contact(self) -> None:
        back = self._lookback
        onset = int(back.t.size)
        contact = OpenContact(
            zero=float(back.zero[0]) if back.zero.size else self.zero,
            onset=onset,
            piece_start=onset,
        )
        contact.append(back.t.copy(), back.x.copy(), back.origin.copy())
        self._contact = contact
        self._live.reset()

    def _in_contact(
        self,
        contact: OpenContact,
        t: np.ndarray,
        x: np.ndarray,
        m: np.ndarray,
        lp: np.ndarray,
        i: int,
    ) -> tuple[int, Rep | None]:
        cfg = self.cfg
        if contact.n == contact.onset:
            self._live.start(float(t[i]), self._so_far(contact, None))
        j = min(t.size, i + max(_FIRST_WINDOW, self._merge_n))
        rel = lp[i:j] - contact.zero
        base = contact.n - i  # buffer index = base + stream index
        pos = i
        ended_at: int | None = None
        left_at: int | None = None  # where the hands last left the pad in this stretch
        while pos < j:
            if contact.touching:
                below = np.flatnonzero(rel[pos - i :] < cfg.contact_off_kg)
                piece_stop = j if not below.size else pos + int(below[0])
                # only measured conversions: a hole after a glitch is re-created by a line from
                # it, which reads above the threshold too
                measured = m[pos:piece_stop] == MEASURED
                on_pad = (x[pos:piece_stop] - contact.zero > cfg.contact_on_kg) & measured
                contact.piece_hits += int(np.count_nonzero(on_pad))
                if not below.size:
                    break
                pos = piece_stop
                contact.touching = False
                if contact.pieces and contact.piece_hits < cfg.touch_min_conversions:
                    # a glitch the despiker left alone inside a break, not hands coming back:
                    # the break goes on (else it could join two reps into one)
                    if contact.break_start + self._merge_n - base <= pos:
                        ended_at = pos
                        break
                    continue
                contact.break_start = left_at = base + pos
                contact.pieces.append((contact.piece_start, contact.break_start))
            else:
                confirm = contact.break_start + self._merge_n - base  # stream index
                stop = min(j, confirm)
                above = np.flatnonzero(rel[pos - i : stop - i] > cfg.contact_on_kg)
                if above.size:
                    pos += int(above[0])
                    contact.touching = True
                    contact.piece_start = base + pos
                    contact.piece_hits = 0
                elif confirm <= j:
                    ended_at = confirm
                    break
                else:
                    break
        stop = j if ended_at is None else ended_at
        first = contact.n
        contact.append(t[i:stop], x[i:stop], m[i:stop])
        measured = m[i:stop] == MEASURED
        self._live.push(t[i:stop], rel[: stop - i], measured, contact.touching_mask(first))
        if left_at is not None:
            self._live.hands_left(self._so_far(contact, left_at))
        if ended_at is not None:
            ct, cx, cm = contact.arrays()
            settled = cx[-min(self._merge_n, self._lookback.size * 2) :]
            zero_after = float(np.median(settled))
            return ended_at, self._finalize(contact, ct, cx, cm, contact.break_start, zero_after)
        if contact.n > self._max_n:
            self._abandon(contact)
        return stop, None

    def _finalize(
        self,
        contact: OpenContact,
        t: np.ndarray,
        x: np.ndarray,
        m: np.ndarray,
        end: int,
        zero_after: float | None,
    ) -> Rep | None:
        finished = Contact(
            t=t,
            x=x,
            origin=m,
            onset=contact.onset,
            end=end,
            segments=contact.segments(end),
            zero_before=contact.zero,
            zero_after=zero_after,
            fs=self.fs,
        )
        rep = self._analyzer.analyze(finished)
        self._resume_idle(t, x, m, zero_after if zero_after is not None else contact.zero)
        return rep

    def _so_far(self, contact: OpenContact, end: int | None) -> ContactSoFar:
        """The contact as it stands, built when asked for: up to ``end`` (where the hands left)
        with its pieces then, or (None) up to the moment it is asked for."""
        pieces = tuple(contact.pieces)

        def build() -> Contact:
            t, x, m = contact.arrays()
            if end is not None:
                return Contact(t, x, m, contact.onset, end, pieces, contact.zero, None, self.fs)
            stop = contact.n if contact.touching else contact.break_start
            segments = contact.segments(stop)
            return Contact(t, x, m, contact.onset, stop, segments, contact.zero, None, self.fs)

        return build

    def _abandon(self, contact: OpenContact) -> None:
        """A contact that never ends is a new zero (a weight left on the pad, a tare jump)."""
        t, x, m = contact.arrays()
        self._resume_idle(t, x, m, float(np.median(x[-self._lookback.size :])))

    def _resume_idle(self, t: np.ndarray, x: np.ndarray, m: np.ndarray, zero: float) -> None:
        self._contact = None
        self.zero = zero
        self._ema_zi = self._ema_rest * zero
        self._lookback.restart(t, x, m, zero)
        self._live.reset()


__all__ = ["ContactStage", "OpenContact"]
