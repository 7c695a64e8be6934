"""The pad's team hub: its sync state, pairing, unpairing, and "sync now". Only HTTP here: the
appliance's hub unit (appliance/hub_sync.py) does the work, and its refusals map to statuses in
app.py like every other."""

from __future__ import annotations

from fastapi import APIRouter

from nhc_scale.web.deps import App
from nhc_scale.web.models import HubSyncState, PairRequest
from nhc_scale.web.security import ADMIN, UNAUTHORIZED, Responses

router = APIRouter(prefix="/api", tags=["hub"])
PINNED: Responses = {409: {"description": "the hub is set in the pad's settings, which win"}}
WRITE: Responses = {503: {"description": "the pairing cannot be written to the state directory"}}


@router.get("/hub", response_model=HubSyncState)
def hub_state(app: App) -> dict:
    return app.hub_sync.state()


@router.put(
    "/hub",
    response_model=HubSyncState,
    responses={
        **PINNED,
        **WRITE,
        422: {"description": "the hub refused the token, or no hub answers at the address"},
        **UNAUTHORIZED,
    },
    dependencies=ADMIN,
)
def pair(body: PairRequest, app: App) -> dict:
    """Pair with a hub: the address and the pad token the coach got from the hub (its Pads
    page, or `nhc-scale hub pad add`), checked with the hub before anything is kept. Sessions
    then go to that hub (a pairing of before is replaced)."""
    return app.hub_sync.pair(body.hub_url, body.pad_token)


@router.delete(
    "/hub",
    response_model=HubSyncState,
    responses={**PINNED, **WRITE, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def unpair(app: App) -> dict:
    """Forget the hub. Finished sessions keep waiting in the outbox for the next pairing."""
    return app.hub_sync.unpair()


@router.post(
    "/hub/sync",
    response_model=HubSyncState,
    status_code=202,
    responses={409: {"description": "the pad is not paired"}, **UNAUTHORIZED},
    dependencies=ADMIN,
)
def sync_now(app: App) -> dict:
    """Start an exchange with the hub now, even while waiting after a failure."""
    return app.hub_sync.sync_now()
