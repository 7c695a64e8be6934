"""Sessions as the API and the live stream show them (plain dicts, no web framework)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from nhc_scale.store import SessionRecord, Store


def iso(unix_s: float | None) -> str | None:
    if unix_s is None:
        return None
    return datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds")


def session_view(record: SessionRecord, now: float | None = None) -> dict[str, Any]:
    """``now``: the appliance's wall time (corrected by a phone when unsynchronised)."""
    ended = record.ended_at if record.ended_at is not None else (now or time.time())
    return {
        "id": record.id,
        "name": record.name,
        "notes": record.notes,
        "started_at": iso(record.started_at),
        "ended_at": iso(record.ended_at),
        "active": record.ended_at is None,
        "duration_s": round(max(0.0, ended - record.started_at), 1),
        "rep_count": record.rep_count,
        "best_min_kg": record.best_min_kg,
        "median_min_kg": record.median_min_kg,
        "clock_synced": record.clock_synced,
        "athlete_id": record.athlete_id,
        "variation": record.variation,
    }


def gap_view(gap: dict[str, Any], start_ns: int) -> dict[str, Any]:
    """A hole in a session's recording, on the session's time base like its reps."""
    start_s = round((gap["start_ns"] - start_ns) * 1e-9, 6)
    end_s = round((gap["end_ns"] - start_ns) * 1e-9, 6)
    return {
        "start_s": start_s,
        "end_s": end_s,
        "duration_s": round(end_s - start_s, 6),
        "reason": gap["reason"],
        "start_ns": gap["start_ns"],
        "end_ns": gap["end_ns"],
    }


def session_view_by_id(
    store: Store, session_id: int, now: float | None = None
) -> dict[str, Any] | None:
    record = store.get_session(session_id)
    return None if record is None else session_view(record, now)
