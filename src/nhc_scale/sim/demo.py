"""An endless athlete for demo mode: the true force on the pad, for the emulated HX711.

The chip calls ``force_kg(t_s)`` ~80 times a second for as long as the demo runs, so the athlete
plans one set at a time as the clock approaches it and forgets reps that are over: memory stays
bounded, and the object pickles (it is handed to the acquisition process).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from nhc_scale.sim.athlete import draw_athlete
from nhc_scale.sim.physics import RepPlan
from nhc_scale.sim.session import Event, SessionPlanner

_PLAN_AHEAD_S = 30.0  # plan the next set this long before the planned ones run out
_KEEP_S = 30.0  # keep finished events this long (the chip's clock may be read slightly late)


class DemoAthlete:
    """Sets of Nordic reps forever: 2-3 sets of 3-6 reps, a rep every 10-20 s, 1-3 min between
    sets, then a few minutes off and a fresh session (strength recovered).

    The force is the physics only (tremor included); the chip adds noise, mains pickup, tare
    offset, spikes and lost conversions itself.
    """

    def __init__(self, seed: int, start_s: float = 5.0) -> None:
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self.athlete = draw_athlete(self._rng)
        self._planner = self._new_planner()
        self._sets_left = int(self._rng.integers(2, 4))
        self._events: deque[Event] = deque()
        self._planned_until = start_s
        self.reps_planned = 0

    def _new_planner(self) -> SessionPlanner:
        return SessionPlanner(self.athlete, self._rng, reps_per_set=(3, 6))

    def _plan_next_set(self) -> None:
        events, rest_over = self._planner.next_set(self._planned_until)
        self._events.extend(events)
        self.reps_planned += sum(isinstance(e, RepPlan) for e in events)
        self._planned_until = rest_over
        self._sets_left -= 1
        if self._sets_left == 0:
            self._planner = self._new_planner()
            self._sets_left = int(self._rng.integers(2, 4))
            self._planned_until += float(self._rng.uniform(120.0, 300.0))

    @property
    def events_held(self) -> int:
        return len(self._events)

    def force_kg(self, t_s: float) -> float:
        while t_s + _PLAN_AHEAD_S > self._planned_until:
            self._plan_next_set()
        while self._events and self._events[0].t_end + _KEEP_S < t_s:
            self._events.popleft()
        at = np.array([t_s])
        total = 0.0
        for event in self._events:
            if event.t_touch - 0.01 <= t_s <= event.t_end + 1.0:
                total += float(event.force(at)[0])
            elif event.t_touch > t_s + 1.0:
                break
        return total
