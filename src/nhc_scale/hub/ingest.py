"""Storing a pad's batch of sessions: once each, all of it or none of it.

A batch is one write transaction: its athletes (the conflict rule of roster.py), its sessions
(``INSERT ... ON CONFLICT DO NOTHING`` on the session's uuid), the reps and samples of the
sessions that were new. The hub answers only after the commit, so every session it
acknowledges is on disk; a hub killed before the commit stored none of the batch and the pad
sends it again; one killed after the commit but before answering gets the same batch again and
finds every session already there. Either way: no session lost, none stored twice.

A session's rep count and minima are computed here from its reps (the pad's summary is kept as
sent, but the team table relies on numbers the hub derived itself).
"""

from __future__ import annotations

import base64
import statistics
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from nhc_scale.hub import roster
from nhc_scale.hub.database import insert_new, writing
from nhc_scale.hub.tables import pads, reps, session_samples, sessions
from nhc_scale.sync.protocol import SessionPayload
from nhc_scale.sync.samples import SamplesError, decode_samples

KG_DECIMALS = 3  # as the pad's store and detector


class BatchRefused(ValueError):
    """A session of the batch cannot be stored as sent (e.g. its samples do not decode)."""


@dataclass(frozen=True)
class PushResult:
    acknowledged: list[str]
    stored: int
    duplicates: int


def _minima(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(min(values), KG_DECIMALS), round(float(statistics.median(values)), KG_DECIMALS)


def _check_samples(session: SessionPayload) -> None:
    if session.samples is None:
        return
    try:
        decode_samples(session.samples)
    except SamplesError as error:
        raise BatchRefused(f"session {session.uuid}: samples: {error}") from None


def push(engine: sa.Engine, pad_id: int, batch: list[SessionPayload], now: float) -> PushResult:
    """Store the batch's new sessions; every session of the batch is acknowledged."""
    unique: dict[str, SessionPayload] = {}
    for session in batch:
        unique.setdefault(str(session.uuid), session)
    for session in unique.values():
        _check_samples(session)  # before the transaction: decoding is the slow part
    with writing(engine) as conn:
        athlete_ids = roster.merge_from_pad(
            conn,
            [s.athlete for s in unique.values() if s.athlete is not None],
            pad_id,
            now,
        )
        rows = [_session_row(session, pad_id, athlete_ids, now) for session in unique.values()]
        inserted = conn.execute(
            insert_new(conn, sessions).returning(sessions.c.id, sessions.c.uuid), rows
        )
        new_ids = {row.uuid: int(row.id) for row in inserted}
        rep_rows: list[dict[str, Any]] = []
        sample_rows: list[dict[str, Any]] = []
        for key, session_id in new_ids.items():
            session = unique[key]
            for position, rep in enumerate(session.reps):
                data = rep.model_dump(mode="json")
                rep_rows.append(
                    {
                        "session_id": session_id,
                        "position": position,
                        "min_assistance_kg": rep.min_assistance_kg,
                        "unassisted": rep.unassisted,
                        "data": data,
                    }
                )
            if session.samples is not None:
                sample_rows.append(
                    {
                        "session_id": session_id,
                        "encoding": session.samples.encoding,
                        "n": session.samples.n,
                        "t_us": base64.b64decode(session.samples.t_us),
                        "force_dg": base64.b64decode(session.samples.force_dg),
                    }
                )
        if rep_rows:
            conn.execute(reps.insert(), rep_rows)
        if sample_rows:
            conn.execute(session_samples.insert(), sample_rows)
        conn.execute(pads.update().where(pads.c.id == pad_id).values(last_sync_at=now))
    return PushResult(
        acknowledged=[str(session.uuid) for session in batch],
        stored=len(new_ids),
        duplicates=len(unique) - len(new_ids),
    )


def _session_row(
    session: SessionPayload, pad_id: int, athlete_ids: dict[str, int], now: float
) -> dict[str, Any]:
    best, median = _minima([rep.min_assistance_kg for rep in session.reps])
    return {
        "uuid": str(session.uuid),
        "pad_id": pad_id,
        "pad_session_id": session.pad_session_id,
        "athlete_id": None if session.athlete is None else athlete_ids[str(session.athlete.uuid)],
        "name": session.name,
        "notes": session.notes,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "clock_synced": session.clock_synced,
        "variation": session.variation,
        "rep_count": len(session.reps),
        "best_min_kg": best,
        "median_min_kg": median,
        "summary": session.summary,
        "received_at": now,
    }
