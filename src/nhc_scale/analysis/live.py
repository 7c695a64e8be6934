"""What the phone shows while a rep is in progress: whether the effort has begun, and the lowest
sustained force of it so far (docs/measurement.md, "Live and offline agree").

The running minimum follows the contact analysis's notion of the effort, causally and cheaply:

- it is the 0.3 s average of the contact's force (the contact filter's causal low-pass, over
  the zero), with dips narrower than a hand shift closed first (a grey closing: what a short
  dip takes off the pad, it gives back), so that a transient the contact analysis would cut out
  does not lower it; only windows with the hands on the pad throughout and mostly measured
  conversions (not a line across lost ones) count;
- it is never below zero (the pad cannot pull the hands);
- it stops at a push-off judged as the contact analysis judges one (:class:`EffortMinimum`),
  and a window counts only once the hands have stayed on the pad ``release_max_s`` after it,
  so that the release (brisk) is never counted;
- as soon as the force rises like a push-off, the contact analysis itself is asked, on the
  contact so far, whether it sees one; once it does (with enough force after the minimum to
  judge a transient beside it), its minimum is shown;
- when the hands leave the pad, the contact analysis runs on the contact as it stands,
  and its minimum is what the phone shows until the rep is reported: the value it stores, unless
  the hands come back within the merge gap and the rep goes on. An unassisted verdict is shown
  only once the hands have stayed off long enough that no push-off can follow in the same rep
  (until then the force may be a near-zero moment before a push-off).

The work is done when the value is read (the live page reads it after every block), on a short
buffer, at most every ``LIVE_STEP_S`` of data: an offline analysis, which never reads it, pays
nothing, and a live block of a few samples next to nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.ndimage import grey_closing

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.contact import Contact, ContactAnalyzer
from nhc_scale.analysis.minimum import trapezoid_weights, window_samples

#: Builds the contact as it stands when the hands left (the stage's buffer, up to the break).
ContactSoFar = Callable[[], Contact]

#: How much data is gathered between two updates: the phone redraws ten times a second.
LIVE_STEP_S = 0.1
#: Dips narrower than this are closed before averaging: a hand shift (under 0.3 s) seen through
#: the contact filter's causal low-pass is up to half as wide again. Wider dips are force the
#: hands sustained (the contact analysis, which sees both sides, judges them when it runs).
CLOSING_S = 0.45
#: A window counts only if at least this share of its samples was measured (not a line across
#: lost conversions: a hole that may hide a push-off is no minimum).
MIN_MEASURED_SHARE = 0.5
#: While the force rises like a push-off, the contact analysis is asked at most this often
#: whether it sees one (each time costs a contact's analysis).
ASK_EVERY_S = 0.25
#: An unassisted verdict is shown this long before the rep is reported (the merge gap's end):
#: late enough that a push-off after a near-zero moment would have come, early enough for the
#: phone to show it.
UNASSISTED_NOTICE_S = 0.2


class EffortMinimum:
    """The lowest sustained force of an effort, up to its push-off, window by window.

    A push-off is a rise of the force, at least half a window after the minimum, by
    ``push_rise_kg``, ``push_rise_frac`` of the fall from the hold and ``push_rise_level_frac``
    of the level (phases.push_offs's rule). After one, lower force counts only if the hands stay
    on the pad ``release_max_s`` longer (the rise was a wobble, or a hand's catch) or push off
    again from it: the release, where the hands leave, never does."""

    def __init__(self, cfg: DetectorConfig, top: float = -np.inf) -> None:
        self.cfg = cfg
        self.value: float | None = None
        self._at_s = 0.0
        self._hold = -np.inf  # highest sustained force when the minimum was reached
        self._top = top  # highest sustained force so far
        self._rise = -np.inf  # highest force half a window or more after the minimum
        self.pushed = False
        self.exact = False  # the value is the contact analysis's
        self._lower: EffortMinimum | None = None  # lower force after a push-off, on trial
        self._below_since_s = 0.0

    def needed(self, level: float, hold: float) -> float:
        cfg = self.cfg
        share = max(cfg.push_rise_frac * (hold - level), cfg.push_rise_level_frac * level)
        return max(cfg.push_rise_kg, share)

    def settle(self, value: float, pushed: bool) -> None:
        """The contact analysis has the minimum: ``value``, a push-off seen after it or not."""
        self.value, self.pushed, self._lower, self._rise = value, pushed, None, -np.inf
        self.exact = True

    def count(self, t_s: float, level: float, force: float) -> None:
        """One more window: ``level`` its sustained force, ``force`` the force at its centre."""
        self._top = max(self._top, level)
        if self.value is None or (not self.pushed and level < self.value):
            self.value, self._at_s, self._hold, self._rise = level, t_s, self._top, -np.inf
            return
        if not self.pushed:
            if t_s - self._at_s >= self.cfg.sustain_s / 2:
                self._rise = max(self._rise, force)
            self.pushed = self._rise - self.value >= self.needed(self.value, self._hold)
            return
        if self._lower is None:
            if level >= self.value:
                return
            self._lower, self._below_since_s = EffortMinimum(self.cfg, self._top), t_s
        self._lower.count(t_s, level, force)
        if self._lower.pushed or t_s - self._below_since_s >= self.cfg.release_max_s:
            # the hands stayed on the pad, or pushed off again: the first rise was no push-off
            lower = self._lower
            self.value, self._at_s, self._hold = lower.value, lower._at_s, lower._hold
            self._rise, self.pushed, self._lower = lower._rise, lower.pushed, lower._lower
            self.exact = False

    def rising(self, force: float) -> bool:
        """Whether ``force`` (now) lies a push-off's rise above the minimum."""
        value = self.value
        return value is not None and force - value >= self.needed(value, self._top)


class RunningMinimum:
    """The running minimum of one stream's contacts, fed each contact's samples as they arrive."""

    def __init__(self, fs: float, cfg: DetectorConfig, analyzer: ContactAnalyzer) -> None:
        self.cfg = cfg
        self._analyzer = analyzer
        self._box = window_samples(fs, cfg.sustain_s)
        self._close = max(1, round(CLOSING_S * fs))
        self._step = max(1, round(LIVE_STEP_S * fs))
        # a window counts once the hands have stayed on the pad this long after it: the release
        # (brisk: release_max_s) is over before the hands are seen to leave, and never counts
        self._guard = max(1, round(cfg.release_max_s * fs))
        # what the next update needs from before: the closing's, the window's and the guard's
        # reach, twice
        self._keep = 2 * (self._close + self._box + self._guard) + 2
        self.reset()

    def reset(self) -> None:
        """A new contact (or none)."""
        self._t = np.empty(0)
        self._r = np.empty(0)
        self._measured = np.empty(0, dtype=bool)
        self._touching = np.empty(0, dtype=bool)
        self._new: list[tuple[np.ndarray, ...]] = []
        self._new_n = 0
        # what arrived since the last read, in order: blocks of samples, and the hands leaving
        self._queue: list[tuple[np.ndarray, ...] | ContactSoFar] = []
        self._queued = 0
        self._from_s = np.inf  # windows before this are the landing
        self._done_s = -np.inf  # windows centred up to here are counted
        self._last_s = -np.inf  # the newest sample's time
        self._hands_on = True
        # the effort flag: the trailing 0.3 s force has clearly fallen from its top
        self._trail_top = -np.inf
        self._trail_low = np.inf
        self._effort = False
        self._minimum = EffortMinimum(self.cfg)
        self._lift_off_s: float | None = None  # the hands left with no push-off seen, here
        self._so_far: ContactSoFar | None = None
        self._asked_s = -np.inf  # when the contact analysis was last asked for a push-off

    def start(self, t_s: float, so_far: ContactSoFar) -> None:
        """The contact began at ``t_s`` (bounces and the landing's ringing come first);
        ``so_far()`` is the contact as it stands at any moment."""
        self._from_s = t_s + self.cfg.bounce_max_s + self.cfg.landing_settle_s
        self._so_far = so_far

    @property
    def value(self) -> float | None:
        self._settle()
        return self._minimum.value if self._effort else None

    @property
    def in_effort(self) -> bool:
        self._settle()
        return self._effort

    @property
    def buffered_samples(self) -> int:
        return int(self._t.size + self._new_n + self._queued)

    def push(
        self, t: np.ndarray, rel: np.ndarray, measured: np.ndarray, touching: np.ndarray
    ) -> None:
        """Samples of the contact: times, force over the zero (low-passed), whether each was
        measured (not a line across lost conversions or a glitch) and whether the hands were on
        the pad (not in a break)."""
        if t.size:
            self._queue.append((t, rel, measured, touching))
            self._queued += t.size

    def hands_left(self, contact: ContactSoFar) -> None:
        """The hands left the pad (after the samples pushed so far): ``contact()`` is the
        contact as it stands, a rep or nothing."""
        self._queue.append(contact)

    # -- the work ------------------------------------------------------------------------------
    def _settle(self) -> None:
        """Do the work queued since the last read, in order."""
        for item in self._queue:
            if callable(item):
                if self._new_n:
                    self._update()
                self._judge(item())
                continue
            self._new.append(item)
            self._new_n += item[0].size
            self._last_s = float(item[0][-1])
            self._hands_on = bool(item[3][-1])
            if self._hands_on:
                self._lift_off_s = None
            if self._new_n >= self._step:
                self._update()
        self._queue, self._queued = [], 0
        wait = self.cfg.merge_gap_s - UNASSISTED_NOTICE_S
        gone = self._lift_off_s
        if gone is not None and not self._hands_on and self._last_s - gone >= wait:
            self._minimum.settle(0.0, pushed=False)  # unassisted: nothing came back

    def _judge(self, contact: Contact) -> None:
        """The hands left: the contact analysis on the contact as it stands. Its minimum is
        the rep's, as it will be stored if the hands do not come back; an unassisted verdict
        waits (see :meth:`_settle`)."""
        rep = self._analyzer.analyze(contact)
        self._done_s = float(contact.t[contact.end - 1])  # the windows before are judged
        if rep is None:
            return
        if rep.unassisted:
            self._lift_off_s = self._done_s
        else:
            self._minimum.settle(max(0.0, rep.min_assistance_kg), pushed=True)

    def _pushing_off(self) -> None:
        """A push-off seems to have begun: the contact analysis, run on the contact so far,
        sees the effort whole. If it finds the push-off too, with enough force after the
        minimum to have judged a transient beside it (``fill_reach_s``), its minimum is shown
        from now on; else the window-by-window value stays, and it is asked again later."""
        if self._so_far is None:
            return
        contact = self._so_far()
        rep = self._analyzer.analyze(contact)
        if rep is None or rep.push_off_peak_kg is None or rep.min_window_s is None:
            return
        seen_after = float(contact.t[contact.end - 1]) - rep.min_window_s[1]
        if seen_after >= self.cfg.fill_reach_s:
            self._minimum.settle(max(0.0, rep.min_assistance_kg), pushed=True)

    def _update(self) -> None:
        new = self._new_n
        t = np.concatenate((self._t, *(block[0] for block in self._new)))
        r = np.concatenate((self._r, *(block[1] for block in self._new)))
        m = np.concatenate((self._measured, *(block[2] for block in self._new)))
        on = np.concatenate((self._touching, *(block[3] for block in self._new)))
        self._new, self._new_n = [], 0
        self._track_effort(t, r, new)
        self._track_minimum(t, r, m, on)
        now = float(t[-1])
        minimum = self._minimum
        rising = minimum.pushed or minimum.rising(float(r[-1]))
        if not minimum.exact and rising and now - self._asked_s >= ASK_EVERY_S:
            # the force rises like a push-off (now, or in the windows), and the contact analysis
            # sees the effort whole sooner than the windows do
            self._asked_s = now
            self._pushing_off()
        keep = self._keep
        self._t, self._r = t[-keep:], r[-keep:]
        self._measured, self._touching = m[-keep:], on[-keep:]

    def _track_effort(self, t: np.ndarray, r: np.ndarray, new: int) -> None:
        """The effort has begun when the trailing 0.3 s force has fallen from its top by
        ``push_rise_kg`` or ``live_effort_drop_frac`` of it."""
        if r.size <= self._box:
            return
        level = np.convolve(r, trapezoid_weights(self._box), mode="valid")
        level = level[-min(new, level.size) :]
        level = level[t[-level.size :] >= self._from_s]
        if level.size == 0:
            return
        self._trail_top = max(self._trail_top, float(level.max()))
        self._trail_low = min(self._trail_low, float(level.min()))
        drop = self._trail_top - self._trail_low
        if drop >= max(self.cfg.push_rise_kg, self.cfg.live_effort_drop_frac * self._trail_top):
            self._effort = True

    def _track_minimum(self, t: np.ndarray, r: np.ndarray, m: np.ndarray, on: np.ndarray) -> None:
        """Count the windows whose closing and average the samples so far settle: those with
        the hands on the pad throughout, and mostly measured."""
        half_close, half_box = self._close // 2, self._box // 2
        # the last centre whose inputs are all here, with the guard after them
        last = r.size - 1 - half_close - half_box - self._guard
        if last < half_close + half_box:
            return
        centres = np.arange(half_close + half_box, last + 1)
        fresh = centres[(t[centres] > self._done_s) & (t[centres] >= self._from_s)]
        if fresh.size == 0:
            return
        self._done_s = float(t[fresh[-1]])
        closed = grey_closing(r, size=self._close)
        weights = trapezoid_weights(self._box)
        level = np.convolve(closed, weights, mode="same")
        share = np.convolve(m.astype(np.float64), weights, mode="same")
        # hands off the pad anywhere from a window's start to the guard's end: it does not count
        off = np.cumsum(~on)
        for i in fresh.tolist():
            left_pad = off[i + half_box + self._guard] - off[max(0, i - half_box - 1)]
            if share[i] >= MIN_MEASURED_SHARE and left_pad == 0:
                self._minimum.count(float(t[i]), max(0.0, float(level[i])), float(r[i]))
