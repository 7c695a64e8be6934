"""A fixed set of recordings and every rep the detector finds in them, kept in
``tests/detector_regression.json`` so that a change meant to keep behaviour can prove it did.

The recordings: synthetic sessions at both rates, chosen for what they hold (hand shifts at the
minimum, spikes, lost conversions, chip resets, unassisted reps, a push-off hidden in a hole),
and hand-built traces that place one trap each exactly. The expected reps were written once by
the detector as it was before its modules were split; a change that alters them on purpose
rewrites the file (``.venv/bin/python tests/detector_regression.py --write``) and says so, with
the multi-seed accuracy figures before and after (docs/detector-notes.md).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from analysis_traces import (
    GLITCH_AFTER_RELEASE,
    TROUGH_AFTER_LANDING,
    assisted,
    noisy,
    plateau_then_push,
    rounded,
    timeline,
    unassisted,
)

from nhc_scale.analysis import analyze
from nhc_scale.sim.physics import Dip
from nhc_scale.sim.recording import generate_recording

EXPECTED = Path(__file__).with_name("detector_regression.json")
#: Fields compared as numbers, to this much (kg and s alike: grams and milliseconds).
TOLERANCE = 0.001

#: (seed, rate) of the synthetic sessions, and what each is here for.
SESSIONS: dict[tuple[int, int], str] = {
    (1004, 80): "hand shifts, a chip reset, 590 lost conversions",
    (1018, 80): "seven hand shifts",
    (1054, 80): "four unassisted reps, a chip reset",
    (1171, 80): "six unassisted reps, five hand shifts",
    (1010, 80): "three hand shifts in three reps",
    (1011, 10): "eleven hand shifts, four chip resets",
    (1151, 10): "ten hand shifts, a push-off hidden in a hole",
    (1163, 10): "a hole before the end of a rep",
    (1054, 10): "four unassisted reps, a chip reset",
    (1093, 10): "three chip resets, six hand shifts, unassisted reps",
    (1009, 10): "three chip resets, twenty spikes",
}

Trace = tuple[np.ndarray, np.ndarray]


def _cosine_dip(t: np.ndarray, at: float, width: float, depth: float) -> np.ndarray:
    u = (t - at) / width
    return np.where(np.abs(u) < 0.5, depth * 0.5 * (1 + np.cos(2 * np.pi * u)), 0.0)


def _plain(rate: float) -> Trace:
    t = timeline(30.0, rate)
    return t, noisy(t, assisted(t, 10.0))


def _shift_on_plateau(rate: float) -> Trace:
    t = timeline(30.0, rate)
    force = assisted(t, 10.0, bottom=15.0, plateau_s=1.5) - _cosine_dip(t, 15.7, 0.2, 8.0)
    return t, noisy(t, force)


def _shift_at_v_tip(rate: float) -> Trace:
    t = timeline(30.0, rate)
    force = assisted(t, 10.0, bottom=15.0, plateau_s=0.0) - _cosine_dip(t, 15.1, 0.2, 6.0)
    return t, noisy(t, force)


def _shift_and_catch(rate: float) -> Trace:
    t = timeline(30.0, rate)
    shift = Dip(15.2, 0.2, depth_kg=6.0, rebound=0.5, edge=0.6)
    return t, noisy(t, rounded(t, 10.0) + shift.unloading(t) + shift.catch(t))


def _unassisted(rate: float) -> Trace:
    t = timeline(30.0, rate)
    return t, noisy(t, unassisted(t, 10.0))


def _spikes(rate: float) -> Trace:
    t = timeline(30.0, rate)
    force = noisy(t, assisted(t, 10.0))
    rng = np.random.default_rng(3)
    for at in [12.0, 15.5, 15.8, 20.0, 25.0]:
        force[np.argmin(np.abs(t - at))] += rng.choice([-1, 1]) * rng.uniform(20, 400)
    return t, force


def _lost_conversions(rate: float) -> Trace:
    t = timeline(30.0, rate)
    force = noisy(t, assisted(t, 10.0))
    keep = np.random.default_rng(1).random(t.size) > 0.05
    keep[(t > 12.0) & (t < 12.5)] = False
    return t[keep], force[keep]


def _junk_after_reset(rate: float) -> Trace:
    t = timeline(30.0, rate)
    force = noisy(t, assisted(t, 10.0, plateau_s=1.5))
    hole = (t > 15.3) & (t < 15.6)
    t2, f2 = t[~hole], force[~hole].copy()
    first = int(np.searchsorted(t2, 15.6))
    f2[first : first + 3] = [-45.0, -12.0, 150.0]
    return t2, f2


def _bounce_and_ringing(rate: float) -> Trace:
    t = timeline(30.0, rate)
    after = np.clip(t - 10.0, 0.0, None)
    ring = 25.0 * np.exp(-after / 0.3) * np.sin(2 * np.pi * 7.0 * after) * (t > 10.0)
    force = np.maximum(assisted(t, 10.0, bottom=20.0) + ring, 0.0)
    force[(t >= 9.4) & (t < 9.5)] = 60.0
    return t, noisy(t, force)


def _drifting_tare(rate: float) -> Trace:
    t = timeline(200.0, rate)
    force = assisted(t, 20.0) + assisted(t, 150.0)
    return t, noisy(t, force) + 1.8 + 0.6 * t / 60.0


def _push_off_in_a_hole() -> Trace:
    t = timeline(30.0, 10.0)
    force = plateau_then_push(t, [30.0, 36.0, 34.0, 7.0])
    keep = ~((t > 16.0) & (t < 16.85))
    return t[keep], force[keep]


def _glitch_after_release() -> Trace:
    force = np.array(GLITCH_AFTER_RELEASE)
    return 111.0 + np.arange(force.size) * 0.099, force


def _trough_after_landing() -> Trace:
    force = np.array(TROUGH_AFTER_LANDING)
    return 505.5 + np.arange(force.size) * 0.094, force


def recordings() -> Iterator[tuple[str, Callable[[], Trace]]]:
    """(name, a function making the recording's (t_s, force_kg)), in a fixed order."""
    for (seed, rate), _ in SESSIONS.items():

        def session(seed: int = seed, rate: int = rate) -> Trace:
            recording = generate_recording(seed, nominal_sps=rate)
            return recording.t_s, recording.force_kg

        yield f"session-{seed}-{rate}sps", session
    per_rate = {
        "plain": _plain,
        "shift-on-plateau": _shift_on_plateau,
        "shift-at-v-tip": _shift_at_v_tip,
        "shift-and-catch": _shift_and_catch,
        "unassisted": _unassisted,
        "spikes": _spikes,
        "lost-conversions": _lost_conversions,
        "junk-after-reset": _junk_after_reset,
        "bounce-and-ringing": _bounce_and_ringing,
        "drifting-tare": _drifting_tare,
    }
    for name, make in per_rate.items():
        for rate in (10.0, 80.0):
            yield f"{name}-{rate:.0f}sps", lambda make=make, rate=rate: make(rate)
    yield "push-off-in-a-hole-10sps", _push_off_in_a_hole
    yield "glitch-after-release-10sps", _glitch_after_release
    yield "trough-after-landing-10sps", _trough_after_landing


def found_reps(make: Callable[[], Trace]) -> list[dict[str, Any]]:
    """Every rep ``analyze`` finds in the recording, its fields unrounded."""
    t, force = make()
    return [
        {
            key: value if isinstance(value, bool) or value is None else float(value)
            for key, value in vars(rep).items()
            if isinstance(value, bool | int | float) or value is None
        }
        for rep in analyze(t, force).reps
    ]


def write() -> None:
    """One line per rep, numbers to the microgram and microsecond."""
    lines = []
    total = 0
    for name, make in recordings():
        reps = [
            json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in rep.items()})
            for rep in found_reps(make)
        ]
        total += len(reps)
        lines.append(f"{json.dumps(name)}: [\n" + ",\n".join(reps) + "\n]")
    EXPECTED.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{EXPECTED}: {total} reps in {len(lines)} recordings")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the expected reps")
    if parser.parse_args().write:
        write()
    else:
        parser.print_help()
