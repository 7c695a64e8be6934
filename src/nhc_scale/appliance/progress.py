"""An athlete's progress as the page and exports show it: the best minimum per session of one
variation, its trend and forecast (analysis/progress.py), the strength at each point, and
notes when the log shows more training than the tutorial advises."""

from __future__ import annotations

from typing import Any

from nhc_scale.analysis import progress as progress_model
from nhc_scale.appliance.recorder import session_summary
from nhc_scale.appliance.strength import STRENGTH_VARIATION, anthropometry, estimate_keys
from nhc_scale.appliance.views import iso
from nhc_scale.store import AthleteRecord, Store


def athlete_progress(
    store: Store, athlete: AthleteRecord, variation: str, now_unix: float
) -> dict[str, Any]:
    sessions = list(reversed(store.list_sessions(athlete_id=athlete.id)))  # oldest first
    counts: dict[str, int] = {}
    points = []
    times: list[float] = []
    bests: list[float] = []
    log: list[tuple[float, int]] = []
    for session in sessions:
        counts[session.variation] = counts.get(session.variation, 0) + 1
        reps = store.reps(session.id)
        set_count = session_summary(reps)["set_count"] if reps else 0
        if reps:
            log.append((session.started_at, set_count))
        if session.variation != variation or session.best_min_kg is None:
            continue
        times.append(session.started_at)
        bests.append(session.best_min_kg)
        point = {
            "session_id": session.id,
            "started_at": iso(session.started_at),
            "best_min_kg": session.best_min_kg,
            "rep_count": session.rep_count,
            "set_count": set_count,
        }
        if variation == STRENGTH_VARIATION and session.best_min_kg > 0:
            best = estimate_keys(session.best_min_kg, anthropometry(athlete), athlete.relaxed_kg)
            point["ankle_force_per_leg_n"] = best["ankle_force_per_leg_n"]
            point["torque_nm"] = best["torque_nm"]
        points.append(point)
    fit = progress_model.progress(times, bests)
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
        "training_notes": progress_model.training_notes(log, now_unix),
        "advice": f"{progress_model.ADVICE_SETS}, {progress_model.ADVICE_FREQUENCY}",
    }
