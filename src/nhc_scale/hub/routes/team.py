"""The team table and the team exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from nhc_scale.hub import exports, team_table
from nhc_scale.hub.database import reading
from nhc_scale.hub.models import TeamTable
from nhc_scale.hub.security import LOGGED_IN, LOGIN_NEEDED, Engine

CSV: dict[str, Any] = {"content": {"text/csv": {}}}
JSON_FILE: dict[str, Any] = {"content": {"application/json": {}}}
router = APIRouter(prefix="/api", tags=["team"], dependencies=LOGGED_IN)


@router.get("/team", response_model=TeamTable, responses=LOGIN_NEEDED)
def team(request: Request, db: Engine, archived: bool = False) -> dict:
    """One row per athlete: last session, best minimum last time and its change, trend and
    forecast to zero, force per leg against the published thresholds (a concentric estimate:
    see ``strength.caveat``)."""
    with reading(db) as conn:
        return team_table.team_table(
            conn, include_archived=archived, cache=request.app.state.team_rows
        )


@router.get(
    "/export/reps.csv",
    response_class=Response,
    responses={**LOGIN_NEEDED, 200: CSV},
)
def reps_csv(db: Engine) -> StreamingResponse:
    """Every rep of every session of every athlete, with its strength estimate."""
    return StreamingResponse(
        exports.reps_csv(db),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="nhc-team-reps.csv"'},
    )


@router.get(
    "/export/team.json",
    response_class=Response,
    responses={**LOGIN_NEEDED, 200: JSON_FILE},
)
def team_json(db: Engine) -> StreamingResponse:
    """The roster and every session with its summary and reps, in one JSON document."""
    return StreamingResponse(
        exports.team_json(db),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="nhc-team.json"'},
    )
