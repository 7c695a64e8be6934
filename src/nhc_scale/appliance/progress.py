"""An athlete's progress as the page and exports show it: the best minimum per training day of one
variation, its trend and forecast (analysis/progress.py), the strength at each point, and notes
when the log shows more training than the tutorial advises. Also a session's **targets**: the
best of the training day before it and the best of all days before it, which the live page puts
beside the effort's minimum."""

from __future__ import annotations

from typing import Any

from nhc_scale.analysis import progress as progress_model
from nhc_scale.appliance.recorder import session_summary
from nhc_scale.appliance.strength import STRENGTH_VARIATION, anthropometry, estimate_keys
from nhc_scale.appliance.views import iso
from nhc_scale.store import AthleteRecord, SessionRecord, Store


def athlete_progress(
    store: Store, athlete: AthleteRecord, variation: str, now_unix: float
) -> dict[str, Any]:
    sessions = list(reversed(store.list_sessions(athlete_id=athlete.id)))  # oldest first
    counts: dict[str, int] = {}
    log: list[tuple[float, int]] = []
    plotted: list[tuple[SessionRecord, int]] = []  # (session, its sets) with reps, of `variation`
    for session in sessions:
        counts[session.variation] = counts.get(session.variation, 0) + 1
        reps = store.reps(session.id)
        set_count = session_summary(reps)["set_count"] if reps else 0
        if reps:
            log.append((session.started_at, set_count))
        if session.variation == variation and session.best_min_kg is not None:
            plotted.append((session, set_count))
    points = [
        _day_point(day, athlete, variation)
        for day in _days_of([session for session, _ in plotted], [sets for _, sets in plotted])
    ]
    fit = progress_model.progress(
        [session.started_at for session, _ in plotted], [_best(session) for session, _ in plotted]
    )
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


def _days_of(
    sessions: list[SessionRecord], set_counts: list[int]
) -> list[list[tuple[SessionRecord, int]]]:
    return [
        [(sessions[i], set_counts[i]) for i in day]
        for day in progress_model.training_days([s.started_at for s in sessions])
    ]


def _day_point(
    day: list[tuple[SessionRecord, int]], athlete: AthleteRecord, variation: str
) -> dict[str, Any]:
    """One training day: when it began, its best minimum and the session that holds it."""
    best = min((session for session, _ in day), key=_best)
    best_kg = _best(best)
    point: dict[str, Any] = {
        "session_id": best.id,
        "session_ids": [session.id for session, _ in day],
        "started_at": iso(day[0][0].started_at),
        "best_min_kg": best_kg,
        "rep_count": sum(session.rep_count for session, _ in day),
        "set_count": sum(sets for _, sets in day),
    }
    if variation == STRENGTH_VARIATION and best_kg > 0:
        estimate = estimate_keys(best_kg, anthropometry(athlete), athlete.relaxed_kg)
        point["ankle_force_per_leg_n"] = estimate["ankle_force_per_leg_n"]
        point["torque_nm"] = estimate["torque_nm"]
    return point


def session_targets(store: Store, session: SessionRecord) -> dict[str, Any]:
    """What the session's reps are measured against: the best minimum of the training day before
    the session's own (``last``) and the best of all the days before it (``best``), from the
    sessions of the same athlete (or of nobody) and variation; each null when there is none."""
    others = [
        s
        for s in store.list_sessions(athlete_id=session.athlete_id)
        if s.variation == session.variation
        and (
            s.id == session.id or (s.best_min_kg is not None and s.started_at <= session.started_at)
        )
    ]
    days = progress_model.training_days([s.started_at for s in others])
    own = next(n for n, day in enumerate(days) if any(others[i].id == session.id for i in day))
    before = [min((others[i] for i in day), key=_best) for day in days[:own]]
    if not before:
        return {"last": None, "best": None}
    best = min(before, key=_best)
    return {"last": _target(before[-1]), "best": _target(best)}


def _best(session: SessionRecord) -> float:
    """A session's best minimum; sessions without reps (None) sort last."""
    return float("inf") if session.best_min_kg is None else session.best_min_kg


def _target(session: SessionRecord) -> dict[str, Any]:
    return {
        "best_min_kg": session.best_min_kg,
        "session_id": session.id,
        "started_at": iso(session.started_at),
    }
