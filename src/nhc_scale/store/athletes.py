"""Athletes in the store: profiles, the active athlete, and which sessions are whose.

A mixin of :class:`~nhc_scale.store.store.Store`, so it shares the one connection and lock, but
kept here so store.py stays about sessions and samples. Values are checked by the caller (the
API validates them against the strength model's ranges); this module only keeps them.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable
from typing import Any

from nhc_scale.store.errors import UnknownAthleteError
from nhc_scale.store.records import AthleteRecord
from nhc_scale.store.schema import MAX_ROW_ID

ATHLETE_COLUMNS = AthleteRecord.profile_fields()
_SELECT = (
    "SELECT a.*, (SELECT count(*) FROM sessions s WHERE s.athlete_id = a.id) AS session_count "
    "FROM athletes a"
)


class AthletesMixin:
    """Needs the Store's ``_read``, ``_write``, ``_update_columns``, ``_lock`` and
    ``_roster_revision`` (0 when the store opens)."""

    _read: Callable[..., Any]
    _write: Callable[..., Any]
    _update_columns: Callable[..., None]
    _lock: threading.RLock
    _roster_revision: int

    @property
    def roster_revision(self) -> int:
        """Counts this store's changes to the athletes and to who is active, so that a phone
        can tell its list is stale (another phone, or a team hub's roster, changed them)."""
        return self._roster_revision

    def _roster_changed(self) -> None:
        """Called after each write that changed an athlete or who is active."""
        with self._lock:
            self._roster_revision += 1

    def list_athletes(self) -> list[AthleteRecord]:
        """All athletes, by name."""
        rows = self._read(
            lambda conn: conn.execute(_SELECT + " ORDER BY a.name COLLATE NOCASE, a.id").fetchall()
        )
        return [AthleteRecord(**row) for row in rows]

    def get_athlete(self, athlete_id: int) -> AthleteRecord | None:
        if not 1 <= athlete_id <= MAX_ROW_ID:  # no row can have it, and SQLite cannot bind it
            return None
        row = self._read(
            lambda conn: conn.execute(_SELECT + " WHERE a.id = ?", (athlete_id,)).fetchone()
        )
        return None if row is None else AthleteRecord(**row)

    def athlete_by_uuid(self, athlete_uuid: str) -> AthleteRecord | None:
        row = self._read(
            lambda conn: conn.execute(
                _SELECT + " WHERE a.uuid = ?", (str(athlete_uuid),)
            ).fetchone()
        )
        return None if row is None else AthleteRecord(**row)

    def require_athlete(self, athlete_id: int) -> AthleteRecord:
        record = self.get_athlete(athlete_id)
        if record is None:
            raise UnknownAthleteError(athlete_id)
        return record

    def create_athlete(
        self, fields: dict[str, Any], created_at: float, athlete_uuid: str | None = None
    ) -> AthleteRecord:
        """A new profile; ``athlete_uuid``: the id it has elsewhere (a hub's roster), else a
        new one."""
        values = {key: fields.get(key) for key in ATHLETE_COLUMNS}
        new_uuid = str(athlete_uuid or uuid.uuid4())

        def insert(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                f"INSERT INTO athletes ({', '.join(ATHLETE_COLUMNS)}, created_at, uuid) "
                f"VALUES ({', '.join('?' * len(ATHLETE_COLUMNS))}, ?, ?)",
                (*values.values(), float(created_at), new_uuid),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

        athlete_id = self._write(insert)
        self._roster_changed()
        return self.require_athlete(athlete_id)

    def update_athlete(self, athlete_id: int, changes: dict[str, Any]) -> AthleteRecord:
        """Set the given columns (None clears an optional one)."""
        unknown = set(changes) - set(ATHLETE_COLUMNS)
        if unknown:
            raise ValueError(f"not athlete fields: {sorted(unknown)}")
        self.require_athlete(athlete_id)
        self._update_columns("athletes", athlete_id, changes)
        self._roster_changed()
        return self.require_athlete(athlete_id)

    def update_relaxed_if_newer(
        self, athlete_id: int, relaxed_kg: float, relaxed_at: float
    ) -> bool:
        """Set the relaxed reading unless the athlete's own is as new or newer (a reading taken
        meanwhile on this pad is kept). One statement, so no reading can slip in between the
        comparison and the write; True if it was set."""
        updated = self._write(
            lambda conn: (
                conn.execute(
                    "UPDATE athletes SET relaxed_kg = ?, relaxed_at = ? "
                    "WHERE id = ? AND (relaxed_at IS NULL OR relaxed_at < ?)",
                    (float(relaxed_kg), float(relaxed_at), athlete_id, float(relaxed_at)),
                ).rowcount
            )
        )
        if updated:
            self._roster_changed()
        return bool(updated)

    def delete_athlete(self, athlete_id: int) -> int:
        """Delete the profile; its sessions stay, unassigned (the foreign key sets NULL), and
        an active athlete stops being active. Its uuid is remembered, so that a team hub's
        roster does not bring it back. Returns how many sessions were unassigned."""
        record = self.require_athlete(athlete_id)

        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM athletes WHERE id = ?", (athlete_id,))
            conn.execute("INSERT OR IGNORE INTO athletes_removed (uuid) VALUES (?)", (record.uuid,))

        self._write(delete)
        self._roster_changed()
        return record.session_count

    def removed_athlete_uuids(self) -> set[str]:
        """The uuids of the athletes deleted on this pad."""
        rows = self._read(lambda conn: conn.execute("SELECT uuid FROM athletes_removed").fetchall())
        return {row["uuid"] for row in rows}

    def active_athlete_id(self) -> int | None:
        query = "SELECT athlete_id FROM active_athlete WHERE id = 1"
        row = self._read(lambda conn: conn.execute(query).fetchone())
        return None if row is None else row["athlete_id"]

    def set_active_athlete(self, athlete_id: int | None) -> None:
        if athlete_id is not None:
            self.require_athlete(athlete_id)
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO active_athlete (id, athlete_id) VALUES (1, ?) "
                "ON CONFLICT(id) DO UPDATE SET athlete_id = excluded.athlete_id",
                (athlete_id,),
            )
        )
        self._roster_changed()
