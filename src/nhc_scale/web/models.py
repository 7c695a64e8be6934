"""Request and response models: the shapes of docs/api.md, checked at the edge.

The entities themselves (a session, an athlete, a rep, a gap, the preferences) have one model
each, in the appliance (appliance/views.py, appliance/prefs.py): the live stream sends the same
shapes. Here are the requests, and the envelopes that hold entities.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from nhc_scale.analysis.progress import VARIATIONS
from nhc_scale.analysis.strength import DISTANCE_RANGE_M, HEIGHT_RANGE_M, MASS_RANGE_KG
from nhc_scale.appliance.prefs import Prefs
from nhc_scale.appliance.views import Athlete, Gap, Rep, Session
from nhc_scale.store import MAX_ROW_ID
from nhc_scale.web.text import Notes, PersonName, SessionName

Variation = Literal[VARIATIONS]  # type: ignore[valid-type]
# An id in a body: what SQLite can hold (a bigger one is a 422 naming the field).
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionCreate(Strict):
    name: SessionName = None


class SessionPatch(Strict):
    name: SessionName = None  # blank: no name
    notes: Notes = None
    athlete_id: RowId | None = None  # null: unassigned
    variation: Variation | None = None


class CalibrationRequest(Strict):
    mass_kg: float = Field(..., ge=0.5, le=500, allow_inf_nan=False)


def _partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """``model`` with every field optional (same bounds), for a PATCH-like body."""
    fields: dict[str, Any] = {
        field_name: (
            Optional[field.annotation],  # noqa: UP045 - a runtime type, not an annotation
            FieldInfo.merge_field_infos(field, default=None),
        )
        for field_name, field in model.model_fields.items()
    }
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


#: Any subset of the preferences; a null unit or flag means "leave it" (prefs.CLEARABLE).
PrefsPatch = _partial(Prefs, "PrefsPatch")


class SessionList(BaseModel):
    sessions: list[Session]


class Target(BaseModel):
    best_min_kg: float
    session_id: int
    started_at: str | None


class Targets(BaseModel):
    """What a session's reps are measured against (appliance/progress.py): the best of the
    training day before the session's own, and the best of all the days before it."""

    last: Target | None
    best: Target | None


class SessionDetail(BaseModel):
    session: Session
    reps: list[Rep]
    summary: dict
    gaps: list[Gap]
    strength: dict[str, Any] | None = None  # with an athlete: method, caveat, thresholds
    targets: Targets | None = None


class Trace(BaseModel):
    t_s: list[float]
    force_kg: list[float]
    reps: list[Rep]


class ProgressPoint(BaseModel):
    session_id: int
    started_at: str | None
    best_min_kg: float | None
    rep_count: int


class Progress(BaseModel):
    points: list[ProgressPoint]


class TareResult(BaseModel):
    zero_counts: float
    tared_at: str
    zeroed_kg: float | None = None  # the load the pad read when zeroed; null on the first tare


class CalibrationResult(BaseModel):
    counts_per_kg: float
    calibrated_at: str


class Sensor(BaseModel):
    model_config = ConfigDict(extra="allow")
    backend: str
    emulated: bool
    status: str
    message: str
    configured_sps: int
    measured_sps: float | None
    samples: int
    missed_conversions: int
    rejected_reads: int
    rejected: dict[str, int]
    restarts: int
    realtime: str


class StoreStatus(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str
    path: str
    size_bytes: int
    message: str


class CalibrationStatus(BaseModel):
    tared: bool
    calibrated: bool
    counts_per_kg: float
    zero_counts: float


class Clock(BaseModel):
    synced: bool
    phone_offset_s: float | None


class PhoneTime(Strict):
    # Checked against what a phone can show by the clock unit (a sentence, not a bound).
    phone_time_unix: float = Field(..., ge=0, le=1e11, allow_inf_nan=False)


class ClockResult(Clock):
    corrected_sessions: list[int]


class PipelineStatus(BaseModel):
    status: Literal["ok", "error"]
    message: str


# ---- the team hub (docs/hub.md, "The pad's side") ----------------------------------------------
class RefusedSession(BaseModel):
    session_id: int
    reason: str


class HubSyncState(BaseModel):
    """Whether and how this pad syncs with a team hub; never the token."""

    paired: bool
    source: Literal["settings", "pairing"] | None = Field(
        description="where the hub comes from: the settings (NHC_HUB_URL, NHC_HUB_TOKEN) or a "
        "pairing made on the page or with `nhc-scale pair`"
    )
    hub_url: str | None
    pad_name: str | None = Field(description="the hub's name for this pad")
    paired_at_unix: float | None
    status: Literal["unpaired", "starting", "syncing", "ok", "error", "stopped"]
    queued: int = Field(description="finished sessions waiting for the hub")
    rejected: int = Field(description="sessions the hub refused, kept on the pad")
    refused_sessions: list[RefusedSession] = Field(
        description="the newest refused sessions (at most 5), with the reason"
    )
    last_error: str = Field(description="one sentence; empty after a good exchange")
    last_success_unix: float | None
    last_attempt_unix: float | None
    next_attempt_unix: float | None
    consecutive_failures: int
    sent_sessions: int = Field(description="acknowledged by the hub since the pad started")


class PairRequest(Strict):
    hub_url: str = Field(..., min_length=1, max_length=500)
    pad_token: str = Field(..., min_length=1, max_length=500)


class Health(BaseModel):
    status: Literal["ok", "degraded", "error"]
    version: str
    demo: bool
    sensor: Sensor
    store: StoreStatus
    calibration: CalibrationStatus
    clock: Clock
    pipeline: PipelineStatus
    hub: HubSyncState


# ---- athletes --------------------------------------------------------------------------------
Mass = Field(..., ge=MASS_RANGE_KG[0], le=MASS_RANGE_KG[1], allow_inf_nan=False)
Height = Field(..., ge=HEIGHT_RANGE_M[0], le=HEIGHT_RANGE_M[1], allow_inf_nan=False)


def _distance() -> Any:
    return Field(None, ge=DISTANCE_RANGE_M[0], le=DISTANCE_RANGE_M[1], allow_inf_nan=False)


class AthleteCreate(Strict):
    name: PersonName
    body_mass_kg: float = Mass
    height_m: float = Height
    knee_to_hands_m: float | None = _distance()
    knee_to_ankle_m: float | None = _distance()


class AthletePatch(Strict):
    """Any subset; null clears the optional distances and the relaxed reading."""

    name: PersonName | None = None
    body_mass_kg: float | None = Field(
        None, ge=MASS_RANGE_KG[0], le=MASS_RANGE_KG[1], allow_inf_nan=False
    )
    height_m: float | None = Field(
        None, ge=HEIGHT_RANGE_M[0], le=HEIGHT_RANGE_M[1], allow_inf_nan=False
    )
    knee_to_hands_m: float | None = _distance()
    knee_to_ankle_m: float | None = _distance()
    relaxed_kg: float | None = Field(None, ge=1, le=MASS_RANGE_KG[1], allow_inf_nan=False)


class AthleteList(BaseModel):
    athletes: list[Athlete]
    active_athlete_id: int | None


class ActiveAthleteRequest(Strict):
    athlete_id: RowId | None


class ActiveAthlete(BaseModel):
    active_athlete_id: int | None
    athlete: Athlete | None
    stopped_session_id: int | None = None  # the running session of the athlete before
    reassigned_session_id: int | None = None  # the running session, still empty, now theirs


class RelaxedResult(BaseModel):
    athlete: Athlete
    relaxed_kg: float
    steady_s: float
    spread_kg: float


class AthleteProgressPoint(BaseModel):
    model_config = ConfigDict(extra="allow")
    session_id: int
    started_at: str | None
    best_min_kg: float
    rep_count: int
    set_count: int


class AthleteProgress(BaseModel):
    athlete_id: int
    variation: str
    points: list[AthleteProgressPoint]
    trend: dict[str, Any] | None
    forecast: dict[str, Any]
    variations: list[dict[str, Any]]
    training_notes: list[dict[str, Any]]
    advice: str
