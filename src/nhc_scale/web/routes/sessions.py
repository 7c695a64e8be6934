"""Sessions: list, start, stop, read, rename, delete, and their exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from nhc_scale.appliance import timebase
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
from nhc_scale.web.security import ADMIN, UNAUTHORIZED, Responses

router = APIRouter(prefix="/api", tags=["sessions"])
NOT_FOUND: Responses = {404: {"description": "no such session"}}
CONFLICT: Responses = {
    409: {"description": "the session's state does not allow it"},
    **UNAUTHORIZED,
}
CSV_ROWS_PER_CHUNK = 20_000


@router.get("/sessions", response_model=SessionList)
def list_sessions(app: App) -> dict:
    return {"sessions": app.sessions.list_all()}


@router.post(
    "/sessions", response_model=Session, status_code=201, responses=CONFLICT, dependencies=ADMIN
)
def start_session(app: App, body: SessionCreate | None = None) -> Session:
    return app.sessions.start(body.name if body else None)


@router.post(
    "/sessions/{session_id}/stop",
    response_model=Session,
    responses={**NOT_FOUND, **CONFLICT},
    dependencies=ADMIN,
)
def stop_session(session_id: SessionId, app: App) -> Session:
    return app.sessions.stop(session_id)


@router.get("/sessions/{session_id}", response_model=SessionDetail, responses=NOT_FOUND)
def get_session(session_id: SessionId, app: App) -> dict:
    return app.sessions.detail(session_id)


@router.patch(
    "/sessions/{session_id}",
    response_model=Session,
    responses={**NOT_FOUND, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def patch_session(session_id: SessionId, body: SessionPatch, app: App) -> Session:
    return app.sessions.update(session_id, body.model_dump(exclude_unset=True))


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses={**NOT_FOUND, **CONFLICT},
    dependencies=ADMIN,
)
def delete_session(session_id: SessionId, app: App) -> Response:
    app.sessions.delete(session_id)
    return Response(status_code=204)


@router.get(
    "/sessions/{session_id}/samples.csv",
    response_class=StreamingResponse,
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
)
def samples_csv(session_id: SessionId, app: App) -> Response:
    samples = app.sessions.samples(session_id)
    t_s, kg, counts = samples.t_s, samples.force_kg, samples.counts

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
    reps = app.sessions.reps(session_id)
    rows = [REP_COLUMNS, *([rep.get(column) for column in REP_COLUMNS] for rep in reps)]
    return download(csv_text(rows), f"nhc-session-{session_id}-reps.csv")


@router.get("/sessions/{session_id}/trace", response_model=Trace, responses=NOT_FOUND)
def trace(
    session_id: SessionId, app: App, max_points: Annotated[int, Query(ge=10, le=20_000)] = 2000
) -> dict:
    return app.sessions.trace(session_id, max_points)


@router.get("/progress", response_model=Progress)
def progress(app: App) -> dict:
    return {"points": app.sessions.progress()}
