"""What routes take from a request: the running appliance, and ids that a database can hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from nhc_scale.appliance.core import Appliance
from nhc_scale.store import MAX_ROW_ID


def appliance(request: Request) -> Appliance:
    return request.app.state.appliance


App = Annotated[Appliance, Depends(appliance)]
# SQLite keeps ids as signed 64-bit integers: anything outside is no row (a 422 that says so,
# never an overflow deep in the driver).
SessionId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a session's id")]
AthleteId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="an athlete's id")]
