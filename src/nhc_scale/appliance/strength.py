"""What an athlete's profile adds to their reps: the strength estimate of each assisted rep, the
context it is read with, and the relaxed reading.

The estimate applies to sessions of an athlete whose variation is "assisted": only then are the
hands on the pad at the bottom, the body in the posture the lever model assumes, and the minimum
a measure of the knee flexors (docs/strength.md).
"""

from __future__ import annotations

import functools
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
from nhc_scale.appliance.errors import RelaxedRefused
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
def estimate_keys(min_kg: float, anthro: Anthropometry, relaxed_kg: float | None) -> dict[str, Any]:
    """About a millisecond each (the band is 4000 draws): cached, since every page load and
    export asks again for the same reps."""
    return estimate(min_kg, anthro, relaxed_kg=relaxed_kg).rep_keys()


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
        out.append({**rep, **estimate_keys(minimum, anthro, athlete.relaxed_kg)})
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
