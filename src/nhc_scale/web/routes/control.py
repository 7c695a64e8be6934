"""Tare, calibration, the phone's clock and the user's preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from nhc_scale.web.deps import App
from nhc_scale.web.models import (
    CalibrationRequest,
    CalibrationResult,
    ClockResult,
    PhoneTime,
    Prefs,
    PrefsPatch,
    TareResult,
)
from nhc_scale.web.origin import same_origin_only
from nhc_scale.web.security import ADMIN, UNAUTHORIZED, Responses

router = APIRouter(prefix="/api", tags=["control"])
REFUSED: Responses = {
    409: {
        "description": "the reading cannot be used: `detail` says why in a sentence, `reason` "
        "says it for a program (too_short, saturated, moving, loaded, ...) with the numbers "
        "(`spread_kg`, `drift_kg`, `load_kg`)"
    },
    503: {"description": "the sensor gives no readings"},
    **UNAUTHORIZED,
}


@router.post("/tare", response_model=TareResult, responses=REFUSED, dependencies=ADMIN)
def tare(
    app: App,
    anyway: Annotated[
        bool, Query(description="zero a pad that reads more than 2 kg (empty, its zero moved)")
    ] = False,
) -> dict:
    """Zero the empty pad. A tared pad that reads more than 2 kg is refused as not empty (409,
    ``reason`` "loaded") unless ``?anyway=true``; ``zeroed_kg`` is the load taken away."""
    calibration, zeroed = app.tare(anyway)
    return {
        "zero_counts": calibration.zero_counts,
        "tared_at": calibration.tared_at,
        "zeroed_kg": zeroed,
    }


@router.post(
    "/calibration", response_model=CalibrationResult, responses=REFUSED, dependencies=ADMIN
)
def calibrate(body: CalibrationRequest, app: App) -> dict:
    calibration = app.calibrate(body.mass_kg)
    return {"counts_per_kg": calibration.counts_per_kg, "calibrated_at": calibration.calibrated_at}


@router.post(
    "/clock",
    response_model=ClockResult,
    dependencies=[Depends(same_origin_only)],
    responses={
        403: {"description": "not through the scale's own address (DNS rebinding)"},
        422: {"description": "a time no phone shows"},
    },
)
def phone_clock(body: PhoneTime, app: App) -> dict:
    """The page sends the phone's time; it is used only while the Pi's clock is unsynchronised,
    and only through the scale's own address (no token: the page sends it before it has one)."""
    return app.set_phone_time(body.phone_time_unix)


@router.get("/settings", response_model=Prefs)
def get_settings(app: App) -> Prefs:
    return app.prefs.current


@router.put("/settings", response_model=Prefs, responses=UNAUTHORIZED, dependencies=ADMIN)
def put_settings(body: PrefsPatch, app: App) -> Prefs:  # type: ignore[valid-type]
    return app.prefs.update(body.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
