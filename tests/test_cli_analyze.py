"""``nhc-scale analyze``: JSON and table output, the plot, and errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nhc_scale.cli import main
from nhc_scale.sim.recording import generate_recording

REP_KEYS = {
    "start_s",
    "end_s",
    "min_assistance_kg",
    "min_at_s",
    "unassisted",
    "landing_peak_kg",
    "hold_kg",
    "push_off_peak_kg",
    "effort_s",
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("rec")
    recording = generate_recording(4, nominal_sps=80)
    csv = folder / "session.csv"
    recording.write(csv, folder / "session.truth.json")
    return csv, recording.truth


def test_json_output_has_reps_and_summary(session, capsys: pytest.CaptureFixture[str]) -> None:
    csv, truth = session
    assert main(["analyze", str(csv), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"reps", "summary"}
    assert len(out["reps"]) == len(truth["reps"])
    assert all(set(rep) == REP_KEYS for rep in out["reps"])
    assert out["summary"]["rep_count"] == len(truth["reps"])
    assert out["summary"]["best_min_kg"] == min(r["min_assistance_kg"] for r in out["reps"])


def test_table_output_is_readable(session, capsys: pytest.CaptureFixture[str]) -> None:
    csv, truth = session
    assert main(["analyze", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "min kg" in out and "best minimum" in out
    assert f"reps: {len(truth['reps'])}" in out


def test_plot_writes_a_png(session, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv, _ = session
    png = tmp_path / "trace.png"
    assert main(["analyze", str(csv), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_so(
    session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = session
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["analyze", str(csv), "--plot", str(tmp_path / "x.png")]) == 2
    assert "matplotlib" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("t_s,force_kg\n" + "".join(f"{i / 10},1\n" for i in range(12)) + "1.3,x\n", "line 14"),
        ("", "empty"),
        ("t_s,force_kg\n0,1\n", "too short"),
        (b"t_s,force_kg\n\xff\xfe\n", "line 2: not UTF-8"),
    ],
)
def test_bad_files_exit_2_with_a_message(
    tmp_path: Path, content: str | bytes, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


def test_the_installed_command_runs_as_a_subprocess(session, tmp_path: Path) -> None:
    csv, truth = session
    exe = Path(sys.executable).with_name("nhc-scale")
    done = subprocess.run(
        [str(exe), "analyze", str(csv), "--json"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["reps"]) == len(truth["reps"])
    bad = tmp_path / "bad.csv"
    bad.write_text("t_s,force_kg,counts\n0.0,1.0\n")
    done = subprocess.run([str(exe), "analyze", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "line 2" in done.stderr and "Traceback" not in done.stderr
