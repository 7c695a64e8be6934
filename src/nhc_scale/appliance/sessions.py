"""Sessions as the user handles them: list, read, start, stop, rename, tag, move, delete, and
their exports. Each use case takes the locks it needs: the pipeline's only where it touches the
session being recorded; reads go to the store alone, whose reads never wait for the pipeline
(a long export must not hold up the live view)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nhc_scale.appliance import timebase
from nhc_scale.appliance.errors import Invalid, SessionConflict
from nhc_scale.appliance.phone_clock import PhoneClock
from nhc_scale.appliance.progress import session_targets
from nhc_scale.appliance.recorder import Recorder, session_summary
from nhc_scale.appliance.strength import session_reps_with_strength, strength_block
from nhc_scale.appliance.views import Gap, Session, iso
from nhc_scale.store import SessionRecord, Store, StoreError, UnknownSessionError

#: The fields of a session that ``null`` clears; for the others a null means "leave it".
CLEARABLE = frozenset({"name", "athlete_id"})


@dataclass(frozen=True)
class SessionSamples:
    """A session's samples on its own time base, as ``samples.csv`` holds them."""

    record: SessionRecord
    t_s: np.ndarray
    force_kg: np.ndarray
    counts: np.ndarray


class Sessions:
    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        pipeline_lock: threading.RLock,
        clock: PhoneClock,
        announce: Callable[[], None],
    ) -> None:
        self._store = store
        self._recorder = recorder
        self._lock = pipeline_lock
        self._clock = clock
        self._announce = announce  # a status event: the running session changed

    # ----- reads ----------------------------------------------------------------------------
    def record(self, session_id: int) -> SessionRecord:
        record = self._store.get_session(session_id)
        if record is None:
            raise UnknownSessionError(session_id)
        return record

    def view(self, session_id: int) -> Session:
        return Session.of(self.record(session_id), self._clock.wall_time())

    def list_all(self) -> list[Session]:
        """Newest first."""
        now = self._clock.wall_time()
        return [Session.of(record, now) for record in self._store.list_sessions()]

    def detail(self, session_id: int) -> dict[str, Any]:
        record = self.record(session_id)
        reps, athlete = session_reps_with_strength(self._store, record)
        return {
            "session": Session.of(record, self._clock.wall_time()),
            "reps": reps,
            "summary": session_summary(reps),
            "gaps": [Gap.of(gap, record.start_ns) for gap in self._store.gaps(session_id)],
            "strength": strength_block(athlete, record),
            "targets": session_targets(self._store, record),
        }

    def reps(self, session_id: int) -> list[dict[str, Any]]:
        self.record(session_id)
        return self._store.reps(session_id)

    def samples(self, session_id: int) -> SessionSamples:
        """Read without the pipeline's lock: the store's own lock covers the SQL, and decoding
        (the slow part of a long session) happens outside both."""
        record = self.record(session_id)
        arrays = self._store.samples(session_id)
        t_s = timebase.session_seconds(arrays.t_ns, record.start_ns)
        return SessionSamples(record, t_s, arrays.force_kg, arrays.counts)

    def trace(self, session_id: int, max_points: int) -> dict[str, Any]:
        samples = self.samples(session_id)
        t, kg = min_max_decimate(samples.t_s, samples.force_kg, max_points)
        return {"t_s": t.tolist(), "force_kg": kg.tolist(), "reps": self._store.reps(session_id)}

    def progress(self) -> list[dict[str, Any]]:
        return [
            {**point, "started_at": iso(point["started_at"])} for point in self._store.progress()
        ]

    # ----- changes --------------------------------------------------------------------------
    def start(self, name: str | None) -> Session:
        with self._lock:
            record = self._recorder.start(name, time.monotonic_ns())
        self._announce()
        return Session.of(record, self._clock.wall_time())

    def stop(self, session_id: int) -> Session:
        self.record(session_id)
        with self._lock:
            running = self._recorder.session
            if running is None or running.id != session_id:
                raise SessionConflict(f"session {session_id} is not running")
            try:
                self._recorder.stop()
            except StoreError as error:
                # The session did stop (a stop cannot be refused); only its saving waits.
                raise StoreError(
                    f"Session {session_id} stopped, but its end and last reps are not saved "
                    f"yet: {error}"
                ) from error
            finally:
                self._announce()
        return self.view(session_id)

    def update(self, session_id: int, changes: dict[str, Any]) -> Session:
        """Rename, annotate, tag or move to another athlete (``name``/``athlete_id`` null:
        clear them; other nulls leave the field as it is)."""
        self.record(session_id)
        changes = {k: v for k, v in changes.items() if v is not None or k in CLEARABLE}
        athlete_id = changes.get("athlete_id")
        if athlete_id is not None and self._store.get_athlete(athlete_id) is None:
            raise Invalid(f"invalid request: there is no athlete {athlete_id}")
        record = self._store.update_session(session_id, **changes)
        if self._recorder.session is not None and self._recorder.session.id == session_id:
            self._announce()
        return Session.of(record, self._clock.wall_time())

    def delete(self, session_id: int) -> None:
        self.record(session_id)
        with self._lock:
            running = self._recorder.session
            if running is not None and running.id == session_id:
                raise SessionConflict("the session is running; stop it first")
            self._store.delete_session(session_id)
            self._recorder.unsynced_sessions.discard(session_id)

    def hand_over_or_stop(self, athlete_id: int | None) -> tuple[int | None, int | None]:
        """The active athlete changed: a session running for someone else ends here (its reps
        are theirs); one still without reps changes hands instead. Returns (stopped,
        reassigned) session ids."""
        with self._lock:
            running = self._recorder.session
            current = None if running is None else self._store.get_session(running.id)
            if current is None or current.athlete_id == athlete_id:
                return None, None
            if current.rep_count == 0:
                self._store.update_session(current.id, athlete_id=athlete_id)
                self._announce()
                return None, current.id
            self.stop(current.id)
            return current.id, None


def min_max_decimate(t: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, ...]:
    """At most ``max_points`` points that keep every bucket's lowest and highest value, so a
    short dip (a minimum) survives the thinning that a plain stride would lose."""
    if len(t) <= max_points:
        return t, y
    buckets = max_points // 2
    edges = np.linspace(0, len(t), buckets + 1).astype(int)
    index: list[int] = []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        segment = y[lo:hi]
        pair = sorted((lo + int(np.argmin(segment)), lo + int(np.argmax(segment))))
        index.extend(dict.fromkeys(pair))
    chosen = np.asarray(index)
    return t[chosen], y[chosen]
