"""``create_hub_app(settings)``: the team hub's FastAPI app; its lifespan opens and migrates the
database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from nhc_scale import __version__
from nhc_scale.hub import accounts, errors
from nhc_scale.hub.database import describe, make_engine, migrate
from nhc_scale.hub.routes import athletes, auth, pads, sessions, sync, team
from nhc_scale.hub.security import BodyLimits, LoginThrottle
from nhc_scale.hub.settings import HubSettings
from nhc_scale.hub.team_table import TeamRowCache

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
#: The pad page's files the hub page uses as they are (charts, units, strength text, the icon):
#: one chart code for both pages. Only these are served from the pad's folder.
PAD_STATIC = Path(__file__).parent.parent / "web" / "static"
SHARED_FILES = {
    "charts.js": "text/javascript",
    "units.js": "text/javascript",
    "strength.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}


def create_hub_app(settings: HubSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.url)
        revision = await asyncio.to_thread(migrate, engine)
        app.state.engine = engine
        log.info("hub database %s (schema %s)", describe(settings.url), revision)
        if await asyncio.to_thread(accounts.count_users, engine) == 0:
            log.warning(
                "*** no coach can log in yet: run `nhc-scale hub user add NAME` (same "
                "NHC_HUB_* settings) to create the first user ***"
            )
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="nhc-scale hub",
        version=__version__,
        lifespan=lifespan,
        description="The team hub: every pad's sessions in one place (docs/hub.md).",
    )
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle()
    app.state.team_rows = TeamRowCache()
    errors.install(app)
    app.add_middleware(BodyLimits)
    for module in (auth, team, athletes, sessions, pads, sync):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/shared/{name}", include_in_schema=False)
    def shared_file(name: str) -> FileResponse:
        if name not in SHARED_FILES:
            raise HTTPException(404, f"there is no shared file {name!r}")
        return FileResponse(
            PAD_STATIC / name,
            media_type=SHARED_FILES[name],
            headers={"Cache-Control": "no-cache"},
        )

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
