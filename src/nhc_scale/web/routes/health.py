from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from nhc_scale.appliance.core import Appliance
from nhc_scale.web.deps import appliance
from nhc_scale.web.models import Health

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
def health(app: Annotated[Appliance, Depends(appliance)]) -> dict:
    return app.health()
