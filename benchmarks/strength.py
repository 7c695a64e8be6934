"""Accuracy of the strength estimate against the synthetic athlete's true knee torque.

The same seeded sessions as benchmarks/accuracy.py (session i: seed FIRST_SEED + i, 80 S/s when i
is even, 10 S/s when odd). For each rep that the truth and the detector both call assisted, the
knee torque is estimated from the DETECTED minimum with the athlete's body mass and height only
(what a user types in) and compared with the truth's torque at the minimum. Printed: the median
absolute relative error and the 10th-90th percentile of the signed relative error, for

- the anthropometric estimate from the detected minimum (the headline, in the JSON line),
- the same from the true minimum (the model's own error, without detection error),
- the relaxed-reference estimate (the true relaxed load as if measured; only d_hands assumed).

The last line is JSON.

    .venv/bin/python benchmarks/strength.py [--sessions 48] [--first-seed 1000]
"""

from __future__ import annotations

import argparse
import json

from accuracy import FIRST_SEED  # the same sessions

from nhc_scale.sim.recording import generate_recording
from nhc_scale_lab.accuracy import session_rate
from nhc_scale_lab.strength_scoring import TorqueError, score_torque, summarize_errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=48)
    parser.add_argument("--first-seed", type=int, default=FIRST_SEED, help="seed of session 0")
    args = parser.parse_args()

    runs: dict[str, list[TorqueError]] = {"detected": [], "true minimum": [], "relaxed": []}
    for index in range(args.sessions):
        recording = generate_recording(args.first_seed + index, nominal_sps=session_rate(index))
        t, force, truth = recording.t_s, recording.force_kg, recording.truth
        runs["detected"] += score_torque(t, force, truth)
        runs["true minimum"] += score_torque(t, force, truth, minimum="true")
        runs["relaxed"] += score_torque(t, force, truth, relaxed=True)

    labels = {
        "detected": "anthropometric, detected minimum",
        "true minimum": "anthropometric, true minimum    ",
        "relaxed": "relaxed reference, detected min ",
    }
    summaries = {}
    for key, errors in runs.items():
        s = summarize_errors(errors)
        summaries[key] = s
        print(
            f"{labels[key]}: {s['reps']} reps; median |rel error| "
            f"{100 * s['median_abs_rel_error']:.1f} %; rel error p10 "
            f"{100 * s['p10_rel_error']:+.1f} % p90 {100 * s['p90_rel_error']:+.1f} %; "
            "truth inside the band "
            f"{100 * s['in_band']:.0f} %"
        )
    head = summaries["detected"]
    print(
        json.dumps(
            {
                "torque_median_abs_rel_error": round(head["median_abs_rel_error"], 4),
                "torque_p10_rel_error": round(head["p10_rel_error"], 4),
                "torque_p90_rel_error": round(head["p90_rel_error"], 4),
                "reps": head["reps"],
                "torque_in_band": round(head["in_band"], 4),
                "relaxed_median_abs_rel_error": round(
                    summaries["relaxed"]["median_abs_rel_error"], 4
                ),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
