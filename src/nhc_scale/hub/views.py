"""What the hub's page and API show, as plain dicts: athletes, sessions with their reps, an
athlete's progress across every pad. (The team table is team_table.py, a session's trace
trace.py.)

The trend and forecast are analysis/progress.py's (Theil-Sen over the best minimum per
session, as on the pad); strength is analysis/strength.py's through hub/strength.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from nhc_scale.analysis import progress as progress_model
from nhc_scale.hub import roster
from nhc_scale.hub import strength as strength_model
from nhc_scale.hub.tables import athletes, pads, reps, session_samples, sessions

SET_GAP_S = 45.0  # as analysis.rep.summarize: a rest longer than this starts a new set
SESSION_COLUMNS = (
    sessions.c.id,
    sessions.c.uuid,
    sessions.c.pad_id,
    sessions.c.pad_session_id,
    sessions.c.athlete_id,
    sessions.c.name,
    sessions.c.notes,
    sessions.c.started_at,
    sessions.c.ended_at,
    sessions.c.clock_synced,
    sessions.c.variation,
    sessions.c.rep_count,
    sessions.c.best_min_kg,
    sessions.c.median_min_kg,
    sessions.c.received_at,
)


def iso(unix_s: float | None) -> str | None:
    if unix_s is None:
        return None
    return datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds")


def athlete_view(row: dict[str, Any], session_count: int | None = None) -> dict[str, Any]:
    anthro = strength_model.anthropometry(row)
    view = {
        **roster.as_profile(row),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "relaxed_at": iso(row["relaxed_at"]),
        "lever": {
            "knee_to_hands_m": round(anthro.knee_to_hands_m, 3),
            "knee_to_ankle_m": round(anthro.knee_to_ankle_m, 3),
            "hands_measured": anthro.hands_measured,
            "ankle_measured": anthro.ankle_measured,
            "predicted_relaxed_kg": round(anthro.predicted_relaxed_kg, 1),
        },
    }
    if session_count is not None:
        view["session_count"] = session_count
    return view


def pad_names(conn: sa.Connection) -> dict[int, str]:
    return {row.id: row.name for row in conn.execute(sa.select(pads.c.id, pads.c.name))}


def session_view(
    row: Any, names: dict[int, str], athlete_uuid: str | None, athlete_name: str | None
) -> dict[str, Any]:
    return {
        "uuid": row.uuid,
        "pad_id": row.pad_id,
        "pad_name": names.get(row.pad_id),
        "pad_session_id": row.pad_session_id,
        "athlete_uuid": athlete_uuid,
        "athlete_name": athlete_name,
        "name": row.name,
        "notes": row.notes,
        "started_at": iso(row.started_at),
        "ended_at": iso(row.ended_at),
        "duration_s": round(row.ended_at - row.started_at, 1),
        "clock_synced": bool(row.clock_synced),
        "variation": row.variation,
        "rep_count": row.rep_count,
        "best_min_kg": row.best_min_kg,
        "median_min_kg": row.median_min_kg,
        "received_at": iso(row.received_at),
    }


def set_count(rep_dicts: list[dict[str, Any]]) -> int:
    """Sets in a session by the pad's rule (analysis.rep.summarize)."""
    ordered = sorted(rep_dicts, key=lambda rep: rep["start_s"])
    count, last_end = 0, None
    for rep in ordered:
        if last_end is None or rep["start_s"] - last_end > SET_GAP_S:
            count += 1
        last_end = rep["end_s"]
    return count


def athlete_progress(
    conn: sa.Connection, athlete: dict[str, Any], variation: str, now: float
) -> dict[str, Any]:
    """The pad's Progress (docs/api.md) over the sessions of every pad, each point with its pad."""
    names = pad_names(conn)
    history = list(
        conn.execute(
            sa.select(*SESSION_COLUMNS)
            .where(sessions.c.athlete_id == athlete["id"])
            .order_by(sessions.c.started_at, sessions.c.id)
        )
    )
    rep_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rep in conn.execute(
        sa.select(reps.c.session_id, reps.c.data)
        .join(sessions, sessions.c.id == reps.c.session_id)
        .where(sessions.c.athlete_id == athlete["id"])
    ):
        rep_rows[rep.session_id].append(rep.data)
    counts: dict[str, int] = defaultdict(int)
    log: list[tuple[float, int]] = []
    points = []
    for row in history:
        counts[row.variation] += 1
        sets = set_count(rep_rows.get(row.id, []))
        if row.rep_count:
            log.append((row.started_at, sets))
        if row.variation != variation or row.best_min_kg is None:
            continue
        point = {
            "session_uuid": row.uuid,
            "started_at": iso(row.started_at),
            "pad_name": names.get(row.pad_id),
            "best_min_kg": row.best_min_kg,
            "rep_count": row.rep_count,
            "set_count": sets,
        }
        if variation == strength_model.STRENGTH_VARIATION and row.best_min_kg > 0:
            best = strength_model.for_minimum(athlete, row.best_min_kg)
            point["ankle_force_per_leg_n"] = best["ankle_force_per_leg_n"]
            point["torque_nm"] = best["torque_nm"]
        points.append(point)
    plotted = [row for row in history if row.variation == variation and row.best_min_kg is not None]
    fit = progress_model.progress(
        [row.started_at for row in plotted], [row.best_min_kg for row in plotted]
    )
    return {
        "athlete": athlete_view(athlete, len(history)),
        "variation": variation,
        "points": points,
        "trend": fit["trend"],
        "forecast": fit["forecast"],
        "variations": [
            {
                "id": key,
                "label": progress_model.VARIATION_LABELS[key],
                "session_count": counts.get(key, 0),
            }
            for key in progress_model.VARIATIONS
        ],
        "training_notes": progress_model.training_notes(log, now),
        "advice": f"{progress_model.ADVICE_SETS}, {progress_model.ADVICE_FREQUENCY}",
        "strength": strength_model.strength_info(),
    }


def _athlete_of(conn: sa.Connection, athlete_id: int | None) -> dict[str, Any] | None:
    if athlete_id is None:
        return None
    row = conn.execute(sa.select(*roster.COLUMNS).where(athletes.c.id == athlete_id)).first()
    return None if row is None else dict(row._mapping)


def session_row(conn: sa.Connection, session_uuid: str) -> Any:
    return conn.execute(sa.select(*SESSION_COLUMNS).where(sessions.c.uuid == session_uuid)).first()


def session_reps(conn: sa.Connection, session_id: int) -> list[dict[str, Any]]:
    query = sa.select(reps.c.data).where(reps.c.session_id == session_id).order_by(reps.c.position)
    return [row.data for row in conn.execute(query)]


def session_detail(conn: sa.Connection, row: Any) -> dict[str, Any]:
    athlete = _athlete_of(conn, row.athlete_id)
    summary = conn.execute(sa.select(sessions.c.summary).where(sessions.c.id == row.id)).scalar()
    has_samples = conn.execute(
        sa.select(session_samples.c.n).where(session_samples.c.session_id == row.id)
    ).scalar()
    rep_dicts = strength_model.with_strength(session_reps(conn, row.id), athlete, row.variation)
    return {
        "session": session_view(
            row,
            pad_names(conn),
            None if athlete is None else athlete["uuid"],
            None if athlete is None else athlete["name"],
        ),
        "reps": rep_dicts,
        "summary": summary,
        "samples": int(has_samples or 0),
        "strength_method": None
        if athlete is None or row.variation != strength_model.STRENGTH_VARIATION
        else strength_model.method(athlete),
    }


def list_sessions(
    conn: sa.Connection,
    *,
    athlete_id: int | None = None,
    pad_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Sessions, newest first, with their pad's and athlete's names."""
    query = (
        sa.select(
            *SESSION_COLUMNS,
            athletes.c.uuid.label("athlete_uuid"),
            athletes.c.name.label("athlete_name"),
        )
        .outerjoin(athletes, athletes.c.id == sessions.c.athlete_id)
        .order_by(sessions.c.started_at.desc(), sessions.c.id.desc())
    )
    if athlete_id is not None:
        query = query.where(sessions.c.athlete_id == athlete_id)
    if pad_id is not None:
        query = query.where(sessions.c.pad_id == pad_id)
    if limit is not None:
        query = query.limit(limit)
    names = pad_names(conn)
    return [
        session_view(row, names, row.athlete_uuid, row.athlete_name) for row in conn.execute(query)
    ]
