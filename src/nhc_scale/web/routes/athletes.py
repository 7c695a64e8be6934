"""Athletes: profiles, the active one, the relaxed reading, progress and exports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from nhc_scale.analysis.progress import VARIATIONS
from nhc_scale.analysis.strength import Anthropometry, StrengthEstimate
from nhc_scale.appliance import athletes as views
from nhc_scale.appliance.core import Appliance, SensorUnavailable
from nhc_scale.appliance.recorder import session_summary
from nhc_scale.appliance.views import iso, session_view
from nhc_scale.store import AthleteRecord
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
from nhc_scale.web.security import ADMIN, UNAUTHORIZED

router = APIRouter(prefix="/api", tags=["athletes"])
NOT_FOUND = {404: {"description": "no such athlete"}}
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


def _athlete(app: Appliance, athlete_id: int) -> AthleteRecord:
    record = app.store.get_athlete(athlete_id)
    if record is None:
        raise HTTPException(404, f"there is no athlete {athlete_id}")
    return record


def _view(app: Appliance, record: AthleteRecord) -> dict[str, Any]:
    return views.athlete_view(record, app.store.active_athlete_id())


def _check_lever(fields: dict[str, Any]) -> None:
    """The same checks as the strength estimate (e.g. the ankle nearer the knee than the
    hands), so a profile saved is a profile that gives estimates."""
    try:
        Anthropometry.from_body(
            fields["body_mass_kg"],
            fields["height_m"],
            knee_to_hands_m=fields.get("knee_to_hands_m"),
            knee_to_ankle_m=fields.get("knee_to_ankle_m"),
        )
    except ValueError as error:
        raise HTTPException(422, f"invalid athlete: {error}") from error
    relaxed = fields.get("relaxed_kg")
    if relaxed is not None and relaxed >= fields["body_mass_kg"]:
        raise HTTPException(
            422,
            f"invalid athlete: a relaxed reading of {relaxed:g} kg is not less than the body "
            f"mass {fields['body_mass_kg']:g} kg (the knees carry part of the body)",
        )


@router.get("/strength")
def strength_info() -> dict:
    """The caveat, the band and the published thresholds every strength number goes with."""
    return views.strength_info()


@router.get("/athletes", response_model=AthleteList)
def list_athletes(app: App) -> dict:
    active = app.store.active_athlete_id()
    return {
        "athletes": [views.athlete_view(a, active) for a in app.store.list_athletes()],
        "active_athlete_id": active,
    }


@router.post(
    "/athletes",
    response_model=Athlete,
    status_code=201,
    responses=UNAUTHORIZED,
    dependencies=ADMIN,
)
def create_athlete(body: AthleteCreate, app: App) -> dict:
    fields = body.model_dump()
    _check_lever(fields)
    with app.lock:
        record = app.store.create_athlete(fields, app.wall_time())
    return _view(app, record)


@router.put(
    "/athletes/active",
    response_model=ActiveAthlete,
    responses={**NOT_FOUND, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def set_active(body: ActiveAthleteRequest, app: App) -> dict:
    """New sessions belong to the active athlete. A session running for someone else ends
    here (its reps are theirs); one still without reps changes hands instead."""
    athlete = None if body.athlete_id is None else _athlete(app, body.athlete_id)
    stopped = reassigned = None
    with app.lock:
        app.store.set_active_athlete(body.athlete_id)
        running = app.recorder.session
        current = None if running is None else app.store.get_session(running.id)
        if current is not None and current.athlete_id != body.athlete_id:
            if current.rep_count == 0:
                app.store.update_session(current.id, athlete_id=body.athlete_id)
                reassigned = current.id
            else:
                app.stop_session(current.id)
                stopped = current.id
    if stopped is not None or reassigned is not None:
        app.hub.publish("status", app.status_event())
    return {
        "active_athlete_id": body.athlete_id,
        "athlete": None if athlete is None else _view(app, app.store.require_athlete(athlete.id)),
        "stopped_session_id": stopped,
        "reassigned_session_id": reassigned,
    }


@router.get("/athletes/{athlete_id}", response_model=Athlete, responses=NOT_FOUND)
def get_athlete(athlete_id: AthleteId, app: App) -> dict:
    return _view(app, _athlete(app, athlete_id))


@router.patch(
    "/athletes/{athlete_id}",
    response_model=Athlete,
    responses={**NOT_FOUND, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def patch_athlete(athlete_id: AthleteId, body: AthletePatch, app: App) -> dict:
    record = _athlete(app, athlete_id)
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "body_mass_kg", "height_m"):
        if required in changes and changes[required] is None:
            raise HTTPException(422, f"invalid athlete: {required} cannot be cleared")
    current = {
        "body_mass_kg": record.body_mass_kg,
        "height_m": record.height_m,
        "knee_to_hands_m": record.knee_to_hands_m,
        "knee_to_ankle_m": record.knee_to_ankle_m,
        "relaxed_kg": record.relaxed_kg,
    }
    _check_lever({**current, **changes})
    if "relaxed_kg" in changes:
        changes["relaxed_at"] = None if changes["relaxed_kg"] is None else app.wall_time()
    with app.lock:
        updated = app.store.update_athlete(athlete_id, changes)
    return _view(app, updated)


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
    sessions stay, with their reps, as unassigned. Sessions are never deleted from here."""
    record = _athlete(app, athlete_id)
    if record.session_count and not unassign:
        raise HTTPException(
            409,
            f"{record.name} has {record.session_count} session"
            f"{'s' if record.session_count != 1 else ''}: delete them first, or delete with "
            "?unassign=true to keep them as unassigned",
        )
    with app.lock:
        app.store.delete_athlete(athlete_id)
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
    record = _athlete(app, athlete_id)
    try:
        t_s, kg = app.recent_force(views.RELAXED_WINDOW_S)
    except SensorUnavailable as error:
        raise HTTPException(503, str(error)) from error
    try:
        level = views.relaxed_level(t_s, kg)
    except views.RelaxedRefused as error:
        raise HTTPException(409, str(error)) from error
    if level["relaxed_kg"] >= record.body_mass_kg:
        raise HTTPException(
            409,
            f"the pad read {level['relaxed_kg']:.1f} kg, not less than {record.name}'s body "
            f"mass ({record.body_mass_kg:g} kg): was someone else on it, or is the body mass "
            "wrong?",
        )
    with app.lock:
        updated = app.store.update_athlete(
            athlete_id, {"relaxed_kg": level["relaxed_kg"], "relaxed_at": app.wall_time()}
        )
    return {"athlete": _view(app, updated), **level}


def _progress(app: Appliance, athlete_id: int, variation: str) -> dict[str, Any]:
    record = _athlete(app, athlete_id)
    return views.athlete_progress(app.store, record, variation, app.wall_time())


@router.get("/athletes/{athlete_id}/progress", response_model=AthleteProgress, responses=NOT_FOUND)
def progress(athlete_id: AthleteId, app: App, variation: Variation = "assisted") -> dict:
    return _progress(app, athlete_id, variation)


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
    data = _progress(app, athlete_id, variation)
    try:
        from nhc_scale import plotting  # matplotlib is an optional extra: only loaded here
    except ImportError:
        plotting = None
    if plotting is None or not plotting.available():
        raise HTTPException(
            501,
            "The progress plot needs matplotlib, which is not installed on the scale: "
            "pip install 'nhc-scale[plot]'. The same numbers are at "
            f"/api/athletes/{athlete_id}/progress.",
        )
    png = plotting.progress_png(data, title=_athlete(app, athlete_id).name)
    return Response(
        png,
        media_type="image/png",
        headers={
            "Content-Disposition": f'inline; filename="nhc-athlete-{athlete_id}-progress.png"'
        },
    )


def _export(app: Appliance, record: AthleteRecord) -> list[dict[str, Any]]:
    """The athlete's sessions, oldest first, each with its reps and their strength."""
    out = []
    for session in reversed(app.store.list_sessions(athlete_id=record.id)):
        reps = views.with_strength(app.store.reps(session.id), record, session.variation)
        out.append(
            {
                "session": session_view(session, app.wall_time()),
                "summary": session_summary(reps),
                "strength_method": _method(record, session.variation),
                "reps": reps,
            }
        )
    return out


def _method(record: AthleteRecord, variation: str) -> str | None:
    if variation != views.STRENGTH_VARIATION:
        return None
    return "relaxed-reference" if record.relaxed_kg is not None else "anthropometric"


@router.get(
    "/athletes/{athlete_id}/export.csv",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
)
def export_csv(athlete_id: AthleteId, app: App) -> Response:
    record = _athlete(app, athlete_id)
    rows: list[Sequence[Any]] = [CSV_COLUMNS]
    for item in _export(app, record):
        session = item["session"]
        for rep in item["reps"]:
            has_strength = "torque_nm" in rep
            row = {
                **rep,
                "athlete": record.name,
                "session_id": session["id"],
                "session_started_at": session["started_at"],
                "session_name": session["name"],
                "variation": session["variation"],
                "strength_method": item["strength_method"] if has_strength else None,
            }
            rows.append([row.get(column) for column in CSV_COLUMNS])
    return download(csv_text(rows), f"nhc-athlete-{athlete_id}.csv")


@router.get(
    "/athletes/{athlete_id}/export.json",
    responses={**NOT_FOUND, 200: {"content": {"application/json": {}}}},
)
def export_json(athlete_id: AthleteId, app: App) -> Response:
    record = _athlete(app, athlete_id)
    document = {
        "athlete": _view(app, record),
        "exported_at": iso(app.wall_time()),
        "strength": views.strength_info(),
        "variations": list(VARIATIONS),
        "sessions": _export(app, record),
    }
    return download(
        json.dumps(document, indent=1), f"nhc-athlete-{athlete_id}.json", "application/json"
    )
