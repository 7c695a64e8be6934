"""Pairing, listing and revoking pads (coaches only)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request

from nhc_scale.hub import pads as pad_store
from nhc_scale.hub.models import Pad as PadModel
from nhc_scale.hub.models import PadList, PairRequest, PairResult
from nhc_scale.hub.security import LOGGED_IN, LOGIN_NEEDED, Engine, Responses
from nhc_scale.hub.views import iso

router = APIRouter(prefix="/api", tags=["pads"], dependencies=LOGGED_IN)
NOT_FOUND: Responses = {404: {"description": "no such pad"}}
PadId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def pad_view(pad: dict[str, Any]) -> dict[str, Any]:
    return {
        **pad,
        "created_at": iso(pad["created_at"]),
        "revoked": pad["revoked_at"] is not None,
        "revoked_at": iso(pad["revoked_at"]),
        "last_seen_at": iso(pad["last_seen_at"]),
        "last_sync_at": iso(pad["last_sync_at"]),
        "last_error": pad["last_error"] or "",
    }


@router.get("/pads", response_model=PadList, responses=LOGIN_NEEDED)
def list_pads(db: Engine) -> dict:
    """Every pad and its sync state: last seen, last sync, version, queued sessions."""
    return {"pads": [pad_view(pad) for pad in pad_store.list_pads(db)]}


@router.post("/pads", response_model=PairResult, status_code=201, responses=LOGIN_NEEDED)
def pair(body: PairRequest, request: Request, db: Engine) -> dict:
    """Pair a pad: its token is in this answer and nowhere else (the hub keeps a hash)."""
    try:
        pad, token = pad_store.pair(db, body.name, time.time())
    except pad_store.PadError as error:
        raise HTTPException(422, f"invalid pad: {error}") from None
    return {"pad": pad_view(pad), "token": token, "hub_url_hint": str(request.base_url)}


@router.post(
    "/pads/{pad_id}/revoke", response_model=PadModel, responses={**LOGIN_NEEDED, **NOT_FOUND}
)
def revoke(pad_id: PadId, db: Engine) -> dict:
    """The pad's token stops working at once; its sessions stay."""
    pad = pad_store.revoke(db, pad_id, time.time())
    if pad is None:
        raise HTTPException(404, f"there is no pad {pad_id}")
    return pad_view(pad)
