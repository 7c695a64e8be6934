"""Tare and known-mass calibration: the maths, the refusals, and persistence."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from nhc_scale import calibration as cal

RATE = 80


def readings(
    mean: float, seconds: float = 1.5, noise: float = 120.0, drift: float = 0.0, seed: int = 0
) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    n = int(seconds * RATE)
    counts = [round(mean + drift * i / n + rng.gauss(0, noise)) for i in range(n)]
    t_ns = [i * 12_500_000 for i in range(n)]
    return counts, t_ns


def test_tare_then_known_mass_gives_counts_per_kg() -> None:
    tared = cal.tare(cal.Calibration(), *readings(84_213))
    assert tared.zero_counts == pytest.approx(84_213, abs=30)
    scaled = cal.calibrate(tared, *readings(84_213 + 20 * 10_750, seed=1), mass_kg=20)
    assert scaled.counts_per_kg == pytest.approx(10_750, rel=0.002)
    assert scaled.kg(84_213 + 10_750 * 7.5) == pytest.approx(7.5, abs=0.01)


def test_a_bridge_wired_backwards_calibrates_with_a_negative_scale() -> None:
    tared = cal.tare(cal.Calibration(), *readings(-5_000))
    scaled = cal.calibrate(tared, *readings(-5_000 - 20 * 9_000, seed=2), mass_kg=20)
    assert scaled.counts_per_kg == pytest.approx(-9_000, rel=0.002)
    assert scaled.kg(-5_000 - 9_000 * 3) == pytest.approx(3, abs=0.01)


def test_tare_refuses_a_moving_load() -> None:
    with pytest.raises(cal.CalibrationError, match="moving"):
        cal.tare(cal.Calibration(), *readings(84_000, drift=20_000))
    with pytest.raises(cal.CalibrationError, match="moving"):
        cal.tare(cal.Calibration(), *readings(84_000, noise=5_000))


def test_tare_needs_a_second_of_readings() -> None:
    with pytest.raises(cal.CalibrationError, match="at least 1 s"):
        cal.tare(cal.Calibration(), *readings(84_000, seconds=0.5))


def test_calibration_refuses_saturation_a_tiny_change_and_an_untared_pad() -> None:
    tared = cal.tare(cal.Calibration(), *readings(84_213))
    with pytest.raises(cal.CalibrationError, match="saturated"):
        cal.calibrate(tared, *readings(0x7FFFFF, noise=0), mass_kg=20)
    with pytest.raises(cal.CalibrationError, match="changed by only"):
        cal.calibrate(tared, *readings(84_213 + 300, seed=3), mass_kg=20)
    with pytest.raises(cal.CalibrationError, match="tare"):
        cal.calibrate(cal.Calibration(), *readings(300_000), mass_kg=20)
    with pytest.raises(cal.CalibrationError, match="between"):
        cal.calibrate(tared, *readings(300_000), mass_kg=0)


def test_saved_calibration_is_loaded_back_and_follows_a_gain_change(tmp_path: Path) -> None:
    tared = cal.tare(cal.Calibration(), *readings(84_213))
    scaled = cal.calibrate(tared, *readings(84_213 + 200_000, seed=4), mass_kg=20)
    path = cal.save(scaled, tmp_path)
    assert json.loads(path.read_text())["reference_mass_kg"] == 20
    assert cal.load(tmp_path, 128) == scaled
    at_64 = cal.load(tmp_path, 64)
    assert at_64.counts_per_kg == pytest.approx(scaled.counts_per_kg / 2)
    assert at_64.kg(scaled.zero_counts / 2 + at_64.counts_per_kg * 4) == pytest.approx(4)


def test_a_damaged_calibration_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / cal.FILE_NAME).write_text("{not json")
    with pytest.raises(cal.CalibrationError, match=r"is damaged \(line 1, column 2"):
        cal.load(tmp_path, 128)


def test_units() -> None:
    assert cal.to_unit(10, "N") == pytest.approx(98.0665)
    assert cal.to_unit(10, "lb") == pytest.approx(22.0462, abs=1e-4)


def test_a_tare_with_a_load_on_the_tared_pad_is_refused_and_says_what_it_reads() -> None:
    tared = cal.tare(cal.Calibration(counts_per_kg=10_000), *readings(84_000))
    arm = readings(84_000 + 4.2 * 10_000, seed=5)  # an arm left on the pad: 4.2 kg, steady
    with pytest.raises(cal.CalibrationError, match=r"reads 4\.2 kg, so it is not empty") as refused:
        cal.tare(tared, *arm, max_load_kg=cal.MAX_TARE_LOAD_KG)
    assert refused.value.facts["reason"] == "loaded"
    assert refused.value.facts["load_kg"] == pytest.approx(4.2, abs=0.05)
    # Anyway (the zero moved), or from the CLI (no limit): zeroed, and it says how much.
    anyway = cal.tare(tared, *arm)
    assert cal.zeroed_kg(tared, anyway) == pytest.approx(4.2, abs=0.05)
    # Below zero is what a new tare is for: a tare taken with something on the pad, undone.
    low = cal.tare(tared, *readings(84_000 - 3 * 10_000, seed=6), max_load_kg=2.0)
    assert cal.zeroed_kg(tared, low) == pytest.approx(-3.0, abs=0.05)
    # The first tare has nothing to compare with: whatever is there is the zero.
    assert cal.zeroed_kg(cal.Calibration(), tared) is None


def test_refusals_say_why_for_a_program_too() -> None:
    with pytest.raises(cal.CalibrationError) as moving:
        cal.tare(cal.Calibration(), *readings(84_000, noise=5_000))
    assert moving.value.facts["reason"] == "moving"
    assert moving.value.facts["spread_kg"] > cal.MAX_STEADY_SD_KG
    with pytest.raises(cal.CalibrationError) as short:
        cal.tare(cal.Calibration(), *readings(84_000, seconds=0.5))
    assert short.value.facts == {"reason": "too_short"}
