"""How close the strength estimate gets to the synthetic athlete's true knee torque.

For a generated recording: run the detector, match its reps to the truth (one-to-one by time
overlap, as the rep-accuracy scoring does), estimate the torque from each DETECTED minimum with
the athlete's body mass and height only (what a user would type in; the true segment distances
stay hidden), and compare with the truth's knee torque at the minimum.

Only reps that both the truth and the detector call assisted are scored: for an unassisted rep the
truth's torque is the gravity torque, a lower bound of what the athlete produced, and the CLI
gives no torque for it either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from nhc_scale.analysis.detector import analyze
from nhc_scale.analysis.strength import Anthropometry, estimate
from nhc_scale_lab.scoring import match

Minimum = Literal["detected", "true"]


@dataclass(frozen=True)
class TorqueError:
    truth_index: int
    min_kg: float  # the minimum the estimate used (detected, or the truth's)
    true_min_kg: float
    true_torque_nm: float
    torque_nm: float
    torque_low_nm: float
    torque_high_nm: float

    @property
    def rel_error(self) -> float:
        return (self.torque_nm - self.true_torque_nm) / self.true_torque_nm

    @property
    def in_band(self) -> bool:
        return self.torque_low_nm <= self.true_torque_nm <= self.torque_high_nm


def score_torque(
    t_s: np.ndarray,
    force_kg: np.ndarray,
    truth: Mapping[str, Any],
    relaxed: bool = False,
    minimum: Minimum = "detected",
) -> list[TorqueError]:
    """Per matched assisted rep, the estimated vs the true knee torque at the minimum.

    ``relaxed``: use the athlete's true relaxed load as if it had been measured (the relaxed-
    reference method; isolates the knee-to-hands assumption). ``minimum="true"``: use the truth's
    minimum instead of the detector's (isolates the anthropometric model from detection error).
    """
    athlete = truth["athlete"]
    anthro = Anthropometry.from_body(athlete["mass_kg"], athlete["height_m"])
    relaxed_kg = float(athlete["relaxed_kg"]) if relaxed else None
    detected = [rep.to_dict() for rep in analyze(t_s, force_kg).reps]
    reps: Sequence[Mapping[str, Any]] = truth["reps"]
    out = []
    for i, j in match(detected, reps):
        true_rep, found = reps[j], detected[i]
        if true_rep["unassisted"] or found["unassisted"]:
            continue
        used = float(
            true_rep["min_assistance_kg"] if minimum == "true" else found["min_assistance_kg"]
        )
        result = estimate(used, anthro, relaxed_kg=relaxed_kg)
        out.append(
            TorqueError(
                truth_index=j,
                min_kg=used,
                true_min_kg=float(true_rep["min_assistance_kg"]),
                true_torque_nm=float(true_rep["knee_torque_at_min_nm"]),
                torque_nm=result.torque_nm,
                torque_low_nm=result.torque_low_nm,
                torque_high_nm=result.torque_high_nm,
            )
        )
    return out


def summarize_errors(errors: Sequence[TorqueError]) -> dict[str, float | int]:
    """Median absolute relative error, 10th and 90th percentile of the signed relative error,
    share of true torques inside the band, and the number of reps."""
    rel = np.array([e.rel_error for e in errors], dtype=np.float64)
    if rel.size == 0:
        return {
            "median_abs_rel_error": float("nan"),
            "p10_rel_error": float("nan"),
            "p90_rel_error": float("nan"),
            "in_band": float("nan"),
            "reps": 0,
        }
    return {
        "median_abs_rel_error": float(np.median(np.abs(rel))),
        "p10_rel_error": float(np.percentile(rel, 10)),
        "p90_rel_error": float(np.percentile(rel, 90)),
        "in_band": float(np.mean([e.in_band for e in errors])),
        "reps": int(rel.size),
    }
