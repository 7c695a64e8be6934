"""The sensor commands, run as a user runs them, on the emulated HX711."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

NHC_SCALE = Path(sys.executable).with_name("nhc-scale")


def run(
    state_dir: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    environment.update(
        {
            "NHC_PINS": "emulated",
            "NHC_STATE_DIR": str(state_dir),
            "NHC_REALTIME_PRIORITY": "0",
            **env,
        }
    )
    return subprocess.run(
        [str(NHC_SCALE), *args],
        env=environment,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=90,
    )


def test_tare_then_calibrate_with_a_known_mass(tmp_path: Path) -> None:
    tared = run(tmp_path, "tare", NHC_EMULATED_FORCE="zero")
    assert tared.returncode == 0, tared.stderr
    assert "EMULATED" in tared.stderr  # the loud notice that no HX711 is wired
    calibrated = run(tmp_path, "calibrate", "--mass-kg", "20", "--no-tare", NHC_EMULATED_FORCE="20")
    assert calibrated.returncode == 0, calibrated.stderr
    saved = json.loads((tmp_path / "calibration.json").read_text())
    assert saved["counts_per_kg"] == pytest.approx(10_000, rel=0.005)  # the emulated cell


def test_tare_refuses_a_loaded_pad_unless_told_it_is_empty(tmp_path: Path) -> None:
    assert run(tmp_path, "tare", NHC_EMULATED_FORCE="zero").returncode == 0
    refused = run(tmp_path, "tare", NHC_EMULATED_FORCE="15")
    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "--anyway" in refused.stderr
    assert "Traceback" not in refused.stderr
    anyway = run(tmp_path, "tare", "--anyway", NHC_EMULATED_FORCE="15")
    assert anyway.returncode == 0, anyway.stderr
    assert re.search(r"zeroing 1[45]\.\d\d kg", anyway.stdout), anyway.stdout


def test_the_calibration_wizard_reads_its_answers(tmp_path: Path) -> None:
    # Enter (pad empty), Enter (mass placed), then a mass: the emulated pad stays at 0 kg, so
    # the reading does not change and the calibration is refused with the reason.
    result = run(tmp_path, "calibrate", stdin="\n\n20\n", NHC_EMULATED_FORCE="zero")
    assert result.returncode == 1
    assert "changed by only" in result.stderr
    assert "Traceback" not in result.stderr


def test_calibrate_without_answers_or_flags_says_how_to_script_it(tmp_path: Path) -> None:
    result = run(tmp_path, "calibrate", stdin="", NHC_EMULATED_FORCE="zero")
    assert result.returncode != 0 and "--mass-kg" in result.stderr


def test_read_csv_prints_every_sample(tmp_path: Path) -> None:
    result = run(tmp_path, "read", "--csv", "--seconds", "2", NHC_EMULATED_FORCE="12.5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "t_s,force_kg,counts"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) >= 60
    t = [float(row[0]) for row in rows]
    assert t == sorted(t)
    # Untared, the emulated bridge's offset (84213 counts) is part of the reading.
    assert all(abs(int(row[2]) - (84_213 + 125_000)) < 1_000 for row in rows)


def test_doctor_reports_the_measured_rate_and_warns_at_10_sps(tmp_path: Path) -> None:
    result = run(
        tmp_path, "doctor", "--seconds", "3", "--json", NHC_EMULATED_FORCE="zero", NHC_RATE_SPS="10"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in (
        "backend",
        "configured_sps",
        "measured_sps",
        "samples",
        "missed_conversions",
        "rejected_reads",
        "timing_violations",
        "noise_kg_sd",
    ):
        assert key in report
    assert report["backend"] == "emulated"
    assert report["measured_sps"] == pytest.approx(10, rel=0.05)
    assert "RATE pin is low" in result.stderr
    assert report["noise_kg_sd"] < 0.05


def test_a_bad_setting_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = run(tmp_path, "doctor", NHC_GAIN="100")
    assert result.returncode == 2
    assert "gain must be 128 or 64" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_gpio_backend_is_reported_not_a_traceback(tmp_path: Path) -> None:
    result = run(tmp_path, "tare", NHC_PINS="rpigpio")
    assert result.returncode == 1
    assert "RPi.GPIO" in result.stderr and "Traceback" not in result.stderr
