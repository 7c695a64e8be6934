"""``nhc-scale analyze``: JSON and table output, the plot, and errors with exit code 2: files
that are no recordings (FIFOs, devices) at once, bad lines with how far the reading got."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nhc_scale.analysis.detector import analyze
from nhc_scale.analysis.recording import read_recording
from nhc_scale.cli import main
from nhc_scale.cli.analyze_plot import TraceEnvelope
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
    "effort_start_s",
    "min_window_s",
    "push_off_start_s",
    "ignored",
    "hands_moved",
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


def test_json_output_is_the_analysis_of_the_whole_recording(
    session, capsys: pytest.CaptureFixture[str]
) -> None:
    csv, _ = session
    t, force = read_recording(csv)
    assert main(["analyze", str(csv), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(
        json.dumps(analyze(t, force).to_dict())
    )


@pytest.mark.parametrize(("kind", "words"), [("fifo", "FIFO"), ("device", "character device")])
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path, kind: str, words: str) -> None:
    path = Path("/dev/zero")
    if kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    exe = Path(sys.executable).with_name("nhc-scale")
    # A FIFO nobody writes to used to block for ever; /dev/zero was read for 1 GiB first.
    done = subprocess.run(
        [str(exe), "analyze", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr


def test_a_bad_line_deep_in_a_file_says_how_much_was_read(tmp_path: Path, capsys) -> None:
    rows = [f"{i / 80:.6f},{20.0:.4f},{i}\n" for i in range(120_000)]  # ~3 MB
    rows[100_000] = "1250.000000,oops,3\n"
    path = tmp_path / "long.csv"
    path.write_text("t_s,force_kg,counts\n" + "".join(rows))
    offset = len("t_s,force_kg,counts\n") + len("".join(rows[:100_000]))
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 100002: force_kg 'oops' is not a number" in err
    assert f"stopped there, {offset / 1e6:.1f} MB into the file's " in err
    assert f"{path.stat().st_size / 1e6:.1f} MB ({100 * offset / path.stat().st_size:.0f} %)" in err


def test_the_plot_of_a_long_recording_is_drawn_from_a_bounded_trace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = generate_recording(4, nominal_sps=80, duration_s=1800.0)
    csv = tmp_path / "long.csv"
    recording.write(csv, tmp_path / "long.truth.json")
    png = tmp_path / "long.png"
    assert main(["analyze", str(csv), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "plot written to" in capsys.readouterr().out


def test_the_trace_envelope_stays_bounded_and_keeps_every_extreme() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(100_003) / 80.0
    force = rng.normal(20.0, 5.0, t.size)
    force[77_777] = -40.0  # one sample's dip survives decimation
    envelope = TraceEnvelope(max_buckets=500)
    start = 0
    while start < t.size:
        size = int(rng.integers(1, 5000))
        envelope.add(t[start : start + size], force[start : start + size])
        start += size
    times, low, high = envelope.trace()
    assert times.size <= 501 and envelope.size > 1
    assert low.min() == force.min() == -40.0 and high.max() == force.max()
    assert times[0] == t[0] and np.all(np.diff(times) > 0)
    # Each stretch's range is the range of the samples from its time to the next one's.
    edges = np.searchsorted(t, np.append(times, np.inf))
    for index in range(times.size):
        stretch = force[edges[index] : edges[index + 1]]
        assert (low[index], high[index]) == (stretch.min(), stretch.max())
