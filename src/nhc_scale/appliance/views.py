"""The entities as the API and the live stream show them: one model each, built from the store's
record (a new column is a field of the record and, if it is shown, a field here).

Plain pydantic, no web framework: the live stream (appliance) and the HTTP API (web) send the
same shapes.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from nhc_scale.analysis.strength import Anthropometry
from nhc_scale.store import AthleteRecord, GapRecord, SessionRecord


def iso(unix_s: float | None) -> str | None:
    if unix_s is None:
        return None
    return datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds")


class _FromRecord(BaseModel):
    # A record's columns that are not shown (a session's start_ns) are left out, not errors.
    model_config = ConfigDict(extra="ignore")


class Session(_FromRecord):
    id: int
    name: str | None
    notes: str
    started_at: str
    ended_at: str | None
    active: bool
    duration_s: float
    rep_count: int
    best_min_kg: float | None
    median_min_kg: float | None
    clock_synced: bool
    athlete_id: int | None
    variation: str
    uuid: str  # its id at a team hub, and everywhere else

    @classmethod
    def of(cls, record: SessionRecord, now: float) -> Session:
        """``now``: the appliance's wall time (corrected by a phone when unsynchronised), for
        the duration of a session still running."""
        ended = record.ended_at if record.ended_at is not None else now
        return cls.model_validate(
            {
                **dataclasses.asdict(record),
                "started_at": iso(record.started_at),
                "ended_at": iso(record.ended_at),
                "active": record.active,
                "duration_s": round(max(0.0, ended - record.started_at), 1),
            }
        )


class Gap(_FromRecord):
    """A hole in a session's recording, on the session's time base like its reps."""

    start_s: float
    end_s: float
    duration_s: float
    reason: str
    start_ns: int
    end_ns: int

    @classmethod
    def of(cls, gap: GapRecord, session_start_ns: int) -> Gap:
        start_s = round((gap.start_ns - session_start_ns) * 1e-9, 6)
        end_s = round((gap.end_ns - session_start_ns) * 1e-9, 6)
        return cls.model_validate(
            {
                **dataclasses.asdict(gap),
                "start_s": start_s,
                "end_s": end_s,
                "duration_s": round(end_s - start_s, 6),
            }
        )


class Lever(BaseModel):
    knee_to_hands_m: float
    knee_to_ankle_m: float
    hands_measured: bool
    ankle_measured: bool
    predicted_relaxed_kg: float

    @classmethod
    def of(cls, anthro: Anthropometry) -> Lever:
        return cls(
            knee_to_hands_m=round(anthro.knee_to_hands_m, 3),
            knee_to_ankle_m=round(anthro.knee_to_ankle_m, 3),
            hands_measured=anthro.hands_measured,
            ankle_measured=anthro.ankle_measured,
            predicted_relaxed_kg=round(anthro.predicted_relaxed_kg, 1),
        )


class Athlete(_FromRecord):
    id: int
    name: str
    body_mass_kg: float
    height_m: float
    knee_to_hands_m: float | None
    knee_to_ankle_m: float | None
    relaxed_kg: float | None
    relaxed_at: str | None
    created_at: str | None
    active: bool
    session_count: int
    lever: Lever
    uuid: str  # the athlete's one id on every pad and at a team hub

    @classmethod
    def of(cls, record: AthleteRecord, anthro: Anthropometry, active_id: int | None) -> Athlete:
        return cls.model_validate(
            {
                **dataclasses.asdict(record),
                "relaxed_at": iso(record.relaxed_at),
                "created_at": iso(record.created_at),
                "active": record.id == active_id,
                "lever": Lever.of(anthro),
            }
        )


class IgnoredSpan(BaseModel):
    """A transient inside the effort taken out before the minimum was sought."""

    kind: Literal["hand_shift", "glitch", "lost_data"] = Field(
        description="a hand shifting on the pad, a glitch bridged by a line, or lost conversions "
        "re-created by one"
    )
    start_s: float
    end_s: float


class Rep(BaseModel):
    """A stored rep: its number in the session, then the detector's fields (analysis/rep.py's
    ``Rep``, one for one: tests/test_models.py holds them together). The strength estimate's
    keys ride along as extras. The fields from ``effort_start_s`` on say where the minimum came
    from (docs/measurement.md); reps stored before the detector reported them have null there."""

    model_config = ConfigDict(extra="allow")

    number: int
    start_s: float
    end_s: float
    min_assistance_kg: float
    min_at_s: float
    unassisted: bool
    landing_peak_kg: float
    hold_kg: float
    push_off_peak_kg: float | None
    effort_s: float
    effort_start_s: float | None = Field(None, description="the fall off the hold begins")
    min_window_s: tuple[float, float] | None = Field(
        None, description="[start, end] of the 0.3 s the minimum was sustained over"
    )
    push_off_start_s: float | None = Field(
        None, description="the push-off begins; null for an unassisted rep or one not seen"
    )
    ignored: list[IgnoredSpan] | None = Field(
        None, description="transients inside the effort that were taken out, in time order"
    )
    hands_moved: bool | None = Field(
        None,
        description="a hand shift overlapped the minimum's window or lay within 0.3 s of it: "
        "keep the hands still",
    )
