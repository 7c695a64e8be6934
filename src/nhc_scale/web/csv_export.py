"""CSV downloads that a spreadsheet opens as data, never as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import Response
from fastapi.responses import StreamingResponse

from nhc_scale.analysis.rep import Rep

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
#: A rep's columns: its number in the session, then the detector's fields in their order.
REP_COLUMNS = ("number", *Rep.__dataclass_fields__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    """A cell's text: numbers (negative ones too) and booleans as they are; text that starts
    like a formula gets a leading apostrophe (OWASP's advice), so names and notes stay text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV, every cell made spreadsheet-safe and quoted where it holds a separator."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return buffer.getvalue()


def download(
    body: str | Iterator[str], filename: str, media_type: str = CSV_MEDIA_TYPE
) -> Response:
    """An attachment; a generator is streamed (a long session's samples), text sent whole."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if isinstance(body, str):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)
