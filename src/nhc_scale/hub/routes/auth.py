"""Logging in and out."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Request, Response

from nhc_scale.hub import accounts
from nhc_scale.hub.models import LoginRequest, LoginResult, UserView
from nhc_scale.hub.security import COOKIE, LOGIN_NEEDED, Engine, LoginThrottle, Responses, User

WRONG_PASSWORD: Responses = {
    401: {"description": "wrong username or password"},
    429: {"description": "too many wrong passwords for this user"},
}
router = APIRouter(prefix="/api", tags=["login"])


def _throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


@router.post(
    "/login",
    response_model=LoginResult,
    responses=WRONG_PASSWORD,
)
def log_in(body: LoginRequest, request: Request, response: Response, db: Engine) -> dict:
    """A login token, as a cookie (HttpOnly, SameSite=Strict) for the page and in the body for
    scripts. It lasts ``login_hours`` after its last use."""
    now = time.time()
    throttle = _throttle(request)
    who = f"{body.username}\n{request.client.host if request.client else ''}"
    wait = throttle.wait_s(who, now)
    if wait > 0:
        raise HTTPException(
            429,
            f"Too many wrong passwords for {body.username!r}: try again in "
            f"{max(1, round(wait / 60))} minutes.",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    found = accounts.log_in(db, body.username, body.password, now)
    if found is None:
        throttle.failed(who, now)
        raise HTTPException(401, "Wrong username or password.")
    throttle.succeeded(who)
    user, token = found
    settings = request.app.state.settings
    max_age = int(settings.login_hours * 3600)
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookie,
        path="/",
    )
    return {
        "user": {"id": user.id, "username": user.username},
        "token": token,
        "expires_after_idle_s": float(max_age),
    }


@router.post("/logout", status_code=204, responses=LOGIN_NEEDED)
def log_out(request: Request, user: User, db: Engine) -> Response:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    accounts.log_out(db, token or request.cookies.get(COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/me", response_model=UserView, responses=LOGIN_NEEDED)
def me(user: User) -> dict:
    return {"id": user.id, "username": user.username}
