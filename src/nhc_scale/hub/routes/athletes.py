"""The roster at the hub: athletes, their profiles (which win on every pad) and progress."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException

from nhc_scale.analysis.strength import Anthropometry
from nhc_scale.hub import roster, views
from nhc_scale.hub.database import reading
from nhc_scale.hub.models import (
    Athlete,
    AthleteCreate,
    AthleteList,
    AthletePatch,
    AthleteProgress,
    SessionList,
)
from nhc_scale.hub.security import LOGGED_IN, LOGIN_NEEDED, Engine, Responses
from nhc_scale.hub.tables import sessions
from nhc_scale.sync.protocol import Variation

router = APIRouter(prefix="/api", tags=["athletes"], dependencies=LOGGED_IN)
NOT_FOUND: Responses = {404: {"description": "no such athlete"}}


def _check_lever(fields: dict[str, Any]) -> None:
    try:
        Anthropometry.from_body(
            fields["body_mass_kg"],
            fields["height_m"],
            knee_to_hands_m=fields.get("knee_to_hands_m"),
            knee_to_ankle_m=fields.get("knee_to_ankle_m"),
        )
    except ValueError as error:
        raise HTTPException(422, f"invalid athlete: {error}") from None
    relaxed = fields.get("relaxed_kg")
    if relaxed is not None and relaxed >= fields["body_mass_kg"]:
        raise HTTPException(
            422,
            f"invalid athlete: the relaxed reading {relaxed:g} kg is not less than the body "
            f"mass {fields['body_mass_kg']:g} kg",
        )


def _counts(conn: sa.Connection) -> dict[int, int]:
    query = sa.select(sessions.c.athlete_id, sa.func.count()).group_by(sessions.c.athlete_id)
    return {row[0]: int(row[1]) for row in conn.execute(query) if row[0] is not None}


def _athlete(conn: sa.Connection, athlete_uuid: UUID) -> dict[str, Any]:
    row = roster.get_athlete(conn, str(athlete_uuid))
    if row is None:
        raise HTTPException(404, f"there is no athlete {athlete_uuid}")
    return row


@router.get("/athletes", response_model=AthleteList, responses=LOGIN_NEEDED)
def list_athletes(db: Engine) -> dict:
    """The roster, by name, archived athletes included."""
    with reading(db) as conn:
        counts = _counts(conn)
        rows = roster.list_athletes(conn)
    return {"athletes": [views.athlete_view(row, counts.get(row["id"], 0)) for row in rows]}


@router.post("/athletes", response_model=Athlete, status_code=201, responses=LOGIN_NEEDED)
def create_athlete(body: AthleteCreate, db: Engine) -> dict:
    """An athlete created at the hub: every pad gets them at its next roster exchange."""
    fields = body.model_dump()
    fields["name"] = fields["name"].strip()
    if not fields["name"]:
        raise HTTPException(422, "invalid athlete: the name is empty")
    _check_lever(fields)
    return views.athlete_view(roster.create(db, fields, time.time()), 0)


@router.get(
    "/athletes/{athlete_uuid}", response_model=Athlete, responses={**LOGIN_NEEDED, **NOT_FOUND}
)
def get_athlete(athlete_uuid: UUID, db: Engine) -> dict:
    with reading(db) as conn:
        row = _athlete(conn, athlete_uuid)
        return views.athlete_view(row, _counts(conn).get(row["id"], 0))


@router.patch(
    "/athletes/{athlete_uuid}", response_model=Athlete, responses={**LOGIN_NEEDED, **NOT_FOUND}
)
def patch_athlete(athlete_uuid: UUID, body: AthletePatch, db: Engine) -> dict:
    """Change the profile; the hub's profile wins on every pad (docs/hub.md#conflicts)."""
    with reading(db) as conn:
        current = _athlete(conn, athlete_uuid)
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "body_mass_kg", "height_m", "archived"):
        if required in changes and changes[required] is None:
            raise HTTPException(422, f"invalid athlete: {required} cannot be cleared")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise HTTPException(422, "invalid athlete: the name is empty")
    _check_lever({**current, **changes})
    updated = roster.update(db, str(athlete_uuid), changes, time.time())
    if updated is None:
        raise HTTPException(404, f"there is no athlete {athlete_uuid}")
    with reading(db) as conn:
        return views.athlete_view(updated, _counts(conn).get(updated["id"], 0))


@router.get(
    "/athletes/{athlete_uuid}/progress",
    response_model=AthleteProgress,
    responses={**LOGIN_NEEDED, **NOT_FOUND},
)
def progress(athlete_uuid: UUID, db: Engine, variation: Variation = "assisted") -> dict:
    """Best minimum per session from every pad, trend and forecast (the pad's Progress)."""
    with reading(db) as conn:
        return views.athlete_progress(conn, _athlete(conn, athlete_uuid), variation, time.time())


@router.get(
    "/athletes/{athlete_uuid}/sessions",
    response_model=SessionList,
    responses={**LOGIN_NEEDED, **NOT_FOUND},
)
def athlete_sessions(athlete_uuid: UUID, db: Engine) -> dict:
    """The athlete's sessions from every pad, newest first."""
    with reading(db) as conn:
        athlete = _athlete(conn, athlete_uuid)
        return {"sessions": views.list_sessions(conn, athlete_id=athlete["id"])}
