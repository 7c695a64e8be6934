"""The strength estimate: the lever about the knee, the relaxed reference, the band, the CLI."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from nhc_scale.analysis.strength import (
    ABOVE_KNEE_MASS,
    CAVEAT,
    THRESHOLDS,
    Anthropometry,
    G,
    RelaxedLevelError,
    estimate,
    find_relaxed_level,
)
from nhc_scale.cli import main
from nhc_scale.sim.recording import generate_recording
from nhc_scale_lab.strength_scoring import score_torque, summarize_errors


@pytest.fixture
def lever() -> Anthropometry:
    return Anthropometry.from_body(80.0, 1.80, knee_to_hands_m=0.95, knee_to_ankle_m=0.42)


def test_lever_arithmetic_matches_a_hand_calculation(lever: Anthropometry) -> None:
    # m_above * d_com by hand (Winter Table 4.1, Fig. 4.1), 80 kg, 1.80 m, hands 0.95 m:
    h = 1.80
    hip, shoulder = (0.530 - 0.285) * h, (0.818 - 0.285) * h  # 0.441 m, 0.9594 m
    thighs = 2 * 0.100 * 80 * (1 - 0.433) * hip  # 4.0004 kg·m
    trunk = 0.578 * 80 * (hip + 0.66 * (shoulder - hip))  # 33.1873 kg·m
    arms = 2 * 0.050 * 80 * (shoulder + 0.53 * (0.95 - shoulder))  # 7.6349 kg·m
    moment = thighs + trunk + arms
    assert lever.gravity_moment_kgm == pytest.approx(moment, rel=1e-9)
    assert lever.above_knee_kg == pytest.approx(0.878 * 80)
    result = estimate(20.0, lever)
    torque = 9.80665 * (moment - 20.0 * 0.95)
    assert result.torque_nm == pytest.approx(torque, rel=1e-9)
    assert result.method == "anthropometric"
    assert result.n_per_kg == pytest.approx(result.ankle_force_per_leg_n / 80.0)


def test_less_assistance_means_more_torque(lever: Anthropometry) -> None:
    torques = [estimate(kg, lever).torque_nm for kg in (40, 30, 20, 10, 5, 0)]
    assert all(a < b for a, b in pairwise(torques))
    step = estimate(10, lever).torque_nm - estimate(11, lever).torque_nm
    assert step == pytest.approx(G * 0.95)  # each kg less on the pad is g * d_hands more


def test_zero_assistance_is_the_full_gravity_torque(lever: Anthropometry) -> None:
    result = estimate(0.0, lever)
    assert result.torque_nm == pytest.approx(lever.above_knee_kg * G * lever.com_m, rel=1e-12)
    assert any("lower bound" in note for note in result.notes)


def test_relaxed_reference_removes_the_anthropometric_dependence() -> None:
    # two very different bodies on paper, the same hands and the same relaxed reading
    light = Anthropometry.from_body(55.0, 1.60, knee_to_hands_m=0.90, knee_to_ankle_m=0.40)
    heavy = Anthropometry.from_body(110.0, 2.00, knee_to_hands_m=0.90, knee_to_ankle_m=0.40)
    assert estimate(20, light).torque_nm != pytest.approx(estimate(20, heavy).torque_nm, rel=0.1)
    a = estimate(20.0, light, relaxed_kg=42.0)
    b = estimate(20.0, heavy, relaxed_kg=42.0)
    assert a.method == b.method == "relaxed-reference"
    assert a.torque_nm == pytest.approx(b.torque_nm)
    assert a.torque_nm == pytest.approx(G * (42.0 - 20.0) * 0.90)
    assert (a.torque_low_nm, a.torque_high_nm) == pytest.approx((b.torque_low_nm, b.torque_high_nm))
    assert a.hamstring_share == pytest.approx(1 - 20 / 42)
    assert estimate(20.0, light).hamstring_share is None


def test_relaxed_reading_equal_to_the_minimum_means_no_torque(lever: Anthropometry) -> None:
    result = estimate(30.0, lever, relaxed_kg=30.0)
    assert result.torque_nm == 0.0 and result.hamstring_share == 0.0
    assert estimate(35.0, lever, relaxed_kg=30.0).torque_nm == 0.0  # never negative


@pytest.mark.parametrize("minimum", [0.0, 5.0, 20.0, 35.0, 44.0, 60.0])
@pytest.mark.parametrize("relaxed", [None, 45.0])
def test_band_contains_the_point_estimate(
    lever: Anthropometry, minimum: float, relaxed: float | None
) -> None:
    result = estimate(minimum, lever, relaxed_kg=relaxed)
    assert result.torque_low_nm <= result.torque_nm <= result.torque_high_nm
    assert (
        result.ankle_force_per_leg_low_n
        <= result.ankle_force_per_leg_n
        <= result.ankle_force_per_leg_high_n
    )


def test_band_is_narrower_with_measured_distances() -> None:
    guessed = estimate(20.0, Anthropometry.from_body(80.0, 1.80))
    measured = estimate(20.0, Anthropometry.from_body(80.0, 1.80, 0.96, 0.41))
    width = lambda r: r.torque_high_nm - r.torque_low_nm  # noqa: E731
    assert width(measured) < width(guessed)


def test_ankle_force_per_leg_is_torque_over_twice_the_distance(lever: Anthropometry) -> None:
    result = estimate(15.0, lever)
    assert result.ankle_force_per_leg_n == pytest.approx(result.torque_nm / (2 * 0.42))


def test_default_geometry_comes_from_height() -> None:
    body = Anthropometry.from_body(70.0, 1.70)
    assert body.knee_to_hands_m == pytest.approx((0.818 - 0.285) * 1.70)
    assert body.knee_to_ankle_m == pytest.approx(0.23 * 1.70)
    assert not body.hands_measured and not body.ankle_measured
    # relaxed load from the table: within a few points of the 55-60 % of body weight
    # that docs/measurement.md gives
    assert 0.55 <= body.predicted_relaxed_kg / 70.0 <= 0.65
    assert body.above_knee_kg == pytest.approx(ABOVE_KNEE_MASS * 70.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mass_kg": 20.0, "height_m": 1.8},
        {"mass_kg": 300.0, "height_m": 1.8},
        {"mass_kg": 80.0, "height_m": 0.9},
        {"mass_kg": 80.0, "height_m": 2.5},
        {"mass_kg": 80.0, "height_m": 1.8, "knee_to_hands_m": 0.1},
        {"mass_kg": 80.0, "height_m": 1.8, "knee_to_ankle_m": 1.6},
        {"mass_kg": float("nan"), "height_m": 1.8},
    ],
)
def test_implausible_bodies_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="implausible"):
        Anthropometry.from_body(**kwargs)


def test_thresholds_are_cited_eccentric_per_leg_forces() -> None:
    assert sorted(item["value_n"] for item in THRESHOLDS) == [256.0, 279.0, 337.0]
    for item in THRESHOLDS:
        assert item["contraction"] == "eccentric"
        assert item["doi"].startswith("10.")
        assert item["citation"] and item["population"] and item["timing"]
    assert "oncentric" in CAVEAT and "ccentric" in CAVEAT


# -- the relaxed reading -----------------------------------------------------------------------
def _segment(levels: list[tuple[float, float]], rate: float = 80.0, seed: int = 1):
    """Piecewise-constant force (duration s, kg) with tremor and noise."""
    rng = np.random.default_rng(seed)
    pieces = [np.full(round(d * rate), kg) for d, kg in levels]
    force = np.concatenate(pieces)
    t = np.arange(force.size) / rate
    force = force + 0.4 * np.sin(2 * np.pi * 10 * t) + rng.normal(0, 0.05, force.size)
    return t, force


def test_relaxed_level_is_the_median_of_the_steady_stretch() -> None:
    t, force = _segment([(1.0, 25.0), (3.0, 44.0), (1.0, 30.0)])
    found = find_relaxed_level(t, force)
    assert found.level_kg == pytest.approx(44.0, abs=0.2)
    assert found.end_s - found.start_s >= 2.0
    assert 0.8 <= found.start_s <= 1.4 and 3.6 <= found.end_s <= 4.2


def test_relaxed_level_refuses_a_moving_or_short_segment() -> None:
    t = np.arange(0, 5, 1 / 80)
    with pytest.raises(RelaxedLevelError, match="moves"):
        find_relaxed_level(t, 40.0 + 3.0 * t)  # sliding down the pad
    t2, force = _segment([(1.5, 44.0)])
    with pytest.raises(RelaxedLevelError, match="at least"):
        find_relaxed_level(t2, force)
    with pytest.raises(RelaxedLevelError, match="no load"):
        find_relaxed_level(t, np.zeros_like(t))


# -- scoring against the synthetic athlete ------------------------------------------------------
def test_torque_scoring_compares_detected_reps_with_the_truth() -> None:
    recording = generate_recording(4, nominal_sps=80)
    errors = score_torque(recording.t_s, recording.force_kg, recording.truth)
    assisted = [r for r in recording.truth["reps"] if not r["unassisted"]]
    assert 0 < len(errors) <= len(assisted)
    summary = summarize_errors(errors)
    assert summary["reps"] == len(errors)
    assert summary["p10_rel_error"] <= summary["p90_rel_error"]
    relaxed = summarize_errors(
        score_torque(recording.t_s, recording.force_kg, recording.truth, relaxed=True)
    )
    assert relaxed["median_abs_rel_error"] < 0.25


# -- nhc-scale analyze --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("strength")
    # a session with assisted and unassisted reps
    for seed in range(1, 40):
        recording = generate_recording(seed, nominal_sps=80)
        kinds = {rep["unassisted"] for rep in recording.truth["reps"]}
        if kinds == {True, False}:
            break
    csv = folder / "session.csv"
    recording.write(csv, folder / "session.truth.json")
    return csv, recording.truth


def test_analyze_adds_strength_to_assisted_reps_only(
    csv_path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = csv_path
    assert main(["analyze", str(csv), "--json", "--body-mass", "80", "--height", "1.8"]) == 0
    out = json.loads(capsys.readouterr().out)
    assisted = [rep for rep in out["reps"] if not rep["unassisted"]]
    unassisted = [rep for rep in out["reps"] if rep["unassisted"]]
    assert assisted and unassisted
    for rep in assisted:
        assert rep["torque_low_nm"] <= rep["torque_nm"] <= rep["torque_high_nm"]
        assert rep["ankle_force_per_leg_n"] > 0 and "n_per_kg" in rep
        assert "hamstring_share" not in rep
    for rep in unassisted:
        assert "torque_nm" not in rep and "ankle_force_per_leg_n" not in rep
    assert out["strength"]["contraction"] == "concentric"
    assert out["strength"]["method"] == "anthropometric"
    assert len(out["strength"]["thresholds"]) == 3


def test_analyze_with_relaxed_reading_reports_the_hamstring_share(
    csv_path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = csv_path
    args = ["analyze", str(csv), "--json", "--body-mass", "80", "--height", "1.8"]
    assert main([*args, "--relaxed-kg", "60", "--knee-to-hands", "0.95"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["strength"]["method"] == "relaxed-reference"
    for rep in out["reps"]:
        if not rep["unassisted"]:
            assert rep["hamstring_share"] == pytest.approx(
                1 - rep["min_assistance_kg"] / 60, abs=1e-3
            )


def test_analyze_table_shows_torque_and_the_caveat(
    csv_path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = csv_path
    assert main(["analyze", str(csv), "--body-mass", "80", "--height", "1.8"]) == 0
    out = capsys.readouterr().out
    assert "torque Nm" in out and "N/leg" in out
    assert "oncentric" in out and "< 337 N" in out


def test_analyze_without_body_leaves_reps_unchanged(
    csv_path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = csv_path
    assert main(["analyze", str(csv), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "strength" not in out and all("torque_nm" not in rep for rep in out["reps"])


@pytest.mark.parametrize(
    "flags",
    [
        ["--body-mass", "80"],
        ["--height", "1.8"],
        ["--body-mass", "20", "--height", "1.8"],
        ["--body-mass", "80", "--height", "2.5"],
        ["--body-mass", "80", "--height", "1.8", "--knee-to-hands", "2.0"],
        ["--body-mass", "80", "--height", "1.8", "--knee-to-ankle", "0.1"],
        ["--body-mass", "80", "--height", "1.8", "--relaxed-kg", "95"],
        ["--relaxed-kg", "40"],
    ],
)
def test_analyze_refuses_implausible_bodies_with_exit_2(
    csv_path, flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = csv_path
    assert main(["analyze", str(csv), "--json", *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "nhc-scale analyze:" in captured.err
