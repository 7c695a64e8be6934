"""The hub API's request and response models (docs/hub.md#api); the sync protocol's are in
nhc_scale.sync.protocol."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nhc_scale.analysis.strength import DISTANCE_RANGE_M, HEIGHT_RANGE_M, MASS_RANGE_KG
from nhc_scale.sync.protocol import Text


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class LoginRequest(Strict):
    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=1024)


class UserView(BaseModel):
    id: int
    username: str


class LoginResult(BaseModel):
    user: UserView
    token: str = Field(
        description="send as 'Authorization: Bearer <token>' (the page uses the cookie)"
    )
    expires_after_idle_s: float


class PairRequest(Strict):
    name: Text = Field(min_length=1, max_length=100, description="e.g. 'Gym pad 1'")


class Pad(BaseModel):
    id: int
    name: str
    created_at: str
    revoked: bool
    revoked_at: str | None
    last_seen_at: str | None
    last_sync_at: str | None
    version: str | None
    protocol: int | None
    queued_sessions: int | None = Field(description="as the pad last reported it")
    rejected_sessions: int | None
    last_error: str
    session_count: int


class PadList(BaseModel):
    pads: list[Pad]


class PairResult(BaseModel):
    pad: Pad
    token: str = Field(description="shown this once: the hub keeps only its hash")
    hub_url_hint: str


def _distance() -> Any:
    return Field(None, ge=DISTANCE_RANGE_M[0], le=DISTANCE_RANGE_M[1])


class AthleteCreate(Strict):
    name: Text = Field(min_length=1, max_length=100)
    body_mass_kg: float = Field(ge=MASS_RANGE_KG[0], le=MASS_RANGE_KG[1])
    height_m: float = Field(ge=HEIGHT_RANGE_M[0], le=HEIGHT_RANGE_M[1])
    knee_to_hands_m: float | None = _distance()
    knee_to_ankle_m: float | None = _distance()


class AthletePatch(Strict):
    """Any subset; null clears the optional distances. The hub's profile wins on every pad."""

    name: Text | None = Field(None, min_length=1, max_length=100)
    body_mass_kg: float | None = Field(None, ge=MASS_RANGE_KG[0], le=MASS_RANGE_KG[1])
    height_m: float | None = Field(None, ge=HEIGHT_RANGE_M[0], le=HEIGHT_RANGE_M[1])
    knee_to_hands_m: float | None = _distance()
    knee_to_ankle_m: float | None = _distance()
    archived: bool | None = None


class Lever(BaseModel):
    knee_to_hands_m: float
    knee_to_ankle_m: float
    hands_measured: bool
    ankle_measured: bool
    predicted_relaxed_kg: float


class Athlete(BaseModel):
    uuid: str
    name: str
    body_mass_kg: float
    height_m: float
    knee_to_hands_m: float | None
    knee_to_ankle_m: float | None
    relaxed_kg: float | None
    relaxed_at: str | None
    created_at: str | None
    updated_at: str | None
    archived: bool
    session_count: int | None = None
    lever: Lever


class AthleteList(BaseModel):
    athletes: list[Athlete]


class Session(BaseModel):
    uuid: str
    pad_id: int
    pad_name: str | None
    pad_session_id: int | None
    athlete_uuid: str | None
    athlete_name: str | None
    name: str | None
    notes: str
    started_at: str | None
    ended_at: str | None
    duration_s: float
    clock_synced: bool
    variation: str
    rep_count: int
    best_min_kg: float | None
    median_min_kg: float | None
    received_at: str | None


class SessionList(BaseModel):
    sessions: list[Session]


class SessionDetail(BaseModel):
    session: Session
    reps: list[dict[str, Any]]
    summary: dict[str, Any]
    samples: int = Field(description="samples stored for the trace (0: the pad sent none)")
    strength_method: str | None


class Trace(BaseModel):
    t_s: list[float]
    force_kg: list[float]
    reps: list[dict[str, Any]]
    samples: int


class TeamAthlete(BaseModel):
    uuid: str
    name: str
    archived: bool
    body_mass_kg: float


class TeamStrength(BaseModel):
    method: str
    ankle_force_per_leg_n: float
    ankle_force_per_leg_low_n: float
    ankle_force_per_leg_high_n: float
    n_per_kg: float
    below_thresholds_n: list[float]


class TeamRow(BaseModel):
    athlete: TeamAthlete
    session_count: int
    last_session: Session | None
    best_min_kg: float | None = Field(description="the best minimum of the last assisted session")
    best_min_at: str | None
    previous_best_min_kg: float | None
    change_kg: float | None = Field(description="best_min_kg minus the session before's")
    trend: dict[str, Any] | None
    forecast: dict[str, Any]
    strength: TeamStrength | None


class TeamTable(BaseModel):
    athletes: list[TeamRow]
    unassigned_sessions: int
    strength: dict[str, Any]


class AthleteProgress(BaseModel):
    athlete: Athlete
    variation: str
    points: list[dict[str, Any]]
    trend: dict[str, Any] | None
    forecast: dict[str, Any]
    variations: list[dict[str, Any]]
    training_notes: list[dict[str, Any]]
    advice: str
    strength: dict[str, Any]
