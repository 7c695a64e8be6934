"""Reps explain themselves through the API: a real `nhc-scale serve` on loopback whose database
holds a recorded session (hand shifts, glitches, lost conversions) and one stored before the
detector said where its number came from."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from recorded_sessions import record_session
from server import Server, running_server
from stored_reps import rep_dict

from nhc_scale.analysis import analyze
from nhc_scale.analysis.recording import parse_recording
from nhc_scale.store import Store

pytestmark = pytest.mark.integration
EXPLANATION = ("effort_start_s", "min_window_s", "push_off_start_s", "ignored", "hands_moved")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, int]]]:
    state = tmp_path_factory.mktemp("explained")
    now = time.time()
    with Store.open(state) as store:
        old = store.create_session("before the explanation", now - 7200, 0, True)
        store.add_rep(old, rep_dict(1, 18.5, 10.0))
        store.end_session(old, now - 7000)
        recorded = record_session(store, 1018, 80, now - 3600, name="hand shifts")
    with running_server(state, NHC_EMULATED_FORCE="zero") as running:
        yield running, {"old": old, "recorded": recorded}


def reps_of(server: Server, session_id: int) -> list[dict]:
    answer = httpx.get(f"{server.url}/api/sessions/{session_id}")
    assert answer.status_code == 200
    return answer.json()["reps"]


def test_a_recorded_rep_says_where_its_number_came_from(
    server: tuple[Server, dict[str, int]],
) -> None:
    running, ids = server
    reps = reps_of(running, ids["recorded"])
    assert len(reps) == 10
    for rep in reps:
        assert rep["start_s"] <= rep["effort_start_s"] <= rep["min_at_s"] <= rep["end_s"]
        low, high = rep["min_window_s"]
        assert high - low == pytest.approx(0.3, abs=0.002)
        assert low <= rep["min_at_s"] <= high
        assert rep["unassisted"] or rep["min_at_s"] < rep["push_off_start_s"] <= rep["end_s"]
        for span in rep["ignored"]:
            assert set(span) == {"kind", "start_s", "end_s"}
            assert span["kind"] in {"hand_shift", "glitch", "lost_data"}
            assert span["start_s"] < span["end_s"]
    assert sum(rep["hands_moved"] for rep in reps) >= 2
    kinds = {span["kind"] for rep in reps for span in rep["ignored"]}
    assert {"hand_shift", "lost_data"} <= kinds


def test_the_stored_explanation_is_what_analyze_finds_in_the_export(
    server: tuple[Server, dict[str, int]],
) -> None:
    running, ids = server
    stored = reps_of(running, ids["recorded"])
    export = httpx.get(f"{running.url}/api/sessions/{ids['recorded']}/samples.csv").text
    offline = analyze(*parse_recording(export)).to_dict()["reps"]
    assert len(offline) == len(stored)
    for live, found in zip(stored, offline, strict=True):
        for key in EXPLANATION:
            assert live[key] == found[key], key


def test_a_rep_stored_before_the_explanation_has_it_null(
    server: tuple[Server, dict[str, int]],
) -> None:
    running, ids = server
    (rep,) = reps_of(running, ids["old"])
    assert rep["min_assistance_kg"] == 18.5
    assert all(rep[key] is None for key in EXPLANATION)


def test_the_trace_carries_the_explanation_for_the_chart(
    server: tuple[Server, dict[str, int]],
) -> None:
    running, ids = server
    trace = httpx.get(f"{running.url}/api/sessions/{ids['recorded']}/trace?max_points=500")
    assert trace.status_code == 200
    assert trace.json()["reps"] == reps_of(running, ids["recorded"])


def test_the_reps_csv_holds_the_explanation_in_quoted_json_cells(
    server: tuple[Server, dict[str, int]],
) -> None:
    running, ids = server
    stored = reps_of(running, ids["recorded"])
    text = httpx.get(f"{running.url}/api/sessions/{ids['recorded']}/reps.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(stored)
    for row, rep in zip(rows, stored, strict=True):
        assert json.loads(row["min_window_s"]) == rep["min_window_s"]
        assert json.loads(row["ignored"]) == rep["ignored"]
        assert row["hands_moved"] == str(rep["hands_moved"]).lower()
        push = rep["push_off_start_s"]
        assert row["push_off_start_s"] == ("" if push is None else str(push))
    first_data_line = text.splitlines()[1]
    assert '"[' in first_data_line  # a list's commas stay inside one quoted cell
    old = httpx.get(f"{running.url}/api/sessions/{ids['old']}/reps.csv").text
    (row,) = csv.DictReader(io.StringIO(old))
    assert row["ignored"] == "" and row["min_window_s"] == "" and row["hands_moved"] == ""


def test_the_schema_describes_the_explanation(server: tuple[Server, dict[str, int]]) -> None:
    running, _ = server
    schemas = httpx.get(running.url + "/openapi.json").json()["components"]["schemas"]
    rep = schemas["Rep"]["properties"]
    assert set(EXPLANATION) <= set(rep)
    kinds = schemas["IgnoredSpan"]["properties"]["kind"]["enum"]
    assert kinds == ["hand_shift", "glitch", "lost_data"]
