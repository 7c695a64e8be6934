"""Accuracy of ``nhc-scale analyze`` against the synthetic athlete's truth.

Generates a fixed, seeded set of sessions (half at 80 S/s, half at 10 S/s), writes each as the
export CSV plus truth JSON, reads the CSV back the way ``analyze`` does, and scores:
rep-detection F1, the share of reps whose minimum is within tolerance (max(0.3 kg, 3 %) at
80 S/s, max(0.75 kg, 6 %) at 10 S/s) and the mean absolute error. Floors: F1 >= 0.99, within
tolerance >= 98 %. The last line is JSON.

    .venv/bin/python benchmarks/accuracy.py [--sessions 48] [--keep DIR] [--failures 20]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from nhc_scale.analysis import analyze
from nhc_scale.analysis.recording import read_recording
from nhc_scale.sim.recording import generate_recording
from nhc_scale.sim.scoring import Score

FIRST_SEED = 1000
F1_FLOOR = 0.99
WITHIN_FLOOR = 0.98


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=48)
    parser.add_argument("--keep", type=Path, help="write the recordings here and keep them")
    parser.add_argument("--failures", type=int, default=20, help="failures to list")
    args = parser.parse_args()

    scores = {80: Score(), 10: Score()}
    n_samples = 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(args.sessions):
            seed = FIRST_SEED + index
            rate = 80 if index % 2 == 0 else 10
            recording = generate_recording(seed, nominal_sps=rate)
            csv = folder / f"session_{seed}_{rate}sps.csv"
            recording.write(csv, csv.with_suffix(".truth.json"))
            t, force = read_recording(csv)
            n_samples += t.size
            reps = [rep.to_dict() for rep in analyze(t, force).reps]
            scores[rate].add(reps, recording.truth["reps"], rate, csv.name)

    total = Score()
    for rate, score in scores.items():
        print(
            f"{rate:>2} S/s: reps {score.true_positives + score.false_negatives:4d} true, "
            f"{score.true_positives + score.false_positives:4d} found; F1 {score.f1:.4f}; "
            f"minimum within tolerance {100 * score.within_share:.1f} %; "
            f"MAE {score.mae_kg:.3f} kg"
        )
        total.true_positives += score.true_positives
        total.false_positives += score.false_positives
        total.false_negatives += score.false_negatives
        total.within += score.within
        total.abs_errors += score.abs_errors
        total.failures += score.failures
    print(
        f"all:    {args.sessions} sessions, {n_samples} samples, {total.true_positives} reps "
        f"matched; F1 {total.f1:.4f} (floor {F1_FLOOR}); within tolerance "
        f"{100 * total.within_share:.1f} % (floor {100 * WITHIN_FLOOR:.0f} %); "
        f"MAE {total.mae_kg:.3f} kg"
    )
    for failure in total.failures[: args.failures]:
        truth = failure.get("truth", {})
        found = failure.get("detected", {})
        error = f"{failure['error_kg']:+.2f} kg " if "error_kg" in failure else ""
        print(
            f"  {failure['session']}: {failure['kind']} {error}"
            f"truth {truth.get('start_s')}s min {truth.get('min_assistance_kg')} "
            f"traps {truth.get('traps')}; found {found.get('start_s')}s "
            f"min {found.get('min_assistance_kg')}"
        )
    passed = total.f1 >= F1_FLOOR and total.within_share >= WITHIN_FLOOR
    print(
        json.dumps(
            {
                "sessions": args.sessions,
                "reps": total.true_positives + total.false_negatives,
                "f1": round(total.f1, 4),
                "within_tolerance": round(total.within_share, 4),
                "mae_kg": round(total.mae_kg, 3),
                "f1_80sps": round(scores[80].f1, 4),
                "within_80sps": round(scores[80].within_share, 4),
                "f1_10sps": round(scores[10].f1, 4),
                "within_10sps": round(scores[10].within_share, 4),
                "passed": passed,
            }
        )
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
