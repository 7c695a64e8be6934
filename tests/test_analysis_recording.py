"""Reading recordings: the export format, block by block, refusing what is not a file, and
errors that name the line and how far into the file it is."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from nhc_scale.analysis.detector import analyze
from nhc_scale.analysis.recording import (
    CHUNK_BYTES,
    RecordingError,
    RecordingFile,
    analyze_recording,
    parse_recording,
    read_recording,
)
from nhc_scale.analysis.rep import Rep, summarize
from nhc_scale.sim.recording import generate_recording


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


def test_a_missing_file_or_a_directory_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot read"):
        read_recording(tmp_path / "missing.csv")
    with pytest.raises(RecordingError, match="directory"):
        read_recording(tmp_path)


def test_a_fifo_is_refused_before_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, fifo), daemon=True)
    reader.start()
    reader.join(20)
    if reader.is_alive():  # unblock the reader so the test run can end
        with open(fifo, "wb"):
            pass
        pytest.fail("opening a FIFO nobody writes to blocked")
    assert isinstance(outcome[0], RecordingError)
    assert "FIFO" in str(outcome[0]) and "not a file" in str(outcome[0])


def _catch(outcome: list[BaseException], path: Path) -> None:
    try:
        read_recording(path)
    except BaseException as error:
        outcome.append(error)


def test_a_device_is_refused_unread() -> None:
    with pytest.raises(RecordingError, match="character device"):
        read_recording("/dev/zero")


def test_a_file_without_line_breaks_is_refused_after_one_block(tmp_path: Path) -> None:
    sparse = tmp_path / "zeros.csv"
    with sparse.open("wb") as handle:
        handle.truncate(10 << 30)  # 10 GiB of zero bytes, on no disk space
    with RecordingFile.open(sparse) as recording:
        with pytest.raises(RecordingError, match="line 1: longer than 4096 bytes") as caught:
            list(recording.blocks())
        assert recording.handle.tell() <= CHUNK_BYTES  # the rest was never read
    assert "0 bytes into the file's 10737.4 MB" in str(caught.value)


def export_text(samples: int, rate: float = 80.0) -> str:
    t = np.arange(samples) / rate
    return "# nhc-scale export\nt_s,force_kg,counts\n" + "".join(
        f"{x:.6f},{20 + np.sin(x):.4f},{i}\n" for i, x in enumerate(t)
    )


def test_blocks_of_any_size_give_the_samples_of_the_whole_file(tmp_path: Path) -> None:
    path = write(tmp_path, export_text(3000))
    whole_t, whole_f = read_recording(path)
    for chunk in (1, 7, 64, 4096):
        with RecordingFile.open(path) as recording:
            blocks = list(recording.blocks(chunk_bytes=chunk))
        assert np.array_equal(np.concatenate([t for t, _ in blocks]), whole_t)
        assert np.array_equal(np.concatenate([f for _, f in blocks]), whole_f)


def test_a_large_file_arrives_in_blocks_of_bounded_size(tmp_path: Path) -> None:
    path = write(tmp_path, export_text(200_000))  # ~5 MB
    with RecordingFile.open(path) as recording:
        sizes = [t.size for t, _ in recording.blocks()]
    assert sum(sizes) == 200_000 and len(sizes) >= 5
    assert max(sizes) <= CHUNK_BYTES // 20 + 1  # a row is at least 20 bytes here


@pytest.mark.parametrize("chunk", [16, 100, 1 << 20])
def test_a_bad_line_is_found_across_blocks_with_how_far_the_reading_got(
    tmp_path: Path, chunk: int
) -> None:
    good = export_text(50)
    lines = good.splitlines(keepends=True)
    bad = "".join(lines[:30]) + "0.1,2.0,3\n" + "".join(lines[30:])  # time goes backwards
    path = write(tmp_path, bad)
    offset = len("".join(lines[:30]).encode())
    backwards = pytest.raises(RecordingError, match="line 31: t_s goes backwards")
    with RecordingFile.open(path) as recording, backwards as caught:
        list(recording.blocks(chunk_bytes=chunk))
    assert caught.value.line == 31 and caught.value.offset == offset
    size = path.stat().st_size
    assert f"stopped there, {offset} bytes into the file's {size} bytes" in str(caught.value)


def test_the_offset_of_a_bad_line_counts_every_byte_a_bom_and_crs_included(
    tmp_path: Path,
) -> None:
    good = "".join(f"{i / 10},1.5\r\n" for i in range(12))
    raw = b"\xef\xbb\xbf" + ("t_s,force_kg\r\n" + good + "1.3,x\r\n").encode()
    path = write(tmp_path, raw)
    with pytest.raises(RecordingError, match="line 14: force_kg 'x'") as caught:
        read_recording(path)
    assert caught.value.offset == raw.index(b"1.3,x")


def test_windows_line_ends_are_read() -> None:
    t, force = parse_recording("t_s,force_kg\r\n" + "".join(f"{i / 10},1.5\r\n" for i in range(12)))
    assert t.size == 12 and force[0] == 1.5


def test_the_streamed_analysis_is_the_analysis_of_the_whole_file(tmp_path: Path) -> None:
    recording = generate_recording(5, nominal_sps=80)
    recording.write(tmp_path / "s.csv", tmp_path / "s.json")
    t, force = read_recording(tmp_path / "s.csv")
    whole = analyze(t, force)
    assert whole.reps
    seen: list[int] = []
    path = tmp_path / "s.csv"
    assert analyze_recording(path) == whole  # float-identical reps, the same summary
    blocks = analyze_recording(path, on_block=lambda t, f: seen.append(t.size), chunk_bytes=4096)
    assert blocks == whole
    assert sum(seen) == t.size and len(seen) > 100


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
        "effort_start_s",
        "min_window_s",
        "push_off_start_s",
        "ignored",
        "hands_moved",
    }
    assert _rep(0, 0.0, True).to_dict()["push_off_peak_kg"] is None
