"""Who may do what at the hub.

- Coaches log in (``POST /api/login``) and then send their login token as the
  ``nhc_hub_login`` cookie (the page: HttpOnly, SameSite=Strict) or as
  ``Authorization: Bearer <token>`` (scripts). Everything but the page, the login and the sync
  protocol needs a login: the hub holds athletes' training data.
- Pads send their pad token as ``Authorization: Bearer <token>``, and only to the sync
  protocol. A pad token anywhere else is refused with 403: a pad cannot read the team.
- Request bodies are small (64 KB), except the sync protocol's batches (16 MB).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from nhc_scale.hub import accounts
from nhc_scale.hub import pads as pad_store
from nhc_scale.hub.views import iso
from nhc_scale.sync.protocol import PREFIX as SYNC_PREFIX
from nhc_scale.web.security import BodyLimit

COOKIE = "nhc_hub_login"
MAX_BODY_BYTES = 64 * 1024
MAX_SYNC_BODY_BYTES = 16 * 1024 * 1024
LOGIN_FAILURES_ALLOWED = 5
LOGIN_FAILURE_WINDOW_S = 15 * 60

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="login or pad token",
    description="A coach's login token (POST /api/login), or, for /api/sync/v1/*, a pad token.",
)
_cookie = APIKeyCookie(name=COOKIE, auto_error=False, scheme_name="login cookie")
Responses = dict[int | str, dict[str, Any]]
LOGIN_NEEDED: Responses = {
    401: {"description": "not logged in, or the login expired"},
    403: {"description": "a pad token: pads may only sync"},
}
PAD_TOKEN_NEEDED: Responses = {
    401: {"description": "no pad token, an unknown one, or a revoked one"}
}


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine


Engine = Annotated[sa.Engine, Depends(engine)]


def _cross_site(request: Request) -> bool:
    """A change sent with the cookie from another site's page (SameSite=Strict already keeps
    the cookie away from those; this covers browsers that ignore it)."""
    origin = request.headers.get("origin")
    if request.method in ("GET", "HEAD", "OPTIONS") or not origin:
        return False
    return urlsplit(origin).netloc != request.headers.get("host", "")


def require_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> accounts.User:
    db: sa.Engine = request.app.state.engine
    token = credentials.credentials if credentials is not None else (cookie or "")
    if not token:
        raise HTTPException(
            401,
            "Log in to read the team: on the hub's page, or POST /api/login and send the token "
            "as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    now = time.time()
    max_age = request.app.state.settings.login_hours * 3600
    user = accounts.user_for_token(db, token, now, max_age)
    if user is not None:
        if credentials is None and _cross_site(request):
            raise HTTPException(403, "A change to the hub must come from the hub's own page.")
        return user
    if credentials is not None and pad_store.pad_for_token(db, token) is not None:
        raise HTTPException(
            403,
            "This is a pad token: a pad can only sync (push sessions, exchange the roster). "
            "Log in as a coach to read the team.",
        )
    raise HTTPException(
        401,
        "This login is unknown or has expired: log in again.",
        headers={"WWW-Authenticate": "Bearer"},
    )


User = Annotated[accounts.User, Depends(require_user)]
LOGGED_IN: Any = [Depends(require_user)]


def require_pad(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> dict[str, Any]:
    db: sa.Engine = request.app.state.engine
    if credentials is None:
        raise HTTPException(
            401,
            "A pad must send its pad token as 'Authorization: Bearer <token>' (a coach makes "
            "one on the hub's Pads page).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    pad = pad_store.pad_for_token(db, credentials.credentials)
    if pad is None:
        raise HTTPException(
            401,
            "This hub does not know that pad token: pair the pad again with a token from the "
            "hub's Pads page.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if pad["revoked_at"] is not None:
        raise HTTPException(
            401,
            f"The token of pad {pad['name']!r} was revoked at the hub on "
            f"{iso(pad['revoked_at'])}: pair the pad again with a new token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    pad_store.seen(db, pad, time.time())
    return pad


Pad = Annotated[dict[str, Any], Depends(require_pad)]


class LoginThrottle:
    """At most ``LOGIN_FAILURES_ALLOWED`` wrong passwords per username and client address in
    15 minutes: Argon2 makes each guess slow, this makes a guessing run hopeless. Keyed by the
    address too, so someone guessing elsewhere cannot lock the coach out of their own laptop.
    In memory: a restart forgets. ``username`` below is that pair, joined."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, username: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(username.lower(), deque())
        while failures and now - failures[0] > LOGIN_FAILURE_WINDOW_S:
            failures.popleft()
        return failures

    def wait_s(self, username: str, now: float) -> float:
        """0 if a try is allowed, else the seconds until the oldest failure ages out."""
        with self._lock:
            failures = self._recent(username, now)
            if len(failures) < LOGIN_FAILURES_ALLOWED:
                return 0.0
            return LOGIN_FAILURE_WINDOW_S - (now - failures[0])

    def failed(self, username: str, now: float) -> None:
        with self._lock:
            self._recent(username, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.lower(), None)


class BodyLimits:
    """The pad's BodyLimit (413 before a body is read) with the sync protocol's larger limit."""

    def __init__(self, app: ASGIApp) -> None:
        self._small = BodyLimit(app, MAX_BODY_BYTES)
        self._large = BodyLimit(app, MAX_SYNC_BODY_BYTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        limit = self._large if path.startswith(SYNC_PREFIX + "/") else self._small
        await limit(scope, receive, send)
