"""The team's roster: one list of athletes, owned by the hub, the same on every pad.

An athlete's ``uuid`` is their id everywhere. The conflict rule (docs/hub.md#conflicts):

- An athlete the hub does not know, sent by a pad (in a roster exchange or with a session),
  is created as the pad sent them.
- For an athlete the hub knows, the hub's profile wins (name, body mass, height, distances):
  edits are made at the hub, and every pad takes them over at its next exchange.
- Except the relaxed reading, which is a measurement taken on a pad: the newest reading wins
  (by its ``relaxed_at``), wherever it was taken.
- Athletes are never deleted, only archived, so a pad that still lists one cannot bring them
  back, and every session keeps its athlete.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from nhc_scale.hub.database import insert_new, writing
from nhc_scale.hub.tables import athletes
from nhc_scale.sync.protocol import AthleteProfile

PROFILE_FIELDS = ("name", "body_mass_kg", "height_m", "knee_to_hands_m", "knee_to_ankle_m")
COLUMNS = (
    athletes.c.id,
    athletes.c.uuid,
    *(athletes.c[name] for name in PROFILE_FIELDS),
    athletes.c.relaxed_kg,
    athletes.c.relaxed_at,
    athletes.c.created_at,
    athletes.c.updated_at,
    athletes.c.archived,
    athletes.c.origin_pad_id,
)


def list_athletes(conn: sa.Connection, *, include_archived: bool = True) -> list[dict[str, Any]]:
    query = sa.select(*COLUMNS).order_by(athletes.c.name, athletes.c.id)
    if not include_archived:
        query = query.where(athletes.c.archived.is_(False))
    return [dict(row._mapping) for row in conn.execute(query)]


def get_athlete(conn: sa.Connection, athlete_uuid: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(*COLUMNS).where(athletes.c.uuid == athlete_uuid)).first()
    return None if row is None else dict(row._mapping)


def as_profile(row: dict[str, Any]) -> dict[str, Any]:
    """The wire form (:class:`~nhc_scale.sync.protocol.RosterAthlete`) of a stored athlete."""
    return {
        "uuid": row["uuid"],
        **{name: row[name] for name in PROFILE_FIELDS},
        "relaxed_kg": row["relaxed_kg"],
        "relaxed_at": row["relaxed_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "archived": bool(row["archived"]),
    }


def create(engine: sa.Engine, fields: dict[str, Any], now: float) -> dict[str, Any]:
    """An athlete created at the hub (a new uuid4); ``fields`` are checked by the caller."""
    new_uuid = str(uuid_module.uuid4())
    with writing(engine) as conn:
        conn.execute(
            athletes.insert().values(
                uuid=new_uuid,
                **{name: fields.get(name) for name in PROFILE_FIELDS},
                created_at=now,
                updated_at=now,
            )
        )
        created = get_athlete(conn, new_uuid)
    assert created is not None
    return created


def update(
    engine: sa.Engine, athlete_uuid: str, changes: dict[str, Any], now: float
) -> dict[str, Any] | None:
    """Set profile fields (and ``archived``, ``relaxed_kg``/``relaxed_at``); None if unknown."""
    allowed = {*PROFILE_FIELDS, "archived", "relaxed_kg", "relaxed_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not athlete fields: {sorted(unknown)}")
    with writing(engine) as conn:
        conn.execute(
            athletes.update()
            .where(athletes.c.uuid == athlete_uuid)
            .values(**changes, updated_at=now)
        )
        return get_athlete(conn, athlete_uuid)


def merge_from_pad(
    conn: sa.Connection, profiles: Sequence[AthleteProfile], pad_id: int, now: float
) -> dict[str, int]:
    """Apply the conflict rule to athletes a pad sent; returns uuid -> the hub's row id.

    Runs inside the caller's write transaction (a session and the athlete it brings are stored
    together or not at all).
    """
    wanted: dict[str, AthleteProfile] = {}
    for profile in profiles:
        key = str(profile.uuid)
        newest = wanted.get(key)
        if newest is None or (profile.relaxed_at or 0) > (newest.relaxed_at or 0):
            wanted[key] = profile
    if not wanted:
        return {}
    new_rows = [
        {
            "uuid": key,
            **{name: getattr(profile, name) for name in PROFILE_FIELDS},
            "relaxed_kg": profile.relaxed_kg,
            "relaxed_at": profile.relaxed_at,
            "created_at": profile.created_at,
            "updated_at": now,
            "archived": False,
            "origin_pad_id": pad_id,
        }
        for key, profile in wanted.items()
    ]
    # Unknown athletes are created; a known uuid is left alone by the insert (the hub wins).
    conn.execute(insert_new(conn, athletes), new_rows)
    stored = {
        row.uuid: row
        for row in conn.execute(
            sa.select(athletes.c.id, athletes.c.uuid, athletes.c.relaxed_at).where(
                athletes.c.uuid.in_(list(wanted))
            )
        )
    }
    for key, profile in wanted.items():
        row = stored[key]
        if profile.relaxed_at is not None and profile.relaxed_at > (row.relaxed_at or 0):
            conn.execute(
                athletes.update()
                .where(athletes.c.id == row.id)
                .values(
                    relaxed_kg=profile.relaxed_kg, relaxed_at=profile.relaxed_at, updated_at=now
                )
            )
    return {key: int(row.id) for key, row in stored.items()}
