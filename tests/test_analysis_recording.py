"""Reading recordings: the export format, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nhc_scale.analysis.recording import RecordingError, read_recording
from nhc_scale.analysis.rep import Rep, summarize


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "rec.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def rows(n: int = 20) -> str:
    return "".join(f"{i / 80:.4f},{i * 0.5:.3f},{1000 + i}\n" for i in range(n))


def test_the_export_format_is_read_with_comments_and_extra_columns(tmp_path: Path) -> None:
    text = "# nhc-scale export\n# rate 80\nt_s,force_kg,counts\n" + rows(20) + "# end\n"
    t, force = read_recording(write(tmp_path, text))
    assert t.size == force.size == 20
    assert force[3] == pytest.approx(1.5)
    assert np.all(np.diff(t) > 0)


def test_columns_are_found_by_name_in_any_order(tmp_path: Path) -> None:
    text = "counts,force_kg,t_s\n" + "".join(f"{i},{i * 2},{i / 10}\n" for i in range(12))
    t, force = read_recording(write(tmp_path, text))
    assert t[5] == pytest.approx(0.5)
    assert force[5] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("t_s,force_kg,counts\n" + rows(5) + "0.1,abc,3\n" + rows(5), 7, "not a number"),
        ("t_s,force_kg,counts\n" + rows(5) + "0.1,2\n" + rows(5), 7, "expected 3"),
        ("t_s,force_kg,counts\n" + rows(12) + "0.0,1.0,2\n", 14, "backwards"),
        ("t_s,force_kg,counts\n" + rows(12) + "0.5,inf,2\n", 14, "finite"),
        ("time,kg\n" + rows(12), 1, "lacks t_s and force_kg"),
    ],
)
def test_a_malformed_file_names_the_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    with pytest.raises(RecordingError, match=words) as caught:
        read_recording(write(tmp_path, body))
    assert caught.value.line == line or f"line {line}:" in str(caught.value)


def test_a_truncated_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"line 22: .*truncated"):
        read_recording(write(tmp_path, "t_s,force_kg,counts\n" + rows(20) + "0.9,1"))


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    raw = ("t_s,force_kg\n" + "0.0,1.0\n" * 3).encode() + b"\x89PNG\xff\n"
    with pytest.raises(RecordingError, match=r"line 5: not UTF-8"):
        read_recording(write(tmp_path, raw))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("t_s,force_kg\n", "no samples"),
        ("t_s,force_kg\n0,1\n0.1,1\n", "only 2 samples"),
    ],
)
def test_an_empty_or_short_file_says_so(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(RecordingError, match=words):
        read_recording(write(tmp_path, text))


def test_a_huge_or_missing_file_is_refused_clearly(tmp_path: Path) -> None:
    path = write(tmp_path, "t_s,force_kg\n" + rows(100))
    with pytest.raises(RecordingError, match="MB"):
        read_recording(path, max_bytes=100)
    with pytest.raises(RecordingError, match="cannot read"):
        read_recording(tmp_path / "missing.csv")
    with pytest.raises(RecordingError, match="directory"):
        read_recording(tmp_path)


def _rep(start: float, minimum: float, unassisted: bool = False) -> Rep:
    return Rep(
        start,
        start + 8,
        minimum,
        start + 5,
        unassisted,
        60.0,
        40.0,
        None if unassisted else 45.0,
        2.0,
    )


def test_summary_counts_best_median_and_sets() -> None:
    reps = [_rep(0, 12.0), _rep(15, 10.0), _rep(30, 14.0), _rep(200, 0.0, True), _rep(215, 3.0)]
    summary = summarize(reps, set_gap_s=45.0)
    assert summary["rep_count"] == 5
    assert summary["best_min_kg"] == 0.0
    assert summary["median_min_kg"] == 10.0
    assert summary["unassisted_count"] == 1
    assert [(s["reps"], s["best_min_kg"]) for s in summary["sets"]] == [(3, 10.0), (2, 0.0)]
    assert summarize([])["best_min_kg"] is None


def test_a_rep_dict_has_the_documented_keys() -> None:
    keys = set(_rep(0, 12.0).to_dict())
    assert keys == {
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
    assert _rep(0, 0.0, True).to_dict()["push_off_peak_kg"] is None
