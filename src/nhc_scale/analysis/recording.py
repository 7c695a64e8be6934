"""Reading a force recording (CSV) for ``nhc-scale analyze``, with errors a person can act on.

The format is the session export's: a header row naming the columns, among them ``t_s`` and
``force_kg`` (others, such as ``counts``, are ignored), one sample per row, ``#`` lines are
comments. Every failure is a :class:`RecordingError` that names the file and, where one is to
blame, the line and how far into the file it is, because the person reading it has a text
editor, not a debugger.

The file is read in blocks of ``CHUNK_BYTES`` and each block goes to the streaming detector
as soon as it is parsed, so memory does not grow with the file (a day at 80 S/s is 200 MB of
text, several GB as Python strings). Only regular files are read: a FIFO or a device is refused
before a byte is read, since it may never end.
"""

from __future__ import annotations

import io
import math
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.detector import RepDetector
from nhc_scale.analysis.rep import Analysis, summarize

TIME_COLUMN = "t_s"
FORCE_COLUMN = "force_kg"
MIN_SAMPLES = 10  # less than 1 s at 10 S/s: no rep fits
CHUNK_BYTES = 1 << 20  # ~40,000 rows: a few MB of Python objects at a time
MAX_LINE_BYTES = 4096  # a row is ~25 bytes; a longer line is no recording (or a file of zeros)
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class RecordingError(Exception):
    """The file cannot be analysed; the message says where and why."""

    def __init__(self, message: str, line: int | None = None, offset: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
        self.offset = offset  # bytes before the line to blame


@dataclass(frozen=True)
class _Columns:
    count: int
    time: int
    force: int


def _header(line: str, number: int) -> _Columns:
    names = [name.strip() for name in line.split(",")]
    missing = [col for col in (TIME_COLUMN, FORCE_COLUMN) if col not in names]
    if missing:
        raise RecordingError(
            f"header {line[:80]!r} lacks {' and '.join(missing)} "
            f"(expected a header row such as '{TIME_COLUMN},{FORCE_COLUMN},counts')",
            number,
        )
    return _Columns(len(names), names.index(TIME_COLUMN), names.index(FORCE_COLUMN))


def _is_data(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _bad_line(
    lines: list[str],
    sizes: list[int],
    first_number: int,
    first_offset: int,
    cols: _Columns,
    previous: float,
    cut: bool,
) -> RecordingError:
    """Slow path, only taken when the fast parser failed: the error for the first bad line.

    ``sizes``: each line's bytes in the file. ``cut``: the file does not end with a newline, so
    a bad last line was probably cut short.
    """
    offset = first_offset
    for index, line in enumerate(lines):
        number, here = first_number + index, offset
        offset += sizes[index]
        if not _is_data(line):
            continue
        truncated = " (is the file truncated?)" if cut and index == len(lines) - 1 else ""
        fields = line.strip().split(",")
        if len(fields) != cols.count:
            return RecordingError(
                f"expected {cols.count} comma-separated fields, found {len(fields)}{truncated}",
                number,
                here,
            )
        values = []
        for position, name in ((cols.time, TIME_COLUMN), (cols.force, FORCE_COLUMN)):
            text = fields[position].strip()
            try:
                value = float(text)
            except ValueError:
                return RecordingError(
                    f"{name} {text[:40]!r} is not a number{truncated}", number, here
                )
            if not math.isfinite(value):
                return RecordingError(f"{name} {text!r} is not a finite number", number, here)
            values.append(value)
        if values[0] < previous:
            return RecordingError(
                f"{TIME_COLUMN} goes backwards ({values[0]} after {previous})", number, here
            )
        previous = values[0]
    return RecordingError("could not be parsed as CSV", first_number, first_offset)


class _Parser:
    """Text in whole lines, block after block; samples out, checked as the whole file would be."""

    def __init__(self) -> None:
        self.cols: _Columns | None = None
        self.lines_done = 0  # lines of the file consumed so far
        self.bytes_done = 0
        self.samples = 0
        self.previous_t = -math.inf

    def feed(self, raw: bytes, cut: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
        """``raw``: whole lines (the last one without its newline only at the end, ``cut``)."""
        text = self._decode(raw)
        lines = text.split("\n")
        # Each line's bytes with its newline, from the raw bytes: a BOM or a CR is counted too.
        sizes = [len(line) + 1 for line in raw.split(b"\n")]
        if lines and lines[-1] == "" and not cut:
            lines.pop()  # after the last newline
            sizes.pop()
        lines = [line.removesuffix("\r") for line in lines]
        first_number, first_offset = self.lines_done + 1, self.bytes_done
        start = 0  # lines before the samples in this block: comments and the header
        if self.cols is None:
            start = next((i for i, line in enumerate(lines) if _is_data(line)), len(lines))
            if start < len(lines):
                self.cols = _header(lines[start].strip(), first_number + start)
                start += 1
        body_lines, body_sizes = lines[start:], sizes[start:]
        body_number = first_number + start
        body_offset = first_offset + sum(sizes[:start])
        self.lines_done += len(lines)
        self.bytes_done += len(raw)
        if self.cols is None:
            return None
        rows = [line for line in body_lines if _is_data(line)]
        if not rows:
            return None
        cols = self.cols
        try:
            body = "\n".join(rows)
            if body.count(",") != (cols.count - 1) * len(rows):
                raise ValueError("a row has the wrong number of fields")
            data = np.loadtxt(
                io.StringIO(body),
                delimiter=",",
                usecols=(cols.time, cols.force),
                ndmin=2,
                dtype=np.float64,
            )
            t, force = data[:, 0].copy(), data[:, 1].copy()
            finite = np.isfinite(t).all() and np.isfinite(force).all()
            if not finite or t[0] < self.previous_t or np.any(np.diff(t) < 0):
                raise ValueError("a value is not finite or time goes backwards")
        except ValueError:
            raise _bad_line(
                body_lines, body_sizes, body_number, body_offset, cols, self.previous_t, cut
            ) from None
        self.previous_t = float(t[-1])
        self.samples += t.size
        return t, force

    def _decode(self, raw: bytes) -> str:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            before = raw[: error.start]
            line_start = before.rfind(b"\n") + 1
            raise RecordingError(
                f"not UTF-8 text (byte 0x{raw[error.start]:02x}); is this a CSV export?",
                self.lines_done + before.count(b"\n") + 1,
                self.bytes_done + line_start,
            ) from None
        if self.lines_done == 0 and self.bytes_done == 0:
            text = text.removeprefix("\ufeff")  # a spreadsheet's byte order mark
        return text


def _blocks(handle: BinaryIO, chunk_bytes: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The samples of an open recording, a block of whole lines at a time."""
    parser = _Parser()
    pending = b""
    while True:
        raw = handle.read(chunk_bytes)
        if not raw:
            break
        pending += raw
        end = pending.rfind(b"\n")
        if end < 0:
            whole, pending = b"", pending
        else:
            whole, pending = pending[: end + 1], pending[end + 1 :]
        if len(pending) > MAX_LINE_BYTES:
            raise RecordingError(
                f"longer than {MAX_LINE_BYTES} bytes without a line break: not a recording",
                parser.lines_done + whole.count(b"\n") + 1,
                parser.bytes_done + len(whole),
            )
        if whole and (block := parser.feed(whole)) is not None:
            yield block
    if pending and (block := parser.feed(pending, cut=True)) is not None:
        yield block
    if parser.cols is None:
        raise RecordingError("the file is empty: no header row and no samples")
    if parser.samples < MIN_SAMPLES:
        n = parser.samples
        what = "no samples" if n == 0 else f"only {n} sample{'s' * (n > 1)}"
        raise RecordingError(
            f"too short to analyse: {what} after the header (need at least {MIN_SAMPLES})"
        )


def _amount(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size} bytes"


@dataclass
class RecordingFile:
    """An opened regular file and its size, refused at once if it is anything else."""

    path: Path
    handle: BinaryIO
    size: int

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> RecordingFile:
        path = Path(path)
        try:
            # O_NONBLOCK: opening a FIFO that no one writes to must not wait for a writer.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except OSError as error:
            raise RecordingError(f"cannot read {path}: {error.strerror or error}") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            if stat.S_ISDIR(info.st_mode):
                raise RecordingError(f"{path} is a directory, not a recording")
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise RecordingError(
                f"{path} is {kind}, not a file: analyze reads recordings saved to disk "
                "(save the export to a file first)"
            )
        return cls(path, os.fdopen(fd, "rb", buffering=0), info.st_size)

    def blocks(self, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The samples, block by block; a RecordingError names the file and how far it got."""
        try:
            yield from _blocks(self.handle, chunk_bytes)
        except RecordingError as error:
            where = ""
            if error.offset is not None:
                share = f" ({100 * error.offset / self.size:.0f} %)" if self.size else ""
                where = (
                    f"; stopped there, {_amount(error.offset)} into the file's "
                    f"{_amount(self.size)}{share}"
                )
            located = RecordingError(f"{self.path}: {error}{where}")
            located.line, located.offset = error.line, error.offset
            raise located from None
        except OSError as error:
            raise RecordingError(f"cannot read {self.path}: {error.strerror or error}") from None

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> RecordingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_recording(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(t_s, force_kg)`` from a recording CSV, or raise :class:`RecordingError`.

    The whole recording in memory: for tests and benchmarks. ``analyze_recording`` streams."""
    with RecordingFile.open(path) as recording:
        blocks = list(recording.blocks())
    return np.concatenate([t for t, _ in blocks]), np.concatenate([f for _, f in blocks])


def parse_recording(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse CSV text; see :func:`read_recording`."""
    blocks = list(_blocks(io.BytesIO(text.encode()), CHUNK_BYTES))
    return np.concatenate([t for t, _ in blocks]), np.concatenate([f for _, f in blocks])


def analyze_recording(
    path: str | os.PathLike[str],
    config: DetectorConfig | None = None,
    on_block: Callable[[np.ndarray, np.ndarray], None] | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Analysis:
    """The reps of a recording file, streamed through the detector block by block: the same
    reps and summary as ``analyze()`` on the whole file, in bounded memory.

    ``on_block`` sees every block of samples (the plot keeps a decimated trace with it)."""
    config = config or DetectorConfig()
    detector = RepDetector(config)
    reps = []
    samples, first_t, last_t = 0, 0.0, 0.0
    with RecordingFile.open(path) as recording:
        for t, force in recording.blocks(chunk_bytes):
            if samples == 0:
                first_t = float(t[0])
            samples += t.size
            last_t = float(t[-1])
            reps.extend(detector.feed(t, force))
            if on_block is not None:
                on_block(t, force)
    reps.extend(detector.flush())
    summary = summarize(reps, config.set_gap_s)
    summary["samples"] = samples
    summary["duration_s"] = round(last_t - first_t, 3) if samples > 1 else 0.0
    rate = detector.sample_rate_hz
    summary["sample_rate_hz"] = None if rate is None else round(rate, 2)
    return Analysis(reps=tuple(reps), summary=summary)
