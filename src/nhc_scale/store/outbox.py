"""The outbox in the store: finished sessions a team hub has not acknowledged (docs/hub.md).

A mixin of :class:`~nhc_scale.store.store.Store`, like the athletes, so it shares the one
connection and lock. A session is queued in the transaction that finishes it (store.py); the
sync worker (appliance/sync_store.py) takes them out as the hub acknowledges or refuses them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from nhc_scale.store.records import SessionRecord

# True when the statement's :hub is None, or is the hub the outbox answers to, or no hub has
# been named yet.
_ANSWERS_TO = (
    "(:hub IS NULL OR coalesce((SELECT hub_url FROM outbox_hub WHERE id = 1), :hub) = :hub)"
)


class OutboxMixin:
    """Needs the Store's ``_read``, ``_write`` and ``_records``."""

    _read: Callable[..., Any]
    _write: Callable[..., Any]
    _records: Callable[[sqlite3.Connection, list[sqlite3.Row]], list[SessionRecord]]

    def outbox(self, limit: int) -> list[SessionRecord]:
        """Up to ``limit`` queued sessions the hub has not refused, oldest first."""

        def fetch(conn: sqlite3.Connection) -> list[SessionRecord]:
            rows = conn.execute(
                "SELECT s.* FROM outbox o JOIN sessions s ON s.id = o.session_id "
                "WHERE o.rejected_reason IS NULL ORDER BY o.queued_at, o.session_id LIMIT ?",
                (int(limit),),
            ).fetchall()
            by_id = {record.id: record for record in self._records(conn, rows)}
            return [by_id[row["id"]] for row in rows]

        return self._read(fetch)

    def outbox_counts(self) -> dict[str, int]:
        """``queued`` (waiting to be sent) and ``rejected`` (refused by the hub, kept)."""
        row = self._read(
            lambda conn: conn.execute(
                "SELECT count(*) - count(rejected_reason) AS queued, "
                "count(rejected_reason) AS rejected FROM outbox"
            ).fetchone()
        )
        return {"queued": row["queued"], "rejected": row["rejected"]}

    def outbox_rejected(self, limit: int) -> list[tuple[int, str]]:
        """The newest sessions the hub refused, as (session id, the hub's sentence)."""
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT session_id, rejected_reason FROM outbox WHERE rejected_reason IS NOT NULL "
                "ORDER BY queued_at DESC, session_id DESC LIMIT ?",
                (int(limit),),
            ).fetchall()
        )
        return [(row["session_id"], row["rejected_reason"]) for row in rows]

    def outbox_follow_hub(self, hub_url: str) -> int:
        """The outbox now answers to the hub at ``hub_url``. If it answered to another hub,
        every finished session is queued for this one, including those the other refused (a
        hub stores a session it already has once, so nothing is doubled). Returns how many
        sessions were queued again. A database that never named its hub names this one."""

        def follow(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT hub_url FROM outbox_hub WHERE id = 1").fetchone()
            conn.execute(
                "INSERT INTO outbox_hub (id, hub_url) VALUES (1, ?) "
                "ON CONFLICT(id) DO UPDATE SET hub_url = excluded.hub_url",
                (hub_url,),
            )
            if row is None or row["hub_url"] == hub_url:
                return 0
            refused = conn.execute(
                "UPDATE outbox SET rejected_reason = NULL WHERE rejected_reason IS NOT NULL"
            ).rowcount
            acknowledged = conn.execute(
                "INSERT OR IGNORE INTO outbox (session_id, queued_at) "
                "SELECT id, ended_at FROM sessions WHERE ended_at IS NOT NULL"
            ).rowcount
            return refused + acknowledged

        return self._write(follow)

    def mark_synced(self, session_uuids: Sequence[str], hub_url: str | None = None) -> None:
        """The hub has these sessions: out of the outbox (unknown uuids are ignored). With
        ``hub_url``, only while the outbox answers to that hub: an answer from a hub the pad
        has just left does not take sessions away from the new one."""
        self._write(
            lambda conn: conn.executemany(
                "DELETE FROM outbox WHERE session_id IN "
                f"(SELECT id FROM sessions WHERE uuid = :uuid) AND {_ANSWERS_TO}",
                [{"uuid": str(value), "hub": hub_url} for value in session_uuids],
            )
        )

    def mark_sync_rejected(
        self, session_uuid: str, reason: str, hub_url: str | None = None
    ) -> None:
        """This session was refused (by the hub at ``hub_url``, as for :meth:`mark_synced`, or
        by the pad itself): it stays, with the sentence, and is not resent."""
        self._write(
            lambda conn: conn.execute(
                "UPDATE outbox SET rejected_reason = :reason WHERE session_id = "
                f"(SELECT id FROM sessions WHERE uuid = :uuid) AND {_ANSWERS_TO}",
                {"reason": str(reason), "uuid": str(session_uuid), "hub": hub_url},
            )
        )
