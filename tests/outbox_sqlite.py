"""A small SQLite outbox and roster implementing nhc_scale.sync.outbox.SyncStore, for the sync
worker's tests, which then need no pad (the pad's real one is appliance/sync_store.py). It
keeps each session's payload as JSON, in the order the sessions were queued."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from nhc_scale.sync.protocol import AthleteProfile, RosterAthlete, SessionPayload

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        position INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        acknowledged INTEGER NOT NULL DEFAULT 0,
        rejected_reason TEXT
    )""",
    "CREATE TABLE IF NOT EXISTS athletes (uuid TEXT PRIMARY KEY, profile TEXT NOT NULL)",
)


class SqliteOutbox:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        for statement in SCHEMA:
            self._conn.execute(statement)

    # -- what the pad's recorder would do --------------------------------------------------

    def queue(self, session: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO outbox (uuid, payload) VALUES (?, ?)",
                (session["uuid"], json.dumps(session)),
            )

    def add_athlete(self, profile: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO athletes VALUES (?, ?)",
                (profile["uuid"], json.dumps(profile)),
            )

    def athlete(self, uuid: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT profile FROM athletes WHERE uuid = ?", (uuid,)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def rejected(self) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT uuid, rejected_reason FROM outbox WHERE rejected_reason IS NOT NULL"
            ).fetchall()
        return dict(rows)

    # -- SyncStore ---------------------------------------------------------------------------

    def pending_sessions(self, limit: int) -> list[SessionPayload]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT payload FROM outbox WHERE acknowledged = 0 AND rejected_reason IS NULL "
                "ORDER BY position LIMIT ?",
                (limit,),
            ).fetchall()
        return [SessionPayload.model_validate_json(row[0]) for row in rows]

    def queued_count(self) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT count(*) FROM outbox WHERE acknowledged = 0 AND rejected_reason IS NULL"
            ).fetchone()[0]

    def mark_acknowledged(self, session_uuids: Sequence[UUID]) -> None:
        with self._lock:
            self._conn.executemany(
                "UPDATE outbox SET acknowledged = 1 WHERE uuid = ?",
                [(str(u),) for u in session_uuids],
            )

    def mark_rejected(self, session_uuid: UUID, reason: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE outbox SET rejected_reason = ? WHERE uuid = ?", (reason, str(session_uuid))
            )

    def rejected_count(self) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT count(*) FROM outbox WHERE rejected_reason IS NOT NULL"
            ).fetchone()[0]

    def roster(self) -> list[AthleteProfile]:
        with self._lock:
            rows = self._conn.execute("SELECT profile FROM athletes ORDER BY uuid").fetchall()
        return [AthleteProfile.model_validate_json(row[0]) for row in rows]

    def apply_roster(self, athletes: Sequence[RosterAthlete]) -> None:
        fields = set(AthleteProfile.model_fields)
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO athletes VALUES (?, ?)",
                [(str(a.uuid), a.model_dump_json(include=fields)) for a in athletes],
            )
