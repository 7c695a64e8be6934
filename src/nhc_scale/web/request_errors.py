"""Bad requests as both FastAPI apps (the pad's and the team hub's) answer them: a 422 whose
``detail`` is one sentence naming the bad fields and whose ``errors`` list them, without ever
echoing the input (an echoed NaN cannot be written as JSON: it made a 500 of a 422), and an
OpenAPI schema that promises exactly that, so clients and fuzzers can hold the API to it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

UNPARSEABLE_BODY = "There was an error parsing the body"  # FastAPI's words for a non-UTF-8 body
MAX_PROBLEMS_SHOWN = 5  # the sentence names this many fields; ``errors`` lists them all

VALIDATION_PROBLEM: dict[str, Any] = {
    "title": "ValidationProblem",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "one sentence naming the bad fields"},
        "errors": {
            "description": "the fields to blame, when fields are to blame",
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


def readable(error: RequestValidationError) -> str:
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


def fields(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]


def install(app: FastAPI) -> None:
    """The 422 handlers and the schema that describes them."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": readable(error), "errors": fields(error)}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400 and error.detail == UNPARSEABLE_BODY:
            # FastAPI's answer to a body that is not UTF-8: the same 422 as any other bad JSON.
            return JSONResponse(
                status_code=422,
                content={
                    "detail": "invalid request: body: not JSON text (UTF-8)",
                    "errors": [{"loc": ["body"], "msg": "not JSON text", "type": "json_invalid"}],
                },
            )
        return await http_exception_handler(request, error)

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in components:
            components["HTTPValidationError"] = VALIDATION_PROBLEM
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
