"""Team exports: every rep of every session as CSV, and everything as JSON, streamed session by
session so a club's years of data never sit in memory at once.

CSV cells are made safe the pad's way (web/csv_export.py's ``spreadsheet_safe``: text that
starts like a formula gets a leading apostrophe), and the rows end in CRLF (RFC 4180), which also
makes Python's csv module quote every field holding a CR or an LF: a note typed with a line
break stays one cell, in every spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from nhc_scale.analysis.progress import VARIATIONS
from nhc_scale.analysis.rep import Rep
from nhc_scale.analysis.strength import StrengthEstimate
from nhc_scale.hub import roster, views
from nhc_scale.hub import strength as strength_model
from nhc_scale.hub.database import reading
from nhc_scale.hub.tables import athletes, pads, reps, sessions
from nhc_scale.web.csv_export import spreadsheet_safe

REP_KEYS = ("number", *Rep.__dataclass_fields__)
CSV_COLUMNS = (
    "athlete",
    "athlete_uuid",
    "pad",
    "session_uuid",
    "session_started_at",
    "session_name",
    "variation",
    *REP_KEYS,
    "strength_method",
    *StrengthEstimate.REP_KEYS,
    "extra",  # any other keys the pad's rep carried, as JSON
)
SESSIONS_PER_CHUNK = 200


def csv_line(row: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([spreadsheet_safe(v) for v in row])
    return buffer.getvalue()


def _chunks(engine: sa.Engine) -> Iterator[tuple[list[Any], dict[int, list[dict]], dict, dict]]:
    """(sessions, reps by session id, athletes by id, pad names) a chunk of sessions at a time,
    all from one read transaction, oldest first."""
    with reading(engine) as conn:
        by_id = {row["id"]: row for row in roster.list_athletes(conn)}
        pad_names = {row.id: row.name for row in conn.execute(sa.select(pads.c.id, pads.c.name))}
        rows = list(
            conn.execute(
                sa.select(*views.SESSION_COLUMNS, sessions.c.summary)
                .outerjoin(athletes, athletes.c.id == sessions.c.athlete_id)
                .order_by(athletes.c.name, sessions.c.started_at, sessions.c.id)
            )
        )
        for start in range(0, len(rows), SESSIONS_PER_CHUNK):
            chunk = rows[start : start + SESSIONS_PER_CHUNK]
            by_session: dict[int, list[dict]] = {row.id: [] for row in chunk}
            query = (
                sa.select(reps.c.session_id, reps.c.data)
                .where(reps.c.session_id.in_(list(by_session)))
                .order_by(reps.c.session_id, reps.c.position)
            )
            for rep in conn.execute(query):
                by_session[rep.session_id].append(rep.data)
            yield chunk, by_session, by_id, pad_names


def reps_csv(engine: sa.Engine) -> Iterator[str]:
    yield csv_line(list(CSV_COLUMNS))
    known = set(REP_KEYS) | set(StrengthEstimate.REP_KEYS)
    for chunk, by_session, by_id, pad_names in _chunks(engine):
        for session in chunk:
            athlete = by_id.get(session.athlete_id)
            method = (
                strength_model.method(athlete)
                if athlete is not None and session.variation == strength_model.STRENGTH_VARIATION
                else None
            )
            rep_dicts = strength_model.with_strength(
                by_session[session.id], athlete, session.variation
            )
            for rep in rep_dicts:
                extra = {key: value for key, value in rep.items() if key not in known}
                cells = {
                    **rep,
                    "athlete": None if athlete is None else athlete["name"],
                    "athlete_uuid": None if athlete is None else athlete["uuid"],
                    "pad": pad_names.get(session.pad_id),
                    "session_uuid": session.uuid,
                    "session_started_at": views.iso(session.started_at),
                    "session_name": session.name,
                    "variation": session.variation,
                    "strength_method": method if "torque_nm" in rep else None,
                    "extra": json.dumps(extra, separators=(",", ":")) if extra else None,
                }
                yield csv_line([cells.get(column) for column in CSV_COLUMNS])


def team_json(engine: sa.Engine) -> Iterator[str]:
    """``{"exported_at", "strength", "variations", "sessions": [...]}``, each session with its
    athlete's uuid and name, pad, summary and reps (with strength), in one JSON document."""
    head = {
        "exported_at": views.iso(time.time()),
        "strength": strength_model.strength_info(),
        "variations": list(VARIATIONS),
    }
    yield json.dumps(head)[:-1] + ', "athletes": '
    athletes_written = False
    first = True
    for chunk, by_session, by_id, pad_names in _chunks(engine):
        if not athletes_written:
            yield json.dumps([views.athlete_view(row) for row in by_id.values()])
            yield ', "sessions": ['
            athletes_written = True
        for session in chunk:
            athlete = by_id.get(session.athlete_id)
            view = views.session_view(
                session,
                pad_names,
                None if athlete is None else athlete["uuid"],
                None if athlete is None else athlete["name"],
            )
            item = {
                "session": view,
                "summary": session.summary,
                "reps": strength_model.with_strength(
                    by_session[session.id], athlete, session.variation
                ),
            }
            yield ("" if first else ", ") + json.dumps(item)
            first = False
    if not athletes_written:
        with reading(engine) as conn:
            yield json.dumps([views.athlete_view(row) for row in roster.list_athletes(conn)])
        yield ', "sessions": ['
    yield "]}"
