"""Labelled synthetic recordings: the physics of a session through the sensor model.

``generate_recording(seed)`` is a pure function of its arguments: the accuracy benchmark and the
tests regenerate exactly the same sessions from their seeds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nhc_scale.sim.athlete import draw_athlete
from nhc_scale.sim.physics import TouchPlan
from nhc_scale.sim.sensor import SensorParams, convert, draw_sensor
from nhc_scale.sim.session import SessionPlan, plan_session

TRUTH_DEFINITION = (
    "min_assistance_kg: minimum, over the effort (from the start of the fall off the hold to "
    "the top of the push-off, the window not reaching into the release), of the centred 0.3 s "
    "moving average of the clean force "
    "(sustained force only: no tremor, impact, ringing, bounce, hand shifts or sensor "
    "artefacts); 0 for an unassisted rep (lift-off without push-off)."
)


@dataclass(frozen=True)
class Recording:
    t_s: np.ndarray
    force_kg: np.ndarray
    truth: dict[str, Any]
    session: SessionPlan
    sensor: SensorParams

    def write(self, csv_path: str | os.PathLike[str], truth_path: str | os.PathLike[str]) -> None:
        write_csv(csv_path, self.t_s, self.force_kg)
        Path(truth_path).write_text(json.dumps(self.truth, indent=1) + "\n", encoding="utf-8")


def write_csv(path: str | os.PathLike[str], t_s: np.ndarray, force_kg: np.ndarray) -> None:
    """The export's format: ``t_s,force_kg`` header, one sample per line."""
    data = np.column_stack((t_s, force_kg))
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("t_s,force_kg\n")
        np.savetxt(handle, data, fmt=("%.6f", "%.4f"), delimiter=",")


def generate_recording(
    seed: int,
    nominal_sps: int | None = None,
    sets: int | None = None,
    duration_s: float | None = None,
    sensor: SensorParams | None = None,
) -> Recording:
    """A labelled session: a random athlete, 1-4 sets (or sets with rests for ``duration_s``),
    a random sensor at 10 or 80 S/s (or ``sensor``, e.g. an exact rate for a benchmark)."""
    rng = np.random.default_rng(seed)
    athlete = draw_athlete(rng)
    session = plan_session(rng, athlete, sets=sets, duration_s=duration_s)
    drawn = draw_sensor(rng, nominal_sps)
    sensor = drawn if sensor is None else sensor
    t, force, log = convert(session.force, session.duration_s, sensor, rng)
    truth = {
        "seed": seed,
        "definition": TRUTH_DEFINITION,
        "sample_rate_hz": round(sensor.rate_hz, 4),
        "nominal_sps": sensor.nominal_sps,
        "duration_s": round(session.duration_s, 3),
        "reps": [rep.summary(athlete) for rep in session.reps],
        "touches": [e.summary() for e in session.events if isinstance(e, TouchPlan)],
        "athlete": athlete.to_dict(),
        "sensor": sensor.to_dict(),
        "sensor_events": log,
    }
    return Recording(t, force, truth, session, sensor)
