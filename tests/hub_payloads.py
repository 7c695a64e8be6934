"""Sync-protocol payloads as a pad would send them: athletes, and finished sessions with reps in
the detector's shape (and optionally samples), made from a seed so every test can rebuild them."""

from __future__ import annotations

import random
import uuid
from typing import Any

import numpy as np

from nhc_scale.sync.samples import encode_samples

DAY_S = 86400.0
START_UNIX = 1_735_689_600.0  # 2025-01-01T00:00:00Z


def athlete(name: str, seed: int = 0, **fields: Any) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "name": name,
        "body_mass_kg": round(rng.uniform(60, 95), 1),
        "height_m": round(rng.uniform(1.65, 1.95), 2),
        "knee_to_hands_m": None,
        "knee_to_ankle_m": None,
        "relaxed_kg": None,
        "relaxed_at": None,
        "created_at": START_UNIX,
        **fields,
    }


def rep(number: int, start_s: float, min_kg: float, **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "start_s": round(start_s, 3),
        "end_s": round(start_s + 6.0, 3),
        "min_assistance_kg": round(min_kg, 3),
        "min_at_s": round(start_s + 3.5, 3),
        "unassisted": min_kg <= 0,
        "landing_peak_kg": 48.0,
        "hold_kg": 30.0,
        "push_off_peak_kg": None if min_kg <= 0 else 35.0,
        "effort_s": 2.1,
        **extra,
    }


def session(
    seed: int,
    athlete_profile: dict[str, Any] | None,
    started_at: float,
    best_kg: float,
    *,
    reps: int = 6,
    with_samples: bool = False,
    samples_s: float | None = None,
    pad_session_id: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A finished session: ``reps`` reps in two sets, the lowest minimum ``best_kg``; with
    ``with_samples``, 80 S/s samples over the reps (or over ``samples_s`` seconds)."""
    rng = random.Random(seed)
    rep_list = []
    for i in range(reps):
        in_set, set_index = i % max(1, reps // 2), i // max(1, reps // 2)
        start = 5.0 + set_index * 180.0 + in_set * 12.0
        minimum = best_kg if i == reps // 2 else best_kg + rng.uniform(0.2, 3.0)
        rep_list.append(rep(i + 1, start, max(0.0, minimum)))
    duration = (rep_list[-1]["end_s"] + 5.0) if rep_list else 30.0
    if samples_s is not None:
        duration = max(duration, samples_s)
    payload: dict[str, Any] = {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "athlete": athlete_profile,
        "pad_session_id": pad_session_id if pad_session_id is not None else seed,
        "name": None,
        "notes": "",
        "started_at": started_at,
        "ended_at": started_at + duration,
        "clock_synced": True,
        "variation": "assisted",
        "reps": rep_list,
        "summary": {
            "rep_count": reps,
            "best_min_kg": min(r["min_assistance_kg"] for r in rep_list) if rep_list else None,
        },
        **fields,
    }
    if with_samples:
        t = np.arange(0, duration, 1 / 80)
        force = 20 + 10 * np.sin(t / 3) + np.random.default_rng(seed).normal(0, 0.05, t.size)
        payload["samples"] = encode_samples(t, force)
    return payload


def weekly_history(
    athlete_profile: dict[str, Any], weeks: int, seed: int, start_kg: float = 20.0
) -> list[dict[str, Any]]:
    """A session a week, the best minimum falling ~0.15 kg a week with a little noise."""
    rng = random.Random(seed)
    out = []
    for week in range(weeks):
        best = max(0.0, start_kg - 0.15 * week + rng.uniform(-0.8, 0.8))
        out.append(
            session(
                seed * 10_000 + week,
                athlete_profile,
                START_UNIX + week * 7 * DAY_S + rng.uniform(0, 3600),
                best,
            )
        )
    return out


def push_body(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"protocol": 1, "sessions": sessions}
