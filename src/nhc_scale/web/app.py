"""``create_app(settings)``: the FastAPI app whose lifespan runs the appliance."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from nhc_scale import __version__, sdnotify
from nhc_scale.admin_token import ensure_token
from nhc_scale.appliance.core import Appliance
from nhc_scale.appliance.errors import Conflict, Invalid, SensorUnavailable
from nhc_scale.calibration import CalibrationError
from nhc_scale.config import Settings
from nhc_scale.sensor import sampler_config
from nhc_scale.store import StoreError, UnknownAthleteError, UnknownSessionError
from nhc_scale.web import api_docs, request_errors
from nhc_scale.web.routes import athletes, control, health, hub, live, sessions
from nhc_scale.web.security import BodyLimit

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


async def _watchdog(app: Appliance, interval_s: float) -> None:
    """Ping systemd only while the pipeline thread is alive: a hung pipeline gets restarted."""
    while True:
        await asyncio.sleep(interval_s / 2)
        if app.status.health()["status"] != "error":
            sdnotify.notify("WATCHDOG=1")


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(fastapi_app: FastAPI) -> AsyncIterator[None]:
        token, origin, generated = ensure_token(settings)
        fastapi_app.state.admin_token = token
        log.info(
            "admin token for changes (tare, calibration, settings, sessions): %s (%s%s)",
            token,
            "generated into " if generated else "from ",
            origin,
        )
        config, notice = sampler_config(settings)
        if notice:
            log.warning("*** %s ***", notice)
        appliance = Appliance(settings, config, notice)
        appliance.hub.bind(asyncio.get_running_loop())
        appliance.start()
        fastapi_app.state.appliance = appliance
        watchdog = None
        interval = sdnotify.watchdog_interval_s()
        if interval:
            watchdog = asyncio.create_task(_watchdog(appliance, interval))
        sdnotify.notify("READY=1")
        try:
            yield
        finally:
            sdnotify.notify("STOPPING=1")
            if watchdog is not None:
                watchdog.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watchdog
            await asyncio.to_thread(appliance.stop)

    app = FastAPI(
        title="nhc-scale",
        version=__version__,
        lifespan=lifespan,
        description="Minimum assistance of assisted Nordic hamstring curls.",
        # FastAPI's pages load scripts from a CDN into this origin: api_docs serves /docs.
        docs_url=None,
        redoc_url=None,
    )

    request_errors.install(app)

    # Domain refusals, each kind to one status, with the appliance's sentence as the detail.
    statuses: dict[type[Exception], int] = {
        Conflict: 409,
        CalibrationError: 409,  # the reading cannot be used: the pad moved, nothing on it...
        Invalid: 422,
        UnknownSessionError: 404,
        UnknownAthleteError: 404,
        SensorUnavailable: 503,
        StoreError: 503,  # the disk is full or the database cannot be written: never a bare 500
    }

    async def refused(request: Request, error: Exception) -> JSONResponse:
        status = next(code for kind, code in statuses.items() if isinstance(error, kind))
        # A calibration refusal also says why for a program (the page words it in its units).
        facts = error.facts if isinstance(error, CalibrationError) else {}
        return JSONResponse(status_code=status, content={"detail": str(error), **facts})

    for kind in statuses:
        app.add_exception_handler(kind, refused)

    app.add_middleware(BodyLimit)
    for module in (health, live, sessions, control, athletes, hub, api_docs):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
