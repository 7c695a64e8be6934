"""CSV exports keep a name with a line break inside one cell: a spreadsheet that splits rows at
CR or LF must not see a second row (and a formula at its start) where the name had a break.

Names with control characters can already be in a database (written before the API refused
them), so the names go into the store directly and come out through the real export endpoints.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import httpx
import pytest
from server import Server, running_server
from stored_reps import rep_dict

from nhc_scale.store import Store
from nhc_scale.web.csv_export import csv_text

BROKEN_NAMES = ("Bob\r=1+2", "Bob\n=1+2", "Bob\r\n+1", "Bob\u2028@SUM(1)", "Bob\x0b-3+4")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, list[int]]]:
    """One athlete per dangerous name, each with a session of that name holding two reps."""
    state = tmp_path_factory.mktemp("csv-export")
    now = time.time()
    athletes = []
    with Store.open(state) as store:
        for name in BROKEN_NAMES:
            athlete = store.create_athlete(
                {"name": name, "body_mass_kg": 70.0, "height_m": 1.72}, created_at=now - 3600
            )
            store.set_active_athlete(athlete.id)
            session = store.create_session(name, now - 600, 0, True)
            store.add_rep(session, rep_dict(1, 12.0, 0.0))
            store.add_rep(session, rep_dict(2, 11.0, 20.0))
            store.end_session(session, now - 300)
            athletes.append(athlete.id)
        store.set_active_athlete(None)
    with running_server(state, NHC_EMULATED_FORCE="zero") as server:
        yield server, athletes


@pytest.mark.integration
@pytest.mark.parametrize("index", range(len(BROKEN_NAMES)))
def test_a_line_break_in_a_name_stays_inside_its_quoted_cell(
    exported: tuple[Server, list[int]], index: int
) -> None:
    server, athletes = exported
    name = BROKEN_NAMES[index]
    response = httpx.get(f"{server.url}/api/athletes/{athletes[index]}/export.csv")
    assert response.status_code == 200
    text = response.text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == 2, rows  # two reps: two rows, not four
    assert all(len(row) == len(header) for row in body)
    for row in body:
        cells = dict(zip(header, row, strict=True))
        assert cells["athlete"] == name
        assert cells["session_name"] == name
    # Quoted, so a reader that splits rows at other line breaks (U+2028, VT) keeps it too.
    assert f'"{name}"' in text


def test_every_line_break_a_reader_might_split_at_is_quoted() -> None:
    for breaker in ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"):
        text = csv_text([["a" + breaker + "=1", 2]])
        assert text == f'"a{breaker}=1",2\n', repr(breaker)
    assert csv_text([["plain", "x,y", 'say "hi"']]) == 'plain,"x,y","say ""hi"""\n'
