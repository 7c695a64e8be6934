"""What the store hands out: plain frozen values, safe to pass between threads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SessionRecord:
    """A session as stored: one field per column of ``sessions`` (read by name, so a new
    column is a new field here), then its rep statistics (including reps not yet flushed)."""

    id: int
    name: str | None
    notes: str
    started_at: float  # unix seconds
    ended_at: float | None  # unix seconds; None while it runs
    start_ns: int  # CLOCK_MONOTONIC ns of the session's t_s = 0
    clock_synced: bool  # the wall clock was NTP-synced when it started
    athlete_id: int | None  # None: unassigned
    variation: str  # the exercise variation (analysis/progress.py VARIATIONS)
    uuid: str  # the session's id everywhere, a team hub included
    # From its reps, not columns:
    rep_count: int = 0
    best_min_kg: float | None = None
    median_min_kg: float | None = None

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class GapRecord:
    """A hole in a session's recording: from the last sample before it to the first after."""

    start_ns: int  # CLOCK_MONOTONIC ns
    end_ns: int
    reason: str  # "sampler restarted", "sensor not answering", "store_overflow"


@dataclass(frozen=True)
class SampleArrays:
    """A session's samples in time order; ``force_kg`` uses the calibration stored with them."""

    t_ns: np.ndarray  # int64, CLOCK_MONOTONIC ns
    counts: np.ndarray  # int32, raw HX711 counts
    force_kg: np.ndarray  # float64, counts_to_kg(counts, zero, cpk) block by block

    def __len__(self) -> int:
        return int(self.t_ns.size)


@dataclass(frozen=True)
class AthleteRecord:
    """An athlete's profile, one field per column of ``athletes`` (read by name), and how many
    sessions are theirs."""

    id: int
    name: str
    body_mass_kg: float
    height_m: float
    knee_to_hands_m: float | None  # None: derived from height
    knee_to_ankle_m: float | None
    relaxed_kg: float | None  # pad reading with the hamstrings relaxed, if recorded
    relaxed_at: float | None  # unix seconds
    created_at: float  # unix seconds
    uuid: str  # the athlete's one id on every pad and at a team hub
    session_count: int = 0  # not a column: counted from sessions

    @classmethod
    def profile_fields(cls) -> tuple[str, ...]:
        """The columns a person sets (the rest are the id and what the store keeps)."""
        return tuple(name for name in cls.__dataclass_fields__ if name not in PROFILE_EXCLUDED)


PROFILE_EXCLUDED = frozenset({"id", "created_at", "uuid", "session_count"})
