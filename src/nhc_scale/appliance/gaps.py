"""Holes in the data: while the sampler restarts or the sensor does not answer, a session gets
a gap (from the last sample before the hole to the first after it) instead of a seam."""

from __future__ import annotations

import logging
import time

from nhc_scale.store import SessionRecord, Store

log = logging.getLogger(__name__)


class GapTracker:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.last_sample_ns: int | None = None
        self._open: tuple[int, str] | None = None  # (start_ns, reason) of the hole, if any

    def open(self, reason: str) -> None:
        """No samples from here on (the first reason wins until samples flow again)."""
        if self._open is None:
            self._open = (self.last_sample_ns or time.monotonic_ns(), reason)

    def samples_seen(self, first_ns: int, last_ns: int, session: SessionRecord | None) -> None:
        """Samples flow: an open hole becomes the session's gap."""
        hole, self._open = self._open, None
        self.last_sample_ns = last_ns
        if hole is None or session is None or first_ns <= hole[0]:
            return
        start_ns, reason = hole
        log.warning("no samples for %.2f s (%s)", (first_ns - start_ns) * 1e-9, reason)
        self._store.add_gap(session.id, max(start_ns, session.start_ns), first_ns, reason)
