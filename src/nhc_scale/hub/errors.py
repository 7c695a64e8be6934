"""Every error the hub answers is a status with a sentence (``{"detail": ...}``), never a
traceback: validation problems name the fields (without echoing the input), a database that
does not answer is a 503 with the reason."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from nhc_scale.web import request_errors

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    """The pad's answers to bad requests (web/request_errors.py), and the database's."""
    request_errors.install(app)

    @app.exception_handler(sa.exc.OperationalError)
    async def database_down(request: Request, error: sa.exc.OperationalError) -> JSONResponse:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
        log.warning("database error: %s", reason)
        return JSONResponse(
            status_code=503,
            content={"detail": f"The hub's database is not answering ({reason}); try again."},
        )
