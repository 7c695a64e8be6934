"""Sessions as the pads sent them: recent ones, one with its reps, its trace."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query

from nhc_scale.hub import trace as trace_model
from nhc_scale.hub import views
from nhc_scale.hub.database import reading
from nhc_scale.hub.models import SessionDetail, SessionList, Trace
from nhc_scale.hub.security import LOGGED_IN, LOGIN_NEEDED, Engine, Responses

router = APIRouter(prefix="/api", tags=["sessions"], dependencies=LOGGED_IN)
NOT_FOUND: Responses = {404: {"description": "no such session"}}


def _session(conn: sa.Connection, session_uuid: UUID) -> Any:
    row = views.session_row(conn, str(session_uuid))
    if row is None:
        raise HTTPException(404, f"there is no session {session_uuid}")
    return row


@router.get("/sessions", response_model=SessionList, responses=LOGIN_NEEDED)
def recent_sessions(
    db: Engine,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    pad_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> dict:
    """The newest sessions from every pad (or one), newest first."""
    with reading(db) as conn:
        return {"sessions": views.list_sessions(conn, pad_id=pad_id, limit=limit)}


@router.get(
    "/sessions/{session_uuid}",
    response_model=SessionDetail,
    responses={**LOGIN_NEEDED, **NOT_FOUND},
)
def session_detail(session_uuid: UUID, db: Engine) -> dict:
    """The session, its reps (with the strength estimate for assisted reps) and summary."""
    with reading(db) as conn:
        return views.session_detail(conn, _session(conn, session_uuid))


@router.get(
    "/sessions/{session_uuid}/trace", response_model=Trace, responses={**LOGIN_NEEDED, **NOT_FOUND}
)
def trace(
    session_uuid: UUID,
    db: Engine,
    max_points: Annotated[int, Query(ge=10, le=20_000)] = 2000,
) -> dict:
    """The force over the session, min/max-decimated for a chart (empty if the pad sent no
    samples), with the reps."""
    with reading(db) as conn:
        return trace_model.session_trace(conn, _session(conn, session_uuid), max_points)
