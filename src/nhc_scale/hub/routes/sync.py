"""The sync protocol's endpoints (docs/hub.md#the-sync-protocol): pad tokens only."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException

from nhc_scale import __version__
from nhc_scale.hub import ingest, roster
from nhc_scale.hub import pads as pad_store
from nhc_scale.hub.database import reading, writing
from nhc_scale.hub.security import PAD_TOKEN_NEEDED, Engine, Pad, Responses
from nhc_scale.sync.protocol import (
    HEARTBEAT_PATH,
    INFO_PATH,
    PROTOCOL_VERSION,
    PUSH_PATH,
    ROSTER_PATH,
    HeartbeatRequest,
    HeartbeatResponse,
    HubInfo,
    PushRequest,
    PushResponse,
    RosterRequest,
    RosterResponse,
)

router = APIRouter(tags=["sync"])
REFUSED: Responses = {
    **PAD_TOKEN_NEEDED,
    409: {"description": "a protocol version this hub does not speak"},
    413: {"description": "a batch over 16 MB"},
}


def _speaks(protocol: int) -> None:
    if protocol != PROTOCOL_VERSION:
        raise HTTPException(
            409,
            f"This hub speaks sync protocol {PROTOCOL_VERSION}; the pad sent {protocol}. "
            "Update the older of the two.",
        )


@router.get(INFO_PATH, response_model=HubInfo)
def hub_info() -> dict:
    """What this hub speaks; open to all, so a pad being paired can check the address."""
    return {"protocols": [PROTOCOL_VERSION], "hub_version": __version__}


@router.post(PUSH_PATH, response_model=PushResponse, responses=REFUSED)
def push(body: PushRequest, pad: Pad, db: Engine) -> dict:
    """Store a batch of finished sessions. Every session of the batch is acknowledged once it
    is stored, whether it arrived now or before: the same batch replayed is stored once."""
    _speaks(body.protocol)
    try:
        result = ingest.push(db, pad["id"], body.sessions, time.time())
    except ingest.BatchRefused as error:
        raise HTTPException(422, f"invalid request: {error}") from None
    return {
        "acknowledged": result.acknowledged,
        "stored": result.stored,
        "duplicates": result.duplicates,
    }


@router.post(ROSTER_PATH, response_model=RosterResponse, responses=REFUSED)
def exchange_roster(body: RosterRequest, pad: Pad, db: Engine) -> dict:
    """The pad's athletes go up (new ones are created; the newest relaxed reading wins), and
    the hub's whole roster comes back: it wins for every profile field."""
    _speaks(body.protocol)
    now = time.time()
    if body.athletes:
        with writing(db) as conn:
            roster.merge_from_pad(conn, body.athletes, pad["id"], now)
    with reading(db) as conn:
        athletes = [roster.as_profile(row) for row in roster.list_athletes(conn)]
    return {"athletes": athletes, "server_time": now}


@router.post(HEARTBEAT_PATH, response_model=HeartbeatResponse, responses=REFUSED)
def heartbeat(body: HeartbeatRequest, pad: Pad, db: Engine) -> dict:
    """The pad's version and queue, shown on the hub's Pads page."""
    _speaks(body.protocol)
    now = time.time()
    pad_store.heartbeat(db, pad["id"], body, now)
    return {"pad_id": pad["id"], "pad_name": pad["name"], "server_time": now}
