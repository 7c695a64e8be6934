from __future__ import annotations

from fastapi import APIRouter

from nhc_scale.web.deps import App
from nhc_scale.web.models import Health

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
def health(app: App) -> dict:
    return app.status.health()
