"""Athletes: profiles, the active one, the relaxed reading, progress and exports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from nhc_scale.analysis.progress import VARIATIONS
from nhc_scale.analysis.strength import StrengthEstimate
from nhc_scale.appliance.strength import strength_info as strength_context
from nhc_scale.appliance.views import iso
from nhc_scale.web.csv_export import REP_COLUMNS, csv_text, download
from nhc_scale.web.deps import App, AthleteId
from nhc_scale.web.models import (
    ActiveAthlete,
    ActiveAthleteRequest,
    Athlete,
    AthleteCreate,
    AthleteList,
    AthletePatch,
    AthleteProgress,
    RelaxedResult,
    Variation,
)
from nhc_scale.web.security import ADMIN, UNAUTHORIZED, Responses

router = APIRouter(prefix="/api", tags=["athletes"])
NOT_FOUND: Responses = {404: {"description": "no such athlete"}}
CSV_COLUMNS = (
    "athlete",
    "session_id",
    "session_started_at",
    "session_name",
    "variation",
    *REP_COLUMNS,
    "strength_method",
    *StrengthEstimate.REP_KEYS,
)


@router.get("/strength")
def strength_info() -> dict:
    """The caveat, the band and the published thresholds every strength number goes with."""
    return strength_context()


@router.get("/athletes", response_model=AthleteList)
def list_athletes(app: App) -> dict:
    return app.athletes.list_all()


@router.post(
    "/athletes",
    response_model=Athlete,
    status_code=201,
    responses=UNAUTHORIZED,
    dependencies=ADMIN,
)
def create_athlete(body: AthleteCreate, app: App) -> Athlete:
    return app.athletes.create(body.model_dump())


@router.put(
    "/athletes/active",
    response_model=ActiveAthlete,
    responses={**NOT_FOUND, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def set_active(body: ActiveAthleteRequest, app: App) -> dict:
    """New sessions belong to the active athlete. A session running for someone else ends
    here (its reps are theirs); one still without reps changes hands instead."""
    return app.athletes.set_active(body.athlete_id)


@router.get("/athletes/{athlete_id}", response_model=Athlete, responses=NOT_FOUND)
def get_athlete(athlete_id: AthleteId, app: App) -> Athlete:
    return app.athletes.get(athlete_id)


@router.patch(
    "/athletes/{athlete_id}",
    response_model=Athlete,
    responses={**NOT_FOUND, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def patch_athlete(athlete_id: AthleteId, body: AthletePatch, app: App) -> Athlete:
    return app.athletes.update(athlete_id, body.model_dump(exclude_unset=True))


@router.delete(
    "/athletes/{athlete_id}",
    status_code=204,
    responses={**NOT_FOUND, 409: {"description": "sessions belong to the athlete"}, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def delete_athlete(
    athlete_id: AthleteId,
    app: App,
    unassign: Annotated[bool, Query(description="keep the sessions, unassigned")] = False,
) -> Response:
    """Refused while sessions belong to the athlete, unless ``?unassign=true``: then the
    sessions stay, with their reps, as unassigned. Sessions are never deleted from here. On a
    pad paired with a team hub, the athlete leaves this pad only: the hub keeps them, and its
    roster does not bring them back here."""
    app.athletes.delete(athlete_id, unassign)
    return Response(status_code=204)


@router.post(
    "/athletes/{athlete_id}/relaxed",
    response_model=RelaxedResult,
    responses={
        **NOT_FOUND,
        409: {"description": "the force moved: no steady 2 s"},
        503: {"description": "the sensor gives no readings"},
        **UNAUTHORIZED,
    },
    dependencies=ADMIN,
)
def record_relaxed(athlete_id: AthleteId, app: App) -> dict:
    """The pad's reading over the newest steady 2 s (or more) becomes the relaxed load."""
    return app.athletes.record_relaxed(athlete_id)


@router.get("/athletes/{athlete_id}/progress", response_model=AthleteProgress, responses=NOT_FOUND)
def progress(athlete_id: AthleteId, app: App, variation: Variation = "assisted") -> dict:
    return app.athletes.progress(athlete_id, variation)


@router.get(
    "/athletes/{athlete_id}/progress.png",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {"content": {"image/png": {}}},
        501: {"description": "matplotlib (the `plot` extra) is not installed"},
    },
)
def progress_png(athlete_id: AthleteId, app: App, variation: Variation = "assisted") -> Response:
    data = app.athletes.progress(athlete_id, variation)
    try:
        from nhc_scale import plotting  # matplotlib is an optional extra: only loaded here
    except ImportError:
        plotting = None  # type: ignore[assignment]
    if plotting is None or not plotting.available():
        raise HTTPException(
            501,
            "The progress plot needs matplotlib, which is not installed on the scale: "
            "pip install 'nhc-scale[plot]'. The same numbers are at "
            f"/api/athletes/{athlete_id}/progress.",
        )
    png = plotting.progress_png(data, title=app.athletes.record(athlete_id).name)
    return Response(
        png,
        media_type="image/png",
        headers={
            "Content-Disposition": f'inline; filename="nhc-athlete-{athlete_id}-progress.png"'
        },
    )


@router.get(
    "/athletes/{athlete_id}/export.csv",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
)
def export_csv(athlete_id: AthleteId, app: App) -> Response:
    record, sessions = app.athletes.export(athlete_id)
    rows: list[Sequence[Any]] = [CSV_COLUMNS]
    for item in sessions:
        session = item["session"]
        for rep in item["reps"]:
            row = {
                **rep,
                "athlete": record.name,
                "session_id": session.id,
                "session_started_at": session.started_at,
                "session_name": session.name,
                "variation": session.variation,
                "strength_method": item["strength_method"] if "torque_nm" in rep else None,
            }
            rows.append([row.get(column) for column in CSV_COLUMNS])
    return download(csv_text(rows), f"nhc-athlete-{athlete_id}.csv")


@router.get(
    "/athletes/{athlete_id}/export.json",
    responses={**NOT_FOUND, 200: {"content": {"application/json": {}}}},
)
def export_json(athlete_id: AthleteId, app: App) -> Response:
    record, sessions = app.athletes.export(athlete_id)
    document = {
        "athlete": app.athletes.view(record).model_dump(),
        "exported_at": iso(app.wall_time()),
        "strength": strength_context(),
        "variations": list(VARIATIONS),
        "sessions": [{**item, "session": item["session"].model_dump()} for item in sessions],
    }
    return download(
        json.dumps(document, indent=1), f"nhc-athlete-{athlete_id}.json", "application/json"
    )
