"""Sessions: list, start, stop, read, rename, delete, and their exports."""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.responses import StreamingResponse

from nhc_scale.appliance import timebase
from nhc_scale.appliance.athletes import session_reps_with_strength, strength_block
from nhc_scale.appliance.core import Appliance, SessionConflict
from nhc_scale.appliance.recorder import session_summary
from nhc_scale.appliance.views import gap_view, iso, session_view
from nhc_scale.store import SessionRecord
from nhc_scale.web.csv_export import REP_COLUMNS, csv_text, download
from nhc_scale.web.deps import App, SessionId
from nhc_scale.web.models import (
    Progress,
    Session,
    SessionCreate,
    SessionDetail,
    SessionList,
    SessionPatch,
    Trace,
)
from nhc_scale.web.security import ADMIN, UNAUTHORIZED

router = APIRouter(prefix="/api", tags=["sessions"])
NOT_FOUND = {404: {"description": "no such session"}}
CONFLICT = {409: {"description": "the session's state does not allow it"}, **UNAUTHORIZED}
CSV_ROWS_PER_CHUNK = 20_000


def _record(app: Appliance, session_id: int) -> SessionRecord:
    record = app.store.get_session(session_id)
    if record is None:
        raise HTTPException(404, f"there is no session {session_id}")
    return record


@router.get("/sessions", response_model=SessionList)
def list_sessions(app: App) -> dict:
    return {
        "sessions": [session_view(record, app.wall_time()) for record in app.store.list_sessions()]
    }


@router.post(
    "/sessions", response_model=Session, status_code=201, responses=CONFLICT, dependencies=ADMIN
)
def start_session(app: App, body: SessionCreate | None = None) -> dict:
    try:
        record = app.start_session(body.name if body else None)
    except SessionConflict as error:
        raise HTTPException(409, str(error)) from error
    return session_view(record, app.wall_time())


@router.post(
    "/sessions/{session_id}/stop",
    response_model=Session,
    responses={**NOT_FOUND, **CONFLICT},
    dependencies=ADMIN,
)
def stop_session(session_id: SessionId, app: App) -> dict:
    _record(app, session_id)
    try:
        app.stop_session(session_id)
    except SessionConflict as error:
        raise HTTPException(409, str(error)) from error
    return session_view(_record(app, session_id), app.wall_time())


@router.get("/sessions/{session_id}", response_model=SessionDetail, responses=NOT_FOUND)
def get_session(session_id: SessionId, app: App) -> dict:
    record = _record(app, session_id)
    reps, athlete = session_reps_with_strength(app.store, record)
    return {
        "session": session_view(record, app.wall_time()),
        "reps": reps,
        "summary": session_summary(reps),
        "gaps": [gap_view(gap, record.start_ns) for gap in app.store.gaps(session_id)],
        "strength": strength_block(athlete, record),
    }


@router.patch(
    "/sessions/{session_id}",
    response_model=Session,
    responses={**NOT_FOUND, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def patch_session(session_id: SessionId, body: SessionPatch, app: App) -> dict:
    _record(app, session_id)
    changes = {
        key: value
        for key, value in body.model_dump(exclude_unset=True).items()
        if value is not None or key in ("name", "athlete_id")
    }
    athlete_id = changes.get("athlete_id")
    if athlete_id is not None and app.store.get_athlete(athlete_id) is None:
        raise HTTPException(422, f"invalid request: there is no athlete {athlete_id}")
    with app.lock:
        record = app.store.update_session(session_id, **changes)
    return session_view(record, app.wall_time())


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses={**NOT_FOUND, **CONFLICT},
    dependencies=ADMIN,
)
def delete_session(session_id: SessionId, app: App) -> Response:
    _record(app, session_id)
    try:
        app.delete_session(session_id)
    except SessionConflict as error:
        raise HTTPException(409, str(error)) from error
    return Response(status_code=204)


def _session_arrays(app: Appliance, record: SessionRecord) -> tuple[np.ndarray, ...]:
    with app.lock:
        arrays = app.store.samples(record.id)
    t_s = timebase.session_seconds(arrays.t_ns, record.start_ns)
    return t_s, arrays.force_kg, arrays.counts


@router.get(
    "/sessions/{session_id}/samples.csv",
    response_class=StreamingResponse,
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
)
def samples_csv(session_id: SessionId, app: App) -> StreamingResponse:
    record = _record(app, session_id)
    t_s, kg, counts = _session_arrays(app, record)

    def rows() -> Any:
        yield "t_s,force_kg,counts\n"
        for start in range(0, len(t_s), CSV_ROWS_PER_CHUNK):
            end = start + CSV_ROWS_PER_CHUNK
            yield "".join(timebase.csv_lines(t_s[start:end], kg[start:end], counts[start:end]))

    return download(rows(), f"nhc-session-{session_id}-samples.csv")


@router.get(
    "/sessions/{session_id}/reps.csv",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
)
def reps_csv(session_id: SessionId, app: App) -> Response:
    _record(app, session_id)
    reps = app.store.reps(session_id)
    rows = [REP_COLUMNS, *([rep.get(column) for column in REP_COLUMNS] for rep in reps)]
    return download(csv_text(rows), f"nhc-session-{session_id}-reps.csv")


@router.get("/sessions/{session_id}/trace", response_model=Trace, responses=NOT_FOUND)
def trace(
    session_id: SessionId, app: App, max_points: Annotated[int, Query(ge=10, le=20_000)] = 2000
) -> dict:
    record = _record(app, session_id)
    t_s, kg, _counts = _session_arrays(app, record)
    t_out, kg_out = min_max_decimate(t_s, kg, max_points)
    return {"t_s": t_out.tolist(), "force_kg": kg_out.tolist(), "reps": app.store.reps(session_id)}


def min_max_decimate(t: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, ...]:
    """At most ``max_points`` points that keep every bucket's lowest and highest value, so a
    short dip (a minimum) survives the thinning that a plain stride would lose."""
    if len(t) <= max_points:
        return t, y
    buckets = max_points // 2
    edges = np.linspace(0, len(t), buckets + 1).astype(int)
    index = []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        segment = y[lo:hi]
        pair = sorted((lo + int(np.argmin(segment)), lo + int(np.argmax(segment))))
        index.extend(dict.fromkeys(pair))
    chosen = np.asarray(index)
    return t[chosen], y[chosen]


@router.get("/progress", response_model=Progress)
def progress(app: App) -> dict:
    points = app.store.progress()
    return {"points": [{**point, "started_at": iso(point["started_at"])} for point in points]}
