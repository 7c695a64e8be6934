"""Athletes as the user handles them: profiles, the active one (whose sessions new ones are),
the relaxed reading, progress and exports. Profiles are checked by the same lever model the
strength estimate uses, so a profile saved is one that gives estimates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nhc_scale.analysis.strength import Anthropometry
from nhc_scale.appliance.errors import AthleteHasSessions, Invalid, RelaxedRefused
from nhc_scale.appliance.phone_clock import PhoneClock
from nhc_scale.appliance.progress import athlete_progress
from nhc_scale.appliance.recorder import session_summary
from nhc_scale.appliance.sessions import Sessions
from nhc_scale.appliance.strength import (
    RELAXED_WINDOW_S,
    STRENGTH_VARIATION,
    anthropometry,
    relaxed_level,
    with_strength,
)
from nhc_scale.appliance.views import Athlete, Session
from nhc_scale.store import AthleteRecord, Store

#: Fields a profile cannot be without (null is refused for them).
REQUIRED = ("name", "body_mass_kg", "height_m")


class Athletes:
    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        clock: PhoneClock,
        recent_force: Callable[[float], tuple[np.ndarray, np.ndarray]],
    ) -> None:
        self._store = store
        self._sessions = sessions
        self._clock = clock
        self._recent_force = recent_force

    # ----- reads ----------------------------------------------------------------------------
    def record(self, athlete_id: int) -> AthleteRecord:
        return self._store.require_athlete(athlete_id)

    def view(self, record: AthleteRecord) -> Athlete:
        return Athlete.of(record, anthropometry(record), self._store.active_athlete_id())

    def get(self, athlete_id: int) -> Athlete:
        return self.view(self.record(athlete_id))

    def list_all(self) -> dict[str, Any]:
        """By name, and which one is active."""
        active = self._store.active_athlete_id()
        return {
            "athletes": [
                Athlete.of(record, anthropometry(record), active)
                for record in self._store.list_athletes()
            ],
            "active_athlete_id": active,
        }

    def progress(self, athlete_id: int, variation: str) -> dict[str, Any]:
        return athlete_progress(
            self._store, self.record(athlete_id), variation, self._clock.wall_time()
        )

    def export(self, athlete_id: int) -> tuple[AthleteRecord, list[dict[str, Any]]]:
        """The athlete and their sessions, oldest first, each with its reps and strength."""
        record = self.record(athlete_id)
        now = self._clock.wall_time()
        sessions = []
        for session in reversed(self._store.list_sessions(athlete_id=record.id)):
            reps = with_strength(self._store.reps(session.id), record, session.variation)
            sessions.append(
                {
                    "session": Session.of(session, now),
                    "summary": session_summary(reps),
                    "strength_method": strength_method(record, session.variation),
                    "reps": reps,
                }
            )
        return record, sessions

    # ----- changes --------------------------------------------------------------------------
    def create(self, fields: dict[str, Any]) -> Athlete:
        check_profile(fields)
        return self.view(self._store.create_athlete(fields, self._clock.wall_time()))

    def update(self, athlete_id: int, changes: dict[str, Any]) -> Athlete:
        """Any subset of the profile; null clears the optional fields and the relaxed
        reading."""
        record = self.record(athlete_id)
        for required in REQUIRED:
            if required in changes and changes[required] is None:
                raise Invalid(f"invalid athlete: {required} cannot be cleared")
        check_profile({**_profile(record), **changes})
        if "relaxed_kg" in changes:
            changes["relaxed_at"] = (
                None if changes["relaxed_kg"] is None else self._clock.wall_time()
            )
        return self.view(self._store.update_athlete(athlete_id, changes))

    def delete(self, athlete_id: int, unassign: bool) -> None:
        """Refused while sessions belong to the athlete, unless ``unassign``: then they stay,
        with their reps, as unassigned. Sessions are never deleted from here."""
        record = self.record(athlete_id)
        if record.session_count and not unassign:
            plural = "s" if record.session_count != 1 else ""
            raise AthleteHasSessions(
                f"{record.name} has {record.session_count} session{plural}: delete them first, "
                "or delete with ?unassign=true to keep them as unassigned"
            )
        self._store.delete_athlete(athlete_id)

    def set_active(self, athlete_id: int | None) -> dict[str, Any]:
        """New sessions belong to the active athlete; a session running for someone else is
        stopped (its reps are theirs) or, still without reps, handed over."""
        if athlete_id is not None:
            self.record(athlete_id)
        self._store.set_active_athlete(athlete_id)
        stopped, reassigned = self._sessions.hand_over_or_stop(athlete_id)
        return {
            "active_athlete_id": athlete_id,
            "athlete": None if athlete_id is None else self.get(athlete_id),
            "stopped_session_id": stopped,
            "reassigned_session_id": reassigned,
        }

    def record_relaxed(self, athlete_id: int) -> dict[str, Any]:
        """The pad's reading over the newest steady 2 s (or more) becomes the relaxed load."""
        record = self.record(athlete_id)
        t_s, kg = self._recent_force(RELAXED_WINDOW_S)
        level = relaxed_level(t_s, kg)
        if level["relaxed_kg"] >= record.body_mass_kg:
            raise RelaxedRefused(
                f"the pad read {level['relaxed_kg']:.1f} kg, not less than {record.name}'s body "
                f"mass ({record.body_mass_kg:g} kg): was someone else on it, or is the body mass "
                "wrong?"
            )
        updated = self._store.update_athlete(
            athlete_id, {"relaxed_kg": level["relaxed_kg"], "relaxed_at": self._clock.wall_time()}
        )
        return {"athlete": self.view(updated), **level}


def strength_method(record: AthleteRecord, variation: str) -> str | None:
    if variation != STRENGTH_VARIATION:
        return None
    return "relaxed-reference" if record.relaxed_kg is not None else "anthropometric"


def check_profile(fields: dict[str, Any]) -> None:
    """The strength estimate's own checks (e.g. the ankle nearer the knee than the hands)."""
    try:
        Anthropometry.from_body(
            fields["body_mass_kg"],
            fields["height_m"],
            knee_to_hands_m=fields.get("knee_to_hands_m"),
            knee_to_ankle_m=fields.get("knee_to_ankle_m"),
        )
    except ValueError as error:
        raise Invalid(f"invalid athlete: {error}") from error
    relaxed = fields.get("relaxed_kg")
    if relaxed is not None and relaxed >= fields["body_mass_kg"]:
        raise Invalid(
            f"invalid athlete: a relaxed reading of {relaxed:g} kg is not less than the body "
            f"mass {fields['body_mass_kg']:g} kg (the knees carry part of the body)"
        )


def _profile(record: AthleteRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AthleteRecord.profile_fields()}
