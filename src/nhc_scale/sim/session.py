"""A training session on the pad: sets of reps with rests, the odd tap of the pad, fatigue.

Used both ways: :func:`plan_session` lays out a whole recording at once, and
:class:`SessionPlanner` hands out one set at a time for the never-ending demo athlete.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nhc_scale.sim.athlete import Athlete
from nhc_scale.sim.physics import RepPlan, TouchPlan, plan_rep

Event = RepPlan | TouchPlan

#: A rep's contact must end this long before the next begins, or the detector would rightly
#: merge them (docs/measurement.md, "Contact"): drops shorter than ~2 s belong to the same rep.
MIN_CLEARANCE_S = 3.0


@dataclass
class SessionPlanner:
    """Generates sets one after the other, each starting where the previous one ended."""

    athlete: Athlete
    rng: np.random.Generator
    rep_interval_s: tuple[float, float] = (10.0, 20.0)
    reps_per_set: tuple[int, int] = (2, 8)
    rest_s: tuple[float, float] = (60.0, 180.0)
    touch_prob: float = 0.15
    sets_done: int = 0

    def next_set(self, t_start: float) -> tuple[list[Event], float]:
        """Events of one set starting at ``t_start``, and when the set's rest is over."""
        rng = self.rng
        events: list[Event] = []
        strength = self.athlete.strength * (1.0 - 0.03 * min(self.sets_done, 5))
        t = t_start
        for index in range(int(rng.integers(self.reps_per_set[0], self.reps_per_set[1] + 1))):
            fatigue = 1.0 - self.athlete.fatigue_per_rep * index
            rep = plan_rep(rng, self.athlete, t, strength * fatigue)
            events.append(rep)
            gap = max(float(rng.uniform(*self.rep_interval_s)), rep.t_end - t + MIN_CLEARANCE_S)
            if rng.random() < self.touch_prob and gap - (rep.t_end - t) > 2 * MIN_CLEARANCE_S + 1:
                at = float(rng.uniform(rep.t_end + MIN_CLEARANCE_S, t + gap - MIN_CLEARANCE_S - 1))
                events.append(
                    TouchPlan(at, float(rng.uniform(0.1, 0.7)), float(rng.uniform(2.0, 15.0)))
                )
            t += gap
        self.sets_done += 1
        return events, t + float(rng.uniform(*self.rest_s))


@dataclass(frozen=True)
class SessionPlan:
    athlete: Athlete
    events: tuple[Event, ...]
    duration_s: float

    @property
    def reps(self) -> list[RepPlan]:
        return [event for event in self.events if isinstance(event, RepPlan)]

    def force(self, t: np.ndarray) -> np.ndarray:
        """True force on the pad at times ``t`` (sorted), summing every event over its span."""
        t = np.asarray(t, dtype=np.float64)
        out = np.zeros_like(t)
        for event in self.events:
            lo = int(np.searchsorted(t, event.t_touch - 0.01))
            hi = int(np.searchsorted(t, event.t_end + 1.0))
            if hi > lo:
                out[lo:hi] += event.force(t[lo:hi])
        return out


def plan_session(
    rng: np.random.Generator,
    athlete: Athlete,
    sets: int | None = None,
    lead_s: float | None = None,
    duration_s: float | None = None,
) -> SessionPlan:
    """A whole session: some quiet first, 1-4 sets (or as many as fit in ``duration_s``),
    some quiet at the end."""
    planner = SessionPlanner(athlete, rng)
    n_sets = int(rng.integers(1, 5)) if sets is None else sets
    t = float(rng.uniform(3.0, 15.0)) if lead_s is None else lead_s
    events: list[Event] = []
    while True:
        new, rest_over = planner.next_set(t)
        if duration_s is not None and max(e.t_end for e in new) > duration_s - 5.0:
            break
        events.extend(new)
        t = rest_over
        if duration_s is None and planner.sets_done >= n_sets:
            break
    last_end = max(event.t_end for event in events)
    end = duration_s if duration_s is not None else last_end + float(rng.uniform(4.0, 12.0))
    return SessionPlan(athlete, tuple(events), end)
