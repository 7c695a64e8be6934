"""Pads: paired by a coach (a token shown once, its hash kept), revocable, and what each last
reported (seen, synced, version, queue).

A revoked pad keeps its row and its sessions; only its token stops working. Pairing the same
pad again makes a new pad row with a new token (the old sessions stay under the old row).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from nhc_scale.hub import tokens
from nhc_scale.hub.database import writing
from nhc_scale.hub.tables import pads, sessions
from nhc_scale.sync.protocol import HeartbeatRequest

#: last_seen is written at most this often per pad: a write per request would serialise reads.
SEEN_EVERY_S = 5.0
PAD_COLUMNS = (
    pads.c.id,
    pads.c.name,
    pads.c.created_at,
    pads.c.revoked_at,
    pads.c.last_seen_at,
    pads.c.last_sync_at,
    pads.c.version,
    pads.c.protocol,
    pads.c.queued_sessions,
    pads.c.rejected_sessions,
    pads.c.last_error,
)


class PadError(ValueError):
    """A pad name or id that cannot be used; the message says why."""


def pair(engine: sa.Engine, name: str, now: float) -> tuple[dict[str, Any], str]:
    """A new pad and its token (the only time the token exists outside the pad)."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise PadError("a pad's name is 1-100 characters")
    token = tokens.new_pad_token()
    with writing(engine) as conn:
        key = conn.execute(
            pads.insert().values(name=name, token_hash=tokens.token_hash(token), created_at=now)
        ).inserted_primary_key
    assert key is not None
    pad = get_pad(engine, int(key[0]))
    assert pad is not None
    return pad, token


def _session_counts() -> Any:
    return (
        sa.select(sessions.c.pad_id, sa.func.count().label("n"))
        .group_by(sessions.c.pad_id)
        .subquery()
    )


def list_pads(engine: sa.Engine) -> list[dict[str, Any]]:
    counts = _session_counts()
    query = (
        sa.select(*PAD_COLUMNS, sa.func.coalesce(counts.c.n, 0).label("session_count"))
        .outerjoin(counts, counts.c.pad_id == pads.c.id)
        .order_by(pads.c.name, pads.c.id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def get_pad(engine: sa.Engine, pad_id: int) -> dict[str, Any] | None:
    counts = _session_counts()
    query = (
        sa.select(*PAD_COLUMNS, sa.func.coalesce(counts.c.n, 0).label("session_count"))
        .outerjoin(counts, counts.c.pad_id == pads.c.id)
        .where(pads.c.id == pad_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else dict(row._mapping)


def find_pad(engine: sa.Engine, name_or_id: str) -> dict[str, Any]:
    """The one pad with this id or name (for the CLI); PadError if none or several."""
    found = [
        pad
        for pad in list_pads(engine)
        if str(pad["id"]) == name_or_id.strip() or pad["name"] == name_or_id.strip()
    ]
    if not found:
        raise PadError(f"there is no pad {name_or_id!r} (`nhc-scale hub pad list` lists them)")
    if len(found) > 1:
        raise PadError(f"several pads are called {name_or_id!r}: give the pad's id instead")
    return found[0]


def revoke(engine: sa.Engine, pad_id: int, now: float) -> dict[str, Any] | None:
    """Revoke the pad's token (a second revoke keeps the first time); None if no such pad."""
    with writing(engine) as conn:
        conn.execute(
            pads.update()
            .where(pads.c.id == pad_id, pads.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    return get_pad(engine, pad_id)


def pad_for_token(engine: sa.Engine, token: str) -> dict[str, Any] | None:
    """The pad this token was issued to (revoked or not), or None."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(pads.c.id, pads.c.name, pads.c.revoked_at, pads.c.last_seen_at).where(
                pads.c.token_hash == tokens.token_hash(token)
            )
        ).first()
    return None if row is None else dict(row._mapping)


def seen(engine: sa.Engine, pad: dict[str, Any], now: float) -> None:
    last = pad.get("last_seen_at")
    if last is not None and now - last < SEEN_EVERY_S:
        return
    with writing(engine) as conn:
        conn.execute(pads.update().where(pads.c.id == pad["id"]).values(last_seen_at=now))


def heartbeat(engine: sa.Engine, pad_id: int, beat: HeartbeatRequest, now: float) -> None:
    with writing(engine) as conn:
        conn.execute(
            pads.update()
            .where(pads.c.id == pad_id)
            .values(
                last_seen_at=now,
                version=beat.pad_version,
                protocol=beat.protocol,
                queued_sessions=beat.queued_sessions,
                rejected_sessions=beat.rejected_sessions,
                last_error=beat.last_error,
            )
        )
