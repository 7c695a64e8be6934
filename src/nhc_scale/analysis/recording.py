"""Reading a force recording (CSV) for ``nhc-scale analyze``, with errors a person can act on.

The format is the session export's: a header row naming the columns, among them ``t_s`` and
``force_kg`` (others, such as ``counts``, are ignored), one sample per row, ``#`` lines are
comments. Every failure is a :class:`RecordingError` that names the file and, where one is to
blame, the line, because the person reading it has a text editor, not a debugger.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import numpy as np

TIME_COLUMN = "t_s"
FORCE_COLUMN = "force_kg"
MIN_SAMPLES = 10  # less than 1 s at 10 S/s: no rep fits
DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB is ~4 days at 80 S/s; more is not a recording of a workout


class RecordingError(Exception):
    """The file cannot be analysed; the message says where and why."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise RecordingError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); is this a CSV export?", line
        ) from None


def _header(lines: list[str]) -> tuple[int, int, int, int]:
    """Index of the header line, number of columns and the two columns' positions."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        names = [name.strip() for name in stripped.split(",")]
        missing = [col for col in (TIME_COLUMN, FORCE_COLUMN) if col not in names]
        if missing:
            raise RecordingError(
                f"header {stripped[:80]!r} lacks {' and '.join(missing)} "
                f"(expected a header row such as '{TIME_COLUMN},{FORCE_COLUMN},counts')",
                index + 1,
            )
        return index, len(names), names.index(TIME_COLUMN), names.index(FORCE_COLUMN)
    raise RecordingError("the file is empty: no header row and no samples")


def _find_bad_line(
    lines: list[str], first: int, columns: int, it: int, ifo: int, cut: bool
) -> None:
    """Slow path, only taken when the fast parser failed: raise for the first bad line.

    ``cut``: the text does not end with a newline, so a bad last line was probably cut short.
    """
    previous = -math.inf
    for index in range(first, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split(",")
        number = index + 1
        if len(fields) != columns:
            truncated = " (is the file truncated?)" if cut and index == len(lines) - 1 else ""
            raise RecordingError(
                f"expected {columns} comma-separated fields, found {len(fields)}{truncated}",
                number,
            )
        values = []
        for position, name in ((it, TIME_COLUMN), (ifo, FORCE_COLUMN)):
            text = fields[position].strip()
            try:
                value = float(text)
            except ValueError:
                truncated = " (is the file truncated?)" if cut and index == len(lines) - 1 else ""
                raise RecordingError(
                    f"{name} {text[:40]!r} is not a number{truncated}", number
                ) from None
            if not math.isfinite(value):
                raise RecordingError(f"{name} {text!r} is not a finite number", number)
            values.append(value)
        if values[0] < previous:
            raise RecordingError(
                f"{TIME_COLUMN} goes backwards ({values[0]} after {previous})", number
            )
        previous = values[0]


def parse_recording(text: str, max_rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Parse CSV text; see :func:`read_recording`."""
    lines = text.splitlines()
    header, columns, it, ifo = _header(lines)
    rows = [line for line in lines[header + 1 :] if line.strip() and line.lstrip()[0] != "#"]
    if max_rows is not None:
        rows = rows[:max_rows]
    body = "\n".join(rows)
    if not rows:
        raise RecordingError(
            f"too short to analyse: no samples after the header (need at least {MIN_SAMPLES})"
        )
    try:
        if body.count(",") != (columns - 1) * len(rows):
            raise ValueError("a row has the wrong number of fields")
        data = np.loadtxt(
            io.StringIO(body), delimiter=",", usecols=(it, ifo), ndmin=2, dtype=np.float64
        )
        t, force = data[:, 0].copy(), data[:, 1].copy()
        if not (np.isfinite(t).all() and np.isfinite(force).all()) or np.any(np.diff(t) < 0):
            raise ValueError("a value is not finite or time goes backwards")
    except ValueError:
        _find_bad_line(lines, header + 1, columns, it, ifo, not text.endswith(("\n", "\r")))
        raise RecordingError("could not be parsed as CSV") from None  # pragma: no cover
    if t.size < MIN_SAMPLES:
        what = "no samples" if t.size == 0 else f"only {t.size} sample{'s' * (t.size > 1)}"
        raise RecordingError(
            f"too short to analyse: {what} after the header (need at least {MIN_SAMPLES})"
        )
    return t, force


def read_recording(
    path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(t_s, force_kg)`` from a recording CSV, or raise :class:`RecordingError`."""
    path = Path(path)
    too_big = RecordingError(
        f"{path} is larger than {max_bytes / 1e6:.0f} MB; larger recordings are refused "
        "(split the export by session)"
    )
    try:
        if path.is_dir():
            raise RecordingError(f"{path} is a directory, not a recording")
        if path.stat().st_size > max_bytes:
            raise too_big
        # Read at most one byte past the limit: a device or a pipe reports size 0 and may
        # never end.
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise too_big
    except OSError as error:
        raise RecordingError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return parse_recording(_decode(raw))
    except RecordingError as error:
        raise RecordingError(f"{path}: {error}") from None
