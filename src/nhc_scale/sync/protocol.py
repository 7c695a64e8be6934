"""The sync protocol between a pad and the team hub, version 1 (docs/hub.md#the-sync-protocol).

These models are the one definition of what goes over the wire: the pad's sync client builds
them, the hub validates its requests with them (and publishes them in its OpenAPI). They need
pydantic only, which a pad already has; nothing here imports the hub or a web framework.

Every request names the protocol version it speaks; a hub refuses a version it does not know
with a sentence, so an old hub and a new pad never half-understand each other.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from nhc_scale.analysis.progress import VARIATIONS
from nhc_scale.analysis.strength import (
    DISTANCE_RANGE_M,
    HEIGHT_RANGE_M,
    MASS_RANGE_KG,
    Anthropometry,
)

PROTOCOL_VERSION = 1
#: Where the protocol's endpoints live on a hub; the version is part of the path too, so a
#: future version can be served beside this one.
INFO_PATH = "/api/sync"
PREFIX = f"/api/sync/v{PROTOCOL_VERSION}"
PUSH_PATH = f"{PREFIX}/sessions"
ROSTER_PATH = f"{PREFIX}/roster"
HEARTBEAT_PATH = f"{PREFIX}/heartbeat"

MAX_BATCH_SESSIONS = 100
#: Times are unix seconds from 1970 to the year 3000: anything else is a broken clock, and a
#: date nobody can print.
UNIX_MAX = 32_503_680_000.0
INT32_MAX = 2**31 - 1
MAX_REPS_PER_SESSION = 1000
MAX_ROSTER = 2000
#: Extra keys of a rep or a summary are kept as the pad sent them, so they must be JSON that
#: every database takes back: finite numbers, bounded nesting and size.
MAX_EXTRA_DEPTH = 4
MAX_EXTRA_ITEMS = 200

Variation = Literal[VARIATIONS]  # type: ignore[valid-type]


def no_nul(value: str) -> str:
    """PostgreSQL's text cannot hold a NUL character: refuse it at the edge, with a reason,
    rather than fail in the database."""
    if "\x00" in value:
        raise ValueError("text must not contain the NUL character")
    return value


#: Text the hub stores: anything but NUL.
Text = Annotated[str, AfterValidator(no_nul)]


def check_json_value(value: Any, where: str, depth: int = 0) -> None:
    """Raise ValueError unless ``value`` is plain JSON without NaN or infinities (PostgreSQL's
    json type refuses those, and a browser's JSON.parse too)."""
    if depth > MAX_EXTRA_DEPTH:
        raise ValueError(f"{where} is nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, str) and len(value) > 10_000:
            raise ValueError(f"{where} is a text longer than 10000 characters")
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(f"{where} contains the NUL character")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            raise ValueError(f"{where} is a whole number too large to keep exactly")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is not a finite number")
        return
    if isinstance(value, list | dict):
        if len(value) > MAX_EXTRA_ITEMS:
            raise ValueError(f"{where} has more than {MAX_EXTRA_ITEMS} items")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and ("\x00" in key or len(key) > 200):
                raise ValueError(f"{where} has a key that is not plain text")
            check_json_value(item, f"{where}.{key}", depth + 1)
        return
    raise ValueError(f"{where} is not a JSON value")


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _distance() -> Any:
    return Field(None, ge=DISTANCE_RANGE_M[0], le=DISTANCE_RANGE_M[1])


class AthleteProfile(_Wire):
    """An athlete as a pad knows them. ``uuid`` is the athlete's one id on every pad and at the
    hub; the pad makes it (uuid4) when the athlete is created on the pad."""

    uuid: UUID
    name: Text = Field(min_length=1, max_length=100)
    body_mass_kg: float = Field(ge=MASS_RANGE_KG[0], le=MASS_RANGE_KG[1])
    height_m: float = Field(ge=HEIGHT_RANGE_M[0], le=HEIGHT_RANGE_M[1])
    knee_to_hands_m: float | None = _distance()
    knee_to_ankle_m: float | None = _distance()
    relaxed_kg: float | None = Field(None, ge=1, le=MASS_RANGE_KG[1])
    relaxed_at: float | None = Field(
        None, ge=0, le=UNIX_MAX, description="unix seconds of the reading"
    )
    created_at: float = Field(ge=0, le=UNIX_MAX, description="unix seconds")

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the name is empty")
        return value.strip()

    @model_validator(mode="after")
    def _usable(self) -> AthleteProfile:
        """The strength model's checks (e.g. the ankle nearer the knee than the hands), so an
        athlete stored at the hub is one whose reps get estimates."""
        if (self.relaxed_kg is None) != (self.relaxed_at is None):
            raise ValueError("relaxed_kg and relaxed_at go together: both or neither")
        Anthropometry.from_body(
            self.body_mass_kg,
            self.height_m,
            knee_to_hands_m=self.knee_to_hands_m,
            knee_to_ankle_m=self.knee_to_ankle_m,
        )
        if self.relaxed_kg is not None and self.relaxed_kg >= self.body_mass_kg:
            raise ValueError("a relaxed reading must be less than the body mass")
        return self


class RosterAthlete(AthleteProfile):
    """An athlete as the hub answers: the profile that every pad takes over."""

    archived: bool = False
    updated_at: float = Field(
        ge=0, le=UNIX_MAX, description="unix seconds of the last change at the hub"
    )


class RepPayload(BaseModel):
    """One rep as the pad's detector stored it (docs/api.md `Rep`). The detector's keys are
    checked; any extra key the pad adds is kept as it is."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    number: int | None = Field(None, ge=0, le=INT32_MAX)
    start_s: float = Field(ge=-1e9, le=1e9)
    end_s: float = Field(ge=-1e9, le=1e9)
    min_assistance_kg: float = Field(ge=-1000, le=1000)
    min_at_s: float = Field(ge=-1e9, le=1e9)
    unassisted: bool = False

    @model_validator(mode="after")
    def _extras_are_json(self) -> RepPayload:
        for key, value in (self.model_extra or {}).items():
            check_json_value(value, f"rep key {key!r}")
        if self.end_s < self.start_s:
            raise ValueError("a rep cannot end before it starts")
        return self


class SamplesPayload(_Wire):
    """A session's samples, compressed (:mod:`nhc_scale.sync.samples` makes and reads them)."""

    encoding: Literal["delta-i32-zlib/1"]
    n: int = Field(ge=0, le=5_000_000)
    t_us: str = Field(description="base64: zlib of byte-shuffled int32 deltas of t in µs")
    force_dg: str = Field(description="base64: the same of the force in decigrams (0.1 g)")


class SessionPayload(_Wire):
    """A finished session. ``uuid`` is made by the pad when the session starts (uuid4) and is
    the session's key at the hub: the same uuid arriving twice is stored once."""

    uuid: UUID
    athlete: AthleteProfile | None = Field(
        None,
        description="the athlete the session belongs to (null: unassigned). Sent whole so that a "
        "session never arrives before its athlete: the hub creates an athlete it does not know.",
    )
    pad_session_id: int | None = Field(
        None, ge=0, le=INT32_MAX, description="the pad's own id, for people"
    )
    name: Text | None = Field(None, max_length=100)
    notes: Text = Field("", max_length=5000)
    started_at: float = Field(ge=0, le=UNIX_MAX, description="unix seconds")
    ended_at: float = Field(ge=0, le=UNIX_MAX, description="unix seconds")
    clock_synced: bool = True
    variation: Variation = "assisted"
    reps: list[RepPayload] = Field(default_factory=list, max_length=MAX_REPS_PER_SESSION)
    summary: dict[str, Any] = Field(default_factory=dict)
    samples: SamplesPayload | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SessionPayload:
        if self.ended_at < self.started_at:
            raise ValueError("a session cannot end before it starts")
        check_json_value(self.summary, "summary")
        return self


class PushRequest(_Wire):
    protocol: int
    sessions: list[SessionPayload] = Field(min_length=1, max_length=MAX_BATCH_SESSIONS)


class PushResponse(_Wire):
    protocol: int = PROTOCOL_VERSION
    acknowledged: list[UUID] = Field(
        description="every session of the batch, now stored at the hub (newly or before)"
    )
    stored: int = Field(description="how many were new")
    duplicates: int = Field(description="how many the hub already had")


class RosterRequest(_Wire):
    protocol: int
    athletes: list[AthleteProfile] = Field(default_factory=list, max_length=MAX_ROSTER)


class RosterResponse(_Wire):
    protocol: int = PROTOCOL_VERSION
    athletes: list[RosterAthlete]
    server_time: float


class HeartbeatRequest(_Wire):
    protocol: int
    pad_version: Text = Field(max_length=40)
    queued_sessions: int = Field(ge=0, le=10_000_000)
    rejected_sessions: int = Field(0, ge=0, le=10_000_000)
    last_error: Text = Field("", max_length=500)


class HeartbeatResponse(_Wire):
    protocol: int = PROTOCOL_VERSION
    pad_id: int
    pad_name: str
    server_time: float


class HubInfo(_Wire):
    """``GET /api/sync``: what a hub speaks, asked without a token (pairing checks it)."""

    service: Literal["nhc-scale hub"] = "nhc-scale hub"
    protocols: list[int]
    hub_version: str
