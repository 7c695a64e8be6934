"""Athletes as the API shows them, and what they add to sessions: the strength estimate of each
assisted rep, progress with its trend and forecast, and the training notes.

Plain dicts, no web framework. The strength estimate applies to sessions of an athlete whose
variation is "assisted": only then are the hands on the pad at the bottom, the body in the
posture the lever model assumes, and the minimum a measure of the knee flexors.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np

from nhc_scale.analysis import progress as progress_model
from nhc_scale.analysis.strength import (
    CAVEAT,
    THRESHOLDS,
    Anthropometry,
    RelaxedLevelError,
    estimate,
    find_relaxed_level,
)
from nhc_scale.appliance.recorder import session_summary
from nhc_scale.appliance.views import iso
from nhc_scale.store import AthleteRecord, SessionRecord, Store

BAND = "10th-90th percentile over the anthropometric assumptions"
RELAXED_WINDOW_S = 4.0  # the newest readings searched for a steady stretch of at least 2 s
STRENGTH_VARIATION = "assisted"


def anthropometry(athlete: AthleteRecord) -> Anthropometry:
    return _anthropometry(
        athlete.body_mass_kg, athlete.height_m, athlete.knee_to_hands_m, athlete.knee_to_ankle_m
    )


@functools.lru_cache(maxsize=64)
def _anthropometry(
    mass: float, height: float, hands: float | None, ankle: float | None
) -> Anthropometry:
    return Anthropometry.from_body(mass, height, knee_to_hands_m=hands, knee_to_ankle_m=ankle)


@functools.lru_cache(maxsize=4096)
def _estimate(min_kg: float, anthro: Anthropometry, relaxed_kg: float | None) -> dict[str, Any]:
    """About a millisecond each (the band is 4000 draws): cached, since every page load and
    export asks again for the same reps."""
    return estimate(min_kg, anthro, relaxed_kg=relaxed_kg).rep_keys()


def athlete_view(athlete: AthleteRecord, active_id: int | None = None) -> dict[str, Any]:
    anthro = anthropometry(athlete)
    return {
        "id": athlete.id,
        "name": athlete.name,
        "body_mass_kg": athlete.body_mass_kg,
        "height_m": athlete.height_m,
        "knee_to_hands_m": athlete.knee_to_hands_m,
        "knee_to_ankle_m": athlete.knee_to_ankle_m,
        "relaxed_kg": athlete.relaxed_kg,
        "relaxed_at": iso(athlete.relaxed_at),
        "created_at": iso(athlete.created_at),
        "active": athlete.id == active_id,
        "session_count": athlete.session_count,
        "lever": {
            "knee_to_hands_m": round(anthro.knee_to_hands_m, 3),
            "knee_to_ankle_m": round(anthro.knee_to_ankle_m, 3),
            "hands_measured": anthro.hands_measured,
            "ankle_measured": anthro.ankle_measured,
            "predicted_relaxed_kg": round(anthro.predicted_relaxed_kg, 1),
        },
    }


def strength_info() -> dict[str, Any]:
    """What every strength number is to be read with."""
    return {
        "contraction": "concentric",
        "caveat": CAVEAT,
        "band": BAND,
        "thresholds": THRESHOLDS,
        "applies_to": "assisted reps of sessions that have an athlete, variation 'assisted'",
        "variations": [
            {"id": key, "label": progress_model.VARIATION_LABELS[key]}
            for key in progress_model.VARIATIONS
        ],
    }


def strength_block(athlete: AthleteRecord | None, session: SessionRecord) -> dict[str, Any] | None:
    """A session's strength context: method and lever, or why there is no estimate."""
    if athlete is None:
        return None
    applies = session.variation == STRENGTH_VARIATION
    return {
        "athlete_id": athlete.id,
        "athlete_name": athlete.name,
        "applies": applies,
        "reason": ""
        if applies
        else f"no estimate for the variation {session.variation!r}: the lever model assumes the "
        "hands on the pad and the arms carrying nothing",
        "method": "relaxed-reference" if athlete.relaxed_kg is not None else "anthropometric",
        "relaxed_kg": athlete.relaxed_kg,
        "body_mass_kg": athlete.body_mass_kg,
        "caveat": CAVEAT,
        "band": BAND,
        "thresholds": THRESHOLDS,
    }


def with_strength(
    reps: list[dict[str, Any]], athlete: AthleteRecord | None, variation: str
) -> list[dict[str, Any]]:
    """The reps, each assisted one with its strength estimate when the session has an athlete.

    Unassisted reps get none: their minimum is 0 whatever the strength, so the torque would
    only be a lower bound.
    """
    if athlete is None or variation != STRENGTH_VARIATION:
        return reps
    anthro = anthropometry(athlete)
    out = []
    for rep in reps:
        if rep.get("unassisted") or rep.get("min_assistance_kg") is None:
            out.append(rep)
            continue
        minimum = max(0.0, round(float(rep["min_assistance_kg"]), 3))
        out.append({**rep, **_estimate(minimum, anthro, athlete.relaxed_kg)})
    return out


def session_athlete(store: Store, session: SessionRecord) -> AthleteRecord | None:
    return None if session.athlete_id is None else store.get_athlete(session.athlete_id)


def session_reps_with_strength(
    store: Store, session: SessionRecord
) -> tuple[list[dict[str, Any]], AthleteRecord | None]:
    athlete = session_athlete(store, session)
    return with_strength(store.reps(session.id), athlete, session.variation), athlete


def rep_with_strength(store: Store, session_id: int, rep: dict[str, Any]) -> dict[str, Any]:
    """For the live rep event: the same numbers the session's detail will show."""
    session = store.get_session(session_id)
    if session is None:
        return rep
    return with_strength([rep], session_athlete(store, session), session.variation)[0]


def athlete_progress(
    store: Store, athlete: AthleteRecord, variation: str, now_unix: float | None = None
) -> dict[str, Any]:
    """Best minimum per session of one variation, its trend and forecast; the variations the
    athlete has sessions of; and notes when the log shows more training than advised."""
    now = time.time() if now_unix is None else now_unix
    sessions = list(reversed(store.list_sessions(athlete_id=athlete.id)))  # oldest first
    counts: dict[str, int] = {}
    points = []
    log: list[tuple[float, int]] = []
    for session in sessions:
        counts[session.variation] = counts.get(session.variation, 0) + 1
        reps = store.reps(session.id)
        set_count = session_summary(reps)["set_count"] if reps else 0
        if reps:
            log.append((session.started_at, set_count))
        if session.variation != variation or session.best_min_kg is None:
            continue
        point = {
            "session_id": session.id,
            "started_at": iso(session.started_at),
            "best_min_kg": session.best_min_kg,
            "rep_count": session.rep_count,
            "set_count": set_count,
        }
        if variation == STRENGTH_VARIATION and session.best_min_kg > 0:
            best = _estimate(session.best_min_kg, anthropometry(athlete), athlete.relaxed_kg)
            point["ankle_force_per_leg_n"] = best["ankle_force_per_leg_n"]
            point["torque_nm"] = best["torque_nm"]
        points.append(point)
    t = [session.started_at for session in sessions if _plotted(session, variation)]
    y = [session.best_min_kg for session in sessions if _plotted(session, variation)]
    fit = progress_model.progress(t, y)
    return {
        "athlete_id": athlete.id,
        "variation": variation,
        "points": points,
        "trend": fit["trend"],
        "forecast": fit["forecast"],
        "variations": [
            {
                "id": key,
                "label": progress_model.VARIATION_LABELS[key],
                "session_count": counts.get(key, 0),
            }
            for key in progress_model.VARIATIONS
        ],
        "training_notes": progress_model.training_notes(log, now),
        "advice": f"{progress_model.ADVICE_SETS}, {progress_model.ADVICE_FREQUENCY}",
    }


def _plotted(session: SessionRecord, variation: str) -> bool:
    return session.variation == variation and session.best_min_kg is not None


class RelaxedRefused(Exception):
    """No steady relaxed level in the newest readings (409)."""


def relaxed_level(t_s: np.ndarray, force_kg: np.ndarray) -> dict[str, Any]:
    """The relaxed level in the newest readings, or RelaxedRefused saying what to do."""
    try:
        level = find_relaxed_level(t_s, force_kg)
    except RelaxedLevelError as error:
        raise RelaxedRefused(
            f"No relaxed level recorded: {error}. The reading needs 2 s of stillness at the "
            "bottom, hands on the pad, hamstrings relaxed."
        ) from error
    return {
        "relaxed_kg": round(level.level_kg, 2),
        "steady_s": round(level.end_s - level.start_s, 2),
        "spread_kg": round(level.spread_kg, 3),
    }
