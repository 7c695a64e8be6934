"""Sessions: when they start and stop, what they store, and the detector that runs in each.

A session's detector sees exactly the samples its export holds, from its first sample: that is
why ``analyze`` on the export finds the same reps. Between sessions an idle watcher (a detector
of its own) looks for a contact; when one begins a session starts by itself, taking the last
few seconds of samples with it so the rep's landing is in the session.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nhc_scale.analysis import Rep, summarize
from nhc_scale.appliance import timebase
from nhc_scale.appliance.detector_feed import BatchedDetector
from nhc_scale.appliance.errors import SessionConflict
from nhc_scale.store import SessionRecord, Store, StoreError

PREROLL_S = 5.0
IDLE = "idle"


@dataclass(frozen=True)
class Chunk:
    """Samples with the calibration they were converted with."""

    t_ns: np.ndarray
    counts: np.ndarray
    zero_counts: float
    counts_per_kg: float


def session_summary(reps: list[dict[str, Any]]) -> dict[str, Any]:
    return summarize([Rep.from_dict(rep) for rep in reps])


class Recorder:
    """Called from the pipeline thread (``feed``) and from requests (``start``/``stop``); the
    caller serialises the two with one lock."""

    def __init__(
        self,
        store: Store,
        on_rep: Callable[[int, dict[str, Any], bool], None],
        auto_stop_s: Callable[[], float],
        clock_synced: Callable[[], bool],
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._on_rep = on_rep
        self._auto_stop_s = auto_stop_s
        self._clock_synced = clock_synced
        self._wall_clock = wall_clock
        # Started this run on an unsynchronised clock (ids are never reused: see store/schema.py).
        self.unsynced_sessions: set[int] = set()
        self._preroll: deque[Chunk] = deque()
        self._watcher = BatchedDetector()
        self._watcher_epoch_ns: int | None = None
        self.session: SessionRecord | None = None
        self._detector: BatchedDetector | None = None
        self._auto_started = False
        self._last_contact_ns = 0
        self._rep_count = 0
        self._resume_open_session()

    # ----- what the live page shows ---------------------------------------------------------
    @property
    def state(self) -> str:
        return (self._detector or self._watcher).state

    @property
    def running_min_kg(self) -> float | None:
        return None if self._detector is None else self._detector.running_min_kg

    # ----- sessions -------------------------------------------------------------------------
    def start(self, name: str | None, start_ns: int, auto: bool = False) -> SessionRecord:
        if self.session is not None:
            raise SessionConflict("a session is already running; stop it first")
        started_at = self._wall_clock() - (time.monotonic_ns() - start_ns) * 1e-9
        synced = self._clock_synced()
        session_id = self.store.create_session(name, started_at, start_ns, synced)
        if not synced:
            self.unsynced_sessions.add(session_id)
        self.session = self.store.get_session(session_id)
        self._detector = BatchedDetector()
        self._auto_started = auto
        self._last_contact_ns = start_ns
        self._rep_count = 0
        return self.session  # type: ignore[return-value]

    def stop(self, discard_if_empty: bool = False) -> SessionRecord | None:
        """End the session: the detector finishes a rep in progress, everything is flushed."""
        if self.session is None or self._detector is None:
            raise SessionConflict("no session is running")
        session_id = self.session.id
        for rep in self._detector.flush():
            self._record_rep(session_id, rep)
        self.session = None
        self._detector = None
        self._watcher = BatchedDetector()  # a fresh watch: the old one saw this session's contact
        self._watcher_epoch_ns = None
        if discard_if_empty and self._rep_count == 0:
            self.store.delete_session(session_id)
            self.unsynced_sessions.discard(session_id)
            return None
        self.store.end_session(session_id, self._wall_clock())
        return self.store.get_session(session_id)

    # ----- data -----------------------------------------------------------------------------
    def feed(self, chunk: Chunk) -> None:
        if len(chunk.t_ns) == 0:
            self._maybe_auto_stop(time.monotonic_ns())
            return
        if self.session is None:
            self._watch(chunk)
            return
        self._record(chunk)
        self._maybe_auto_stop(int(chunk.t_ns[-1]))

    def _watch(self, chunk: Chunk) -> None:
        self._preroll.append(chunk)
        newest = int(chunk.t_ns[-1])
        while self._preroll and newest - int(self._preroll[0].t_ns[-1]) > PREROLL_S * 1e9:
            self._preroll.popleft()
        if self._watcher_epoch_ns is None:
            self._watcher_epoch_ns = int(chunk.t_ns[0])
        t_s = timebase.session_seconds(chunk.t_ns, self._watcher_epoch_ns)
        kg = timebase.force_kg(chunk.counts, chunk.zero_counts, chunk.counts_per_kg)
        self._watcher.feed(t_s, kg)
        if self._watcher.state != IDLE:
            preroll = list(self._preroll)
            # If the session cannot be created (a full disk) the preroll stays for the next try.
            self.start(None, int(preroll[0].t_ns[0]), auto=True)
            self._preroll.clear()
            for earlier in preroll:
                self._record(earlier)

    def _record(self, chunk: Chunk) -> None:
        assert self.session is not None and self._detector is not None
        session_id = self.session.id
        self.store.append_samples(
            session_id, chunk.t_ns, chunk.counts, chunk.zero_counts, chunk.counts_per_kg
        )
        t_s = timebase.session_seconds(chunk.t_ns, self.session.start_ns)
        kg = timebase.force_kg(chunk.counts, chunk.zero_counts, chunk.counts_per_kg)
        for rep in self._detector.feed(t_s, kg):
            self._record_rep(session_id, rep)
        if self._detector.state != IDLE:
            self._last_contact_ns = int(chunk.t_ns[-1])

    def _record_rep(self, session_id: int, rep: Rep) -> None:
        """Commit, then announce: a rep the phone shows as saved survives a power cut a moment
        later. A rep takes seconds, so one commit per rep costs nothing; if the commit fails
        (a full disk) the rep waits in memory and is announced as not saved yet."""
        self._rep_count += 1
        data = {"number": self._rep_count, **rep.to_dict()}
        self.store.add_rep(session_id, data)
        try:
            self.store.flush()
            saved = True
        except StoreError:
            saved = False  # the store's status says why; the pipeline logs it
        self._on_rep(session_id, data, saved)

    def _maybe_auto_stop(self, now_ns: int) -> None:
        if self.session is None:
            return
        if (now_ns - self._last_contact_ns) * 1e-9 > self._auto_stop_s():
            self.stop(discard_if_empty=self._auto_started)

    def _resume_open_session(self) -> None:
        """A session left open by a crash is closed: its detector state is gone, and its
        stored reps and samples are complete up to the last flush."""
        open_session = self.store.active_session()
        if open_session is None:
            return
        t_ns = self.store.samples(open_session.id).t_ns
        last_s = (int(t_ns[-1]) - open_session.start_ns) * 1e-9 if len(t_ns) else 0.0
        self.store.end_session(open_session.id, open_session.started_at + last_s)
