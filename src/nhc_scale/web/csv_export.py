"""CSV downloads that a spreadsheet opens as data, never as formulas."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import Response
from fastapi.responses import StreamingResponse

from nhc_scale.analysis.rep import Rep

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
#: A rep's columns: its number in the session, then the detector's fields in their order.
REP_COLUMNS = ("number", *Rep.__dataclass_fields__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell holding any of these is quoted. Every line break is among them: spreadsheets split an
#: unquoted row at a bare CR, and the text after it would start a row of its own, where the
#: formula guard never looks (the csv module quotes only the line terminator's characters).
NEEDS_QUOTES = frozenset(',"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029')


def spreadsheet_safe(value: Any) -> str:
    """A cell's text: numbers (negative ones too) and booleans as they are; a list or an object
    (a rep's ``min_window_s``, its ``ignored`` spans) as compact JSON in one cell; text that
    starts like a formula gets a leading apostrophe (OWASP's advice), so names and notes stay
    text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple | dict):
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _quoted(cell: str) -> str:
    if NEEDS_QUOTES.isdisjoint(cell):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV (RFC 4180 quoting, "\n" between rows), every cell made spreadsheet-safe and
    quoted where it holds a separator, a quote or any line break."""
    return "".join(
        ",".join(_quoted(spreadsheet_safe(value)) for value in row) + "\n" for row in rows
    )


def download(
    body: str | Iterator[str], filename: str, media_type: str = CSV_MEDIA_TYPE
) -> Response:
    """An attachment; a generator is streamed (a long session's samples), text sent whole."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if isinstance(body, str):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)
