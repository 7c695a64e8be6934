"""The detector's accuracy over sets of synthetic sessions, as the benchmark and the tests score it.

A seed set is ``sessions`` consecutive seeds, half the sessions at each rate (even ones at
80 S/s, odd ones at 10 S/s). Judge a change on several sets, never on one: a change that helps
only on the set it was tried on is tuned to it, not better.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nhc_scale.analysis import analyze
from nhc_scale.analysis.recording import read_recording
from nhc_scale.sim.recording import Recording, generate_recording
from nhc_scale_lab.scoring import Score
from nhc_scale_lab.strength_scoring import TorqueError, score_torque

RATES = (80, 10)
#: Seed set k starts this many seeds after set 0 (sets never overlap below 1000 sessions).
SEED_SET_STRIDE = 1000

#: Called for every session with (seed, rate, the reps found as dicts, the recording).
OnSession = Callable[[int, int, list[dict[str, Any]], Recording], None]


def session_rate(index: int) -> int:
    """Half the sessions at each rate: even ones at 80 S/s, odd ones at 10 S/s."""
    return 80 if index % 2 == 0 else 10


@dataclass
class SetScore:
    """One seed set's scores per rate."""

    first_seed: int
    sessions: int
    scores: dict[int, Score] = field(default_factory=lambda: {rate: Score() for rate in RATES})
    samples: int = 0
    torque_errors: list[TorqueError] = field(default_factory=list)

    def total(self) -> Score:
        total = Score()
        for score in self.scores.values():
            total.true_positives += score.true_positives
            total.false_positives += score.false_positives
            total.false_negatives += score.false_negatives
            total.within += score.within
            total.abs_errors += score.abs_errors
            total.failures += score.failures
        return total


def score_set(
    first_seed: int,
    sessions: int,
    folder: Path | None = None,
    torque: bool = False,
    on_session: OnSession | None = None,
) -> SetScore:
    """Generate ``sessions`` sessions from ``first_seed`` on and score the reps ``analyze``
    finds against the truth. With ``folder`` each session goes through its export CSV there
    and is read back as ``nhc-scale analyze`` reads it; with ``torque`` the strength estimate
    from each detected minimum is scored against the athlete's true knee torque too."""
    result = SetScore(first_seed, sessions)
    for index in range(sessions):
        seed = first_seed + index
        rate = session_rate(index)
        recording = generate_recording(seed, nominal_sps=rate)
        t, force = recording.t_s, recording.force_kg
        label = f"session_{seed}_{rate}sps"
        if folder is not None:
            csv = folder / f"{label}.csv"
            recording.write(csv, csv.with_suffix(".truth.json"))
            t, force = read_recording(csv)
        result.samples += t.size
        reps = [rep.to_dict() for rep in analyze(t, force).reps]
        result.scores[rate].add(reps, recording.truth["reps"], rate, label)
        if torque:
            result.torque_errors += score_torque(t, force, recording.truth)
        if on_session is not None:
            on_session(seed, rate, reps, recording)
    return result


def spread(values: list[float]) -> dict[str, float]:
    """Mean, lowest, highest and spread (highest - lowest) of per-set figures."""
    return {
        "mean": round(statistics.fmean(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "spread": round(max(values) - min(values), 4),
    }


def seed_set_figures(sets: list[SetScore]) -> dict[str, dict[str, float]]:
    """Within tolerance and F1 per rate, and over both rates, across the seed sets."""
    out = {}
    for rate in RATES:
        out[f"within_{rate}sps"] = spread([s.scores[rate].within_share for s in sets])
        out[f"f1_{rate}sps"] = spread([s.scores[rate].f1 for s in sets])
    out["within"] = spread([s.total().within_share for s in sets])
    out["f1"] = spread([s.total().f1 for s in sets])
    return out
