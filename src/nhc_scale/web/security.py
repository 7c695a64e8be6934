"""The two guards at the edge: state changes need the admin token, and bodies are small.

Everyone on the network may read (the live page, history, health); only a request carrying
``Authorization: Bearer <admin token>`` may change anything. The comparison takes the same time
whatever the guess, so the token cannot be found a character at a time, and an address that
keeps guessing is locked out for longer and longer (web/token_guesses.py), with a few log lines
however many guesses it sends.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nhc_scale.web.log_budget import LogBudget
from nhc_scale.web.token_guesses import TokenGuesses, client_key

log = logging.getLogger(__name__)

Responses = dict[int | str, dict[str, Any]]  # what FastAPI's ``responses=`` takes
MAX_BODY_BYTES = 64 * 1024  # the largest real body (a session's notes) is ~20 KB of UTF-8

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="admin token",
    description="Every state change needs the admin token (`nhc-scale doctor` shows it).",
)
#: The answers of every route that needs the token (the name stays from when 401 was all).
UNAUTHORIZED: Responses = {
    401: {"description": "the admin token is missing or wrong"},
    429: {
        "description": "too many wrong tokens from this address: wait, then try again",
        "headers": {
            "Retry-After": {
                "description": "seconds until this address may try a token again",
                "schema": {"type": "integer"},
            }
        },
    },
}


class _Guard:
    """One app's record of wrong tokens and its log budget (made on first use).

    The journal gets an address's first wrong token and each lockout it earns, within a budget;
    what the budget leaves out and the attempts refused during lockouts are counted in the next
    line instead."""

    def __init__(self) -> None:
        self.guesses = TokenGuesses()
        self.log_budget = LogBudget()
        self.refused = 0

    @classmethod
    def of(cls, app: FastAPI) -> _Guard:
        guard: _Guard | None = getattr(app.state, "token_guard", None)
        if guard is None:
            guard = app.state.token_guard = cls()
        return guard

    def note(self, now: float, message: str, *args: object) -> None:
        left_out = self.log_budget.take(now)
        if left_out is None:
            return
        if left_out or self.refused:
            message += "; since the last such line: %d left out, %d refused while locked out"
            args = (*args, left_out, self.refused)
            self.refused = 0
        log.warning(message, *args)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


async def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Let the request through with the right token; 401 without or with a wrong one, 429
    (the token unread) while the client's address is locked out.

    A coroutine, so that it runs on the event loop: the record of guesses needs no lock."""
    expected: str = request.app.state.admin_token
    given = credentials.credentials if credentials is not None else ""
    if not given:  # not a guess: the page asks for the token on this answer
        raise _unauthorized(
            "This change needs the admin token (`nhc-scale doctor` on the scale shows it); "
            "send it as 'Authorization: Bearer <token>'."
        )
    guard = _Guard.of(request.app)
    key = client_key(request.client.host if request.client else None)
    now = time.monotonic()
    wait = guard.guesses.retry_after(key, now)
    if wait > 0:
        guard.refused += 1
        seconds = math.ceil(wait)
        raise HTTPException(
            429,
            f"Too many wrong admin tokens from this address; try again in {seconds} s "
            "(`nhc-scale doctor` on the scale shows the right one).",
            headers={"Retry-After": str(seconds)},
        )
    if hmac.compare_digest(given.encode(), expected.encode()):
        guard.guesses.succeeded(key)
        return
    failure = guard.guesses.failed(key, now)
    detail = "The admin token is wrong; `nhc-scale doctor` on the scale shows the right one."
    whose = "from addresses beyond the table" if failure.shared else "from it"
    if failure.lockout_s:
        seconds = math.ceil(failure.lockout_s)
        detail += f" This address must wait {seconds} s before trying again."
        guard.note(
            now,
            "wrong admin token from %s (%d so far %s): locked out for %d s",
            key,
            failure.failures,
            whose,
            seconds,
        )
    elif failure.failures == 1:
        guard.note(now, "wrong admin token from %s", key)
    raise _unauthorized(detail)


ADMIN: Any = [Depends(require_admin)]


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before anything reads them whole.

    A declared Content-Length is judged up front; a chunked body is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1  # unparseable: refuse rather than guess
                if declared > self.limit:
                    await self._refuse(send)
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"The request body is larger than {self.limit // 1024} KB; nothing was changed."

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": self._message()}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
