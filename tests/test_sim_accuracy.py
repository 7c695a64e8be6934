"""Scoring against the synthetic athlete's truth, and the demo athlete's reps through the
detector (the accuracy gate over many sessions is tests/test_analysis_accuracy.py, the full
benchmark benchmarks/accuracy.py)."""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis import RepDetector
from nhc_scale.sim.demo import DemoAthlete
from nhc_scale_lab.scoring import Score, match, tolerance_kg


def test_scoring_matches_by_overlap_and_applies_the_tolerance() -> None:
    truth = [
        {"start_s": 0, "end_s": 8, "min_assistance_kg": 10.0},
        {"start_s": 20, "end_s": 28, "min_assistance_kg": 20.0},
    ]
    detected = [
        {"start_s": 0.1, "end_s": 7.9, "min_assistance_kg": 10.25},
        {"start_s": 40, "end_s": 45, "min_assistance_kg": 3.0},
    ]
    assert match(detected, truth) == [(0, 0)]
    score = Score()
    score.add(detected, truth, 80)
    assert (score.true_positives, score.false_positives, score.false_negatives) == (1, 1, 1)
    assert score.within == 1 and score.f1 == 0.5
    assert tolerance_kg(20.0, 80) == 0.6 and tolerance_kg(5.0, 10) == 0.75


def test_demo_athlete_reps_are_found_through_the_detector() -> None:
    athlete = DemoAthlete(seed=2)
    t = np.arange(0.0, 600.0, 1 / 80)
    force = np.array([athlete.force_kg(float(x)) for x in t])
    force += np.random.default_rng(0).normal(0.0, 0.02, t.size)
    detector = RepDetector()
    reps = []
    for start in range(0, t.size, 8):
        reps.extend(detector.feed(t[start : start + 8], force[start : start + 8]))
    reps.extend(detector.flush())
    assert 4 <= len(reps) <= athlete.reps_planned  # planned: up to the set after the clock
    assert all(rep.hold_kg > 5.0 for rep in reps)
