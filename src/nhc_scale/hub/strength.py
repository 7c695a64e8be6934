"""The strength estimate for the hub's reps: analysis/strength.py with the hub's profile of the
athlete (the roster's, which wins over what a pad had), exactly as the pad computes it.

Like the pad, only assisted reps of sessions whose variation is "assisted" get an estimate, and
every number goes with the caveat: a concentric estimate beside eccentric thresholds.
"""

from __future__ import annotations

import functools
from typing import Any

from nhc_scale.analysis import progress as progress_model
from nhc_scale.analysis.strength import CAVEAT, THRESHOLDS, Anthropometry, estimate

BAND = "10th-90th percentile over the anthropometric assumptions"
STRENGTH_VARIATION = "assisted"


@functools.lru_cache(maxsize=256)
def _anthropometry(
    mass: float, height: float, hands: float | None, ankle: float | None
) -> Anthropometry:
    return Anthropometry.from_body(mass, height, knee_to_hands_m=hands, knee_to_ankle_m=ankle)


def anthropometry(athlete: dict[str, Any]) -> Anthropometry:
    return _anthropometry(
        athlete["body_mass_kg"],
        athlete["height_m"],
        athlete["knee_to_hands_m"],
        athlete["knee_to_ankle_m"],
    )


@functools.lru_cache(maxsize=16384)
def _estimate(min_kg: float, anthro: Anthropometry, relaxed_kg: float | None) -> dict[str, Any]:
    """About a millisecond each (4000 draws for the band): cached, since the team table asks
    for the same minima on every load."""
    return estimate(min_kg, anthro, relaxed_kg=relaxed_kg).rep_keys()


def method(athlete: dict[str, Any]) -> str:
    return "relaxed-reference" if athlete["relaxed_kg"] is not None else "anthropometric"


def for_minimum(athlete: dict[str, Any], min_kg: float) -> dict[str, Any]:
    """The estimate at one minimum (kg), rounded as the pad rounds it."""
    minimum = max(0.0, round(float(min_kg), 3))
    return _estimate(minimum, anthropometry(athlete), athlete["relaxed_kg"])


def with_strength(
    reps: list[dict[str, Any]], athlete: dict[str, Any] | None, variation: str
) -> list[dict[str, Any]]:
    """The reps, each assisted one with its estimate when the session has an athlete."""
    if athlete is None or variation != STRENGTH_VARIATION:
        return reps
    out = []
    for rep in reps:
        if rep.get("unassisted") or rep.get("min_assistance_kg") is None:
            out.append(rep)
        else:
            out.append({**rep, **for_minimum(athlete, rep["min_assistance_kg"])})
    return out


def below_thresholds(force_per_leg_n: float) -> list[float]:
    """The published thresholds (N per leg) this force is below."""
    return [t["value_n"] for t in THRESHOLDS if force_per_leg_n < t["value_n"]]


def strength_info() -> dict[str, Any]:
    """What every strength number is to be read with (the pad's ``GET /api/strength``)."""
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
