"""Tare, calibration and the user's preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from nhc_scale.appliance.core import Appliance, SensorUnavailable
from nhc_scale.calibration import CalibrationError
from nhc_scale.web.deps import appliance
from nhc_scale.web.models import (
    CalibrationRequest,
    CalibrationResult,
    ClockResult,
    PhoneTime,
    Prefs,
    PrefsPatch,
    TareResult,
)
from nhc_scale.web.security import ADMIN, UNAUTHORIZED

router = APIRouter(prefix="/api", tags=["control"])
App = Annotated[Appliance, Depends(appliance)]
REFUSED = {
    409: {"description": "the reading cannot be used (the message says why)"},
    503: {"description": "the sensor gives no readings"},
    **UNAUTHORIZED,
}


@router.post("/tare", response_model=TareResult, responses=REFUSED, dependencies=ADMIN)
def tare(app: App) -> dict:
    try:
        calibration = app.tare()
    except CalibrationError as error:
        raise HTTPException(409, str(error)) from error
    except SensorUnavailable as error:
        raise HTTPException(503, str(error)) from error
    return {"zero_counts": calibration.zero_counts, "tared_at": calibration.tared_at}


@router.post(
    "/calibration", response_model=CalibrationResult, responses=REFUSED, dependencies=ADMIN
)
def calibrate(body: CalibrationRequest, app: App) -> dict:
    try:
        calibration = app.calibrate(body.mass_kg)
    except CalibrationError as error:
        raise HTTPException(409, str(error)) from error
    except SensorUnavailable as error:
        raise HTTPException(503, str(error)) from error
    return {"counts_per_kg": calibration.counts_per_kg, "calibrated_at": calibration.calibrated_at}


@router.post("/clock", response_model=ClockResult)
def phone_clock(body: PhoneTime, app: App) -> dict:
    """The page sends the phone's time; it is used only while the Pi's clock is unsynchronised."""
    return app.set_phone_time(body.phone_time_unix)


@router.get("/settings", response_model=Prefs)
def get_settings(app: App) -> dict:
    return app.prefs


@router.put("/settings", response_model=Prefs, responses=UNAUTHORIZED, dependencies=ADMIN)
def put_settings(body: PrefsPatch, app: App) -> dict:
    # Only body mass may be cleared with null; a null unit or flag means "leave it".
    changes = {
        key: value
        for key, value in body.model_dump(exclude_unset=True).items()
        if value is not None or key == "body_mass_kg"
    }
    return app.set_prefs(changes)
