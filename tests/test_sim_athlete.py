"""The synthetic athlete: physics that follows the lever, truth that follows docs/measurement.md."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nhc_scale.analysis.recording import read_recording
from nhc_scale.sim.athlete import G, draw_athlete
from nhc_scale.sim.demo import DemoAthlete
from nhc_scale.sim.physics import Dip, RepPlan, plan_rep
from nhc_scale.sim.recording import generate_recording


def test_athletes_span_the_ranges_and_the_lever_gives_55_60_percent_typically() -> None:
    rng = np.random.default_rng(0)
    athletes = [draw_athlete(rng) for _ in range(400)]
    masses = [a.mass_kg for a in athletes]
    heights = [a.height_m for a in athletes]
    shares = np.array([a.relaxed_kg / a.mass_kg for a in athletes])
    assert 45 <= min(masses) < 50 and 115 < max(masses) <= 120
    assert 1.50 <= min(heights) < 1.55 and 1.95 < max(heights) <= 2.00
    assert shares.min() > 0.40 and shares.max() < 0.72
    assert 0.52 < float(np.median(shares)) < 0.62
    assert any(a.strength > 1.0 for a in athletes)  # some come up unassisted


def test_knee_torque_follows_the_lever_equation() -> None:
    athlete = draw_athlete(np.random.default_rng(1))
    assert athlete.knee_torque_nm(athlete.relaxed_kg) == pytest.approx(0.0, abs=1e-9)
    one_kg_less = athlete.knee_torque_nm(athlete.relaxed_kg - 1.0)
    assert one_kg_less == pytest.approx(G * athlete.d_hands_m)


def _rep(strength: float, seed: int = 2) -> RepPlan:
    rng = np.random.default_rng(seed)
    athlete = replace(draw_athlete(rng), near_zero_prob=0.0, dip_prob=0.0)
    return plan_rep(rng, athlete, 10.0, strength)


def test_a_strong_athlete_lifts_off_and_the_truth_is_zero() -> None:
    rep = _rep(strength=1.3)
    assert rep.unassisted
    assert rep.true_minimum()[0] == 0.0
    t = np.arange(rep.t_touch, rep.t_end + 1.0, 0.001)
    force = rep.force(t)
    assert force[t > rep.t_end].max() == 0.0  # hands gone, no push-off
    assert rep.summary(draw_athlete(np.random.default_rng(2)))["push_off_peak_kg"] is None


def test_the_truth_is_the_sustained_minimum_of_the_clean_force() -> None:
    rep = _rep(strength=0.6)
    assert not rep.unassisted
    minimum, at = rep.true_minimum()
    assert rep.t_effort <= at <= rep.t_push + rep.push_rise_s
    # the 0.3 s average can only be at or above the clean force's lowest point
    t = np.arange(rep.t_effort, rep.t_push + rep.push_rise_s, 0.001)
    assert minimum >= rep.clean(t).min() - 1e-9
    # a hand shift at the minimum changes the force but not the truth
    dipped = replace(rep, dips=(Dip(at, 0.25, 0.5 * minimum, 0.3),))
    assert dipped.true_minimum() == (minimum, at)
    assert dipped.force(np.array([at]))[0] < rep.force(np.array([at]))[0] - 0.3 * minimum


def test_hand_shifts_come_off_and_back_at_varied_speeds() -> None:
    # eased all the way (edge 1) the dip is a raised cosine, half its depth at a quarter width
    # from its centre; with fast edges (0.2) it is at full depth over 80 % of its width
    eased, sharp = Dip(1.0, 0.2, 4.0, 0.0, edge=1.0), Dip(1.0, 0.2, 4.0, 0.0, edge=0.2)
    t = np.array([0.95, 0.92, 1.0, 1.1])
    assert eased.unloading(t)[:3] == pytest.approx([-2.0, -4.0 * np.cos(0.4 * np.pi) ** 2, -4.0])
    assert sharp.unloading(t) == pytest.approx([-4.0, -4.0, -4.0, 0.0])
    assert Dip(1.0, 0.2, 4.0, 0.5, edge=0.2).catch(np.array([1.2, 1.3])) == pytest.approx(
        [2.0, 0.0]
    )
    # the generator draws the whole range
    rng = np.random.default_rng(5)
    athlete = replace(draw_athlete(rng), dip_prob=1.0)
    edges = [d.edge for _ in range(200) for d in plan_rep(rng, athlete, 10.0, 0.6).dips]
    assert len(edges) > 100
    assert 0.2 <= min(edges) < 0.3 and 0.9 < max(edges) <= 1.0


def test_force_is_never_negative_and_includes_tremor() -> None:
    rep = _rep(strength=0.7)
    t = np.arange(rep.t_touch - 1, rep.t_end + 1, 0.002)
    force = rep.force(t)
    assert force.min() >= 0.0
    hold = (t > rep.t_land + 0.5) & (t < rep.t_effort)
    spectrum = np.abs(np.fft.rfft(force[hold] - force[hold].mean()))
    freqs = np.fft.rfftfreq(int(hold.sum()), 0.002)
    assert 7.5 < freqs[np.argmax(spectrum * (freqs > 3))] < 12.5  # tremor band


@pytest.mark.parametrize("rate", [10, 80])
def test_recordings_are_deterministic_labelled_and_written_as_the_export(
    tmp_path: Path, rate: int
) -> None:
    recording = generate_recording(7, nominal_sps=rate)
    again = generate_recording(7, nominal_sps=rate)
    assert np.array_equal(recording.force_kg, again.force_kg)
    measured = 1.0 / np.median(np.diff(recording.t_s))
    assert measured == pytest.approx(rate, rel=0.08)
    truth = recording.truth
    assert truth["nominal_sps"] == rate and truth["reps"]
    for rep in truth["reps"]:
        assert rep["start_s"] < rep["min_at_s"] <= rep["end_s"] + 0.2
        assert rep["unassisted"] == (
            rep["min_assistance_kg"] == 0.0 and rep["push_off_peak_kg"] is None
        )
    recording.write(tmp_path / "r.csv", tmp_path / "r.json")
    t, force = read_recording(tmp_path / "r.csv")
    assert t.size == recording.t_s.size
    assert np.allclose(force, recording.force_kg, atol=1e-4)
    assert json.loads((tmp_path / "r.json").read_text())["reps"] == truth["reps"]


def test_sensor_artefacts_are_present_in_recordings() -> None:
    seen = {"lost": 0, "spikes": 0, "resets": 0}
    offsets = []
    for seed in range(12):
        recording = generate_recording(seed)
        events = recording.truth["sensor_events"]
        seen["lost"] += events["lost"]
        seen["spikes"] += len(events["spikes"])
        seen["resets"] += len(events["resets"])
        offsets.append(recording.truth["sensor"]["tare_offset_kg"])
    assert all(value > 0 for value in seen.values()), seen
    assert min(offsets) < -0.5 and max(offsets) > 0.5


def test_the_demo_athlete_is_lazy_bounded_deterministic_and_picklable() -> None:
    athlete = DemoAthlete(seed=5)
    clone = pickle.loads(pickle.dumps(athlete))
    times = np.arange(0.0, 3 * 3600.0, 0.25)
    held = []
    values = []
    for t in times:
        values.append(athlete.force_kg(float(t)))
        held.append(athlete.events_held)
    assert max(held) < 20
    assert athlete.reps_planned > 100
    assert min(values) >= 0.0 and max(values) > 10.0
    assert [clone.force_kg(float(t)) for t in times[:2000]] == values[:2000]
