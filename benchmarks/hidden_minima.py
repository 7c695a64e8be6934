"""How much of a minimum a hand shift leaves to be found: the detector against ideal dip finders.

The accuracy benchmark's misses are nearly all reps whose minimum a hand shift covers. This
script asks whether a better dip finder would get them, by scoring three estimates of each such
minimum against the truth, with the accuracy benchmark's sessions and tolerance:

- ``detector``: ``analyze`` on the recording (sensor, noise, tremor, its own dip finding);
- ``ideal finder``: the force with no sensor, noise, tremor, impact or ringing, sampled at the
  recording's rate, the dip's exact span cut out and filled by the detector's own fill (the
  broken line fitted to the force either side, never below the force read); the catch after
  the dip stays, as the detector sees it;
- ``ideal finder, no catch``: the same with the catch taken out too: only the dip hides anything.

A rep counts when a dip overlaps the 0.3 s window of its true minimum. When the detector scores
about as well as the ideal finder, what is left is not the detector's dip finding but what the
force around a hand shift can say about the force under it.

The whole set is scored too: every matched rep as the detector finds it, and the same with each
covered rep's minimum taken from the ideal finder instead (the catch left in, as the detector
sees it). That second figure is about the best any dip finder with this fill can reach on the
set: the accuracy benchmark's floor is only meaningful where it lies above it.

    .venv/bin/python benchmarks/hidden_minima.py [--sessions 48] [--first-seed 1000]

The last line is JSON.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from accuracy import FIRST_SEED

from nhc_scale.analysis import analyze
from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.fill import dip_fill, fill_extent
from nhc_scale.analysis.minimum import sustained
from nhc_scale.sim.physics import SUSTAIN_S, RepPlan
from nhc_scale.sim.recording import generate_recording
from nhc_scale_lab.accuracy import session_rate
from nhc_scale_lab.scoring import match, tolerance_kg

KINDS = ("detector", "ideal finder", "ideal finder, no catch")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=48)
    parser.add_argument("--first-seed", type=int, default=FIRST_SEED)
    args = parser.parse_args()
    cfg = DetectorConfig()
    within = {(rate, kind): [] for rate in (80, 10) for kind in KINDS}
    # every matched rep: (the detector within tolerance, the same or the ideal finder's if covered)
    whole: list[tuple[bool, bool]] = []
    reps_total = 0
    for index in range(args.sessions):
        seed = args.first_seed + index
        rate = session_rate(index)
        recording = generate_recording(seed, nominal_sps=rate)
        truth = recording.truth["reps"]
        reps_total += len(truth)
        found = [rep.to_dict() for rep in analyze(recording.t_s, recording.force_kg).reps]
        detected = {j: found[i]["min_assistance_kg"] for i, j in match(found, truth)}
        fs = recording.sensor.rate_hz
        for j, plan in enumerate(recording.session.reps):
            true_kg, at = float(truth[j]["min_assistance_kg"]), float(truth[j]["min_at_s"])
            reach = SUSTAIN_S / 2
            covering = [d for d in plan.dips if abs(d.center_s - at) < d.width_s / 2 + reach]
            if j not in detected:
                continue
            tolerance = tolerance_kg(true_kg, rate)
            detector_within = abs(float(detected[j]) - true_kg) <= tolerance
            if plan.unassisted or not covering:
                whole.append((detector_within, detector_within))
                continue
            estimates = {
                "detector": float(detected[j]),
                "ideal finder": ideal_minimum(plan, fs, cfg, with_catch=True),
                "ideal finder, no catch": ideal_minimum(plan, fs, cfg, with_catch=False),
            }
            hits = {kind: abs(value - true_kg) <= tolerance for kind, value in estimates.items()}
            for kind, hit in hits.items():
                within[(rate, kind)].append(hit)
            whole.append((detector_within, hits["ideal finder"]))

    figures: dict[str, object] = {"sessions": args.sessions, "reps": reps_total}
    for rate in (80, 10):
        count = len(within[(rate, KINDS[0])])
        shares = {kind: float(np.mean(within[(rate, kind)])) if count else 1.0 for kind in KINDS}
        print(
            f"{rate:>2} S/s: {count} reps with a hand shift over the minimum; within tolerance: "
            + "; ".join(f"{kind} {100 * share:.1f} %" for kind, share in shares.items())
        )
        figures[f"covered_{rate}sps"] = count
        for kind, share in shares.items():
            figures[f"{kind.replace(',', '').replace(' ', '_')}_{rate}sps"] = round(share, 4)
    detector_all, ideal_all = np.mean(whole, axis=0).tolist() if whole else (1.0, 1.0)
    print(
        f"whole set: {len(whole)} matched reps; within tolerance: detector "
        f"{100 * detector_all:.2f} %; covered reps from the ideal finder {100 * ideal_all:.2f} %"
    )
    figures["whole_set_detector"] = round(detector_all, 4)
    figures["whole_set_ideal_finder"] = round(ideal_all, 4)
    print(json.dumps(figures))
    return 0


def ideal_minimum(plan: RepPlan, fs: float, cfg: DetectorConfig, with_catch: bool) -> float:
    """The minimum the detector's fill recovers when it is told exactly where each dip is and the
    force carries nothing else: no sensor, noise, tremor, impact or ringing."""
    t = np.arange(plan.t_effort - 1.0, plan.t_end + 0.5, 1.0 / fs)
    force = plan.clean(t)
    for dip in plan.dips:
        # the unloading lies only inside the span cut out, where the fill may read it
        force = force + dip.unloading(t) + (dip.catch(t) if with_catch else 0.0)
    cut = np.zeros(t.size, dtype=bool)
    spans = []
    for dip in plan.dips:
        inside = np.flatnonzero(np.abs(t - dip.center_s) < dip.width_s / 2)
        if inside.size:
            spans.append((int(inside[0]), int(inside[-1]) + 1))
            cut[spans[-1][0] : spans[-1][1]] = True
    side, reach = fill_extent(fs, cfg)
    filled = force.copy()
    for i0, i1 in spans:
        fill = dip_fill(force, i0, i1, side, reach, cut, 0, t.size)
        if fill is not None:
            filled[i0:i1] = fill
    level = sustained(filled, fs, cfg.sustain_s)
    start, top = plan.minimum_window
    effort = (t >= start) & (t <= top)
    return max(0.0, float(level[effort].min()))


if __name__ == "__main__":
    raise SystemExit(main())
