"""Every error the hub answers is a status with a sentence (``{"detail": ...}``), never a
traceback: validation problems name the fields (without echoing the input), a database that
does not answer is a 503 with the reason."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
UNPARSEABLE_BODY = "There was an error parsing the body"
MAX_PROBLEMS_SHOWN = 5


def _readable(error: RequestValidationError) -> str:
    problems = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            problems.append("body: not JSON text")
            continue
        where = ".".join(str(part) for part in item.get("loc", ()) if part != "body")
        problems.append(f"{where or 'body'}: {item.get('msg', 'invalid')}")
    more = len(problems) - MAX_PROBLEMS_SHOWN
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    return "invalid request: " + shown + (f"; and {more} more" if more > 0 else "")


def _fields(error: RequestValidationError) -> list[dict]:
    """Where and what, without the input (an echoed NaN cannot be written as JSON)."""
    return [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": _readable(error), "errors": _fields(error)}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400 and error.detail == UNPARSEABLE_BODY:
            return JSONResponse(
                status_code=422,
                content={
                    "detail": "invalid request: body: not JSON text (UTF-8)",
                    "errors": [{"loc": ["body"], "msg": "not JSON text", "type": "json_invalid"}],
                },
            )
        return await http_exception_handler(request, error)

    @app.exception_handler(sa.exc.OperationalError)
    async def database_down(request: Request, error: sa.exc.OperationalError) -> JSONResponse:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
        log.warning("database error: %s", reason)
        return JSONResponse(
            status_code=503,
            content={"detail": f"The hub's database is not answering ({reason}); try again."},
        )


VALIDATION_PROBLEM = {
    "title": "ValidationProblem",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "one sentence naming the bad fields"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


def describe_422(app: FastAPI) -> None:
    """The schema promises the 422 that ``validation_error`` sends (FastAPI's default
    describes a list in ``detail``)."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in components:
            components["HTTPValidationError"] = VALIDATION_PROBLEM
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
