"""The two guards at the edge: state changes need the admin token, and bodies are small.

Everyone on the network may read (the live page, history, health); only a request carrying
``Authorization: Bearer <admin token>`` may change anything. The comparison takes the same time
whatever the guess, so the token cannot be found a character at a time.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Responses = dict[int | str, dict[str, Any]]  # what FastAPI's ``responses=`` takes
MAX_BODY_BYTES = 64 * 1024  # the largest real body (a session's notes) is ~20 KB of UTF-8

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="admin token",
    description="Every state change needs the admin token (`nhc-scale doctor` shows it).",
)
UNAUTHORIZED: Responses = {401: {"description": "the admin token is missing or wrong"}}


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected: str = request.app.state.admin_token
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401,
            "This change needs the admin token (`nhc-scale doctor` on the scale shows it); "
            "send it as 'Authorization: Bearer <token>'."
            if not given
            else "The admin token is wrong; `nhc-scale doctor` on the scale shows the right one.",
            headers={"WWW-Authenticate": "Bearer"},
        )


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
