"""The HTTP API over real HTTP on loopback, against `nhc-scale serve` on the emulated sensor."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from csv import DictReader
from pathlib import Path

import httpx
import pytest
from server import Server, read_events, running_server

from nhc_scale.analysis import analyze
from nhc_scale.analysis.recording import parse_recording

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An empty pad: deterministic tare, sessions without reps."""
    with running_server(tmp_path_factory.mktemp("quiet"), NHC_EMULATED_FORCE="zero") as server:
        yield server


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The synthetic athlete doing reps, as the README's run command shows it."""
    with running_server(tmp_path_factory.mktemp("demo"), NHC_EMULATED_SEED="3") as server:
        yield server


def test_health_reports_the_emulated_sensor_and_the_store(quiet: Server) -> None:
    deadline = time.monotonic() + 10
    while True:
        health = httpx.get(quiet.url + "/api/health").json()
        if health["sensor"]["measured_sps"] is not None or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert health["status"] == "ok"
    assert health["demo"] is True
    assert health["sensor"]["backend"] == "emulated" and health["sensor"]["emulated"] is True
    assert 75 <= health["sensor"]["measured_sps"] <= 85
    assert health["store"]["status"] == "ok"
    assert Path(health["store"]["path"]).parent == quiet.state_dir


def test_openapi_describes_every_resource(quiet: Server) -> None:
    paths = httpx.get(quiet.url + "/openapi.json").json()["paths"]
    for path in (
        "/api/live",
        "/api/health",
        "/api/sessions",
        "/api/sessions/{session_id}",
        "/api/sessions/{session_id}/stop",
        "/api/sessions/{session_id}/samples.csv",
        "/api/sessions/{session_id}/reps.csv",
        "/api/tare",
        "/api/calibration",
        "/api/settings",
        "/api/progress",
    ):
        assert path in paths, path


def test_live_stream_sends_status_then_at_least_twenty_samples_a_second(quiet: Server) -> None:
    events = read_events(quiet.url + "/api/live", seconds=2.0)
    assert events[0][0] == "status"
    status = json.loads(events[0][1])
    assert status["demo"] is True and status["sensor"]["backend"] == "emulated"
    samples = [json.loads(data) for name, data in events if name == "sample"]
    assert len(samples) >= 30  # ≥ 20 a second over the ~1.9 s after connecting
    newest = samples[-1]
    assert abs(newest["force_kg"]) < 0.5  # the pad is empty
    assert newest["sensor_status"] == "ok" and newest["state"] == "idle"
    t_ns = [t for sample in samples for t, _kg in sample["samples"]]
    assert t_ns == sorted(t_ns) and len(set(t_ns)) == len(t_ns)


def test_a_session_starts_stops_and_is_deleted(quiet: Server) -> None:
    url = quiet.url + "/api/sessions"
    created = httpx.post(url, json={"name": "Tuesday"}, headers=quiet.auth)
    assert created.status_code == 201, created.text
    session = created.json()
    assert session["active"] is True and session["name"] == "Tuesday"
    again = httpx.post(url, json={}, headers=quiet.auth)
    assert again.status_code == 409 and "already running" in again.json()["detail"]
    busy = httpx.delete(f"{url}/{session['id']}", headers=quiet.auth)
    assert busy.status_code == 409

    patched = httpx.patch(
        f"{url}/{session['id']}", json={"notes": "felt strong"}, headers=quiet.auth
    )
    assert patched.json()["notes"] == "felt strong" and patched.json()["name"] == "Tuesday"
    time.sleep(1.5)
    stopped = httpx.post(f"{url}/{session['id']}/stop", headers=quiet.auth)
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert httpx.post(f"{url}/{session['id']}/stop", headers=quiet.auth).status_code == 409

    listed = httpx.get(url).json()["sessions"]
    assert next(s["id"] for s in listed) == session["id"]
    detail = httpx.get(f"{url}/{session['id']}").json()
    assert detail["reps"] == [] and detail["summary"]["rep_count"] == 0

    csv = httpx.get(f"{url}/{session['id']}/samples.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "t_s,force_kg,counts"
    assert len(lines) > 80  # more than a second of samples at 80 S/s

    assert httpx.delete(f"{url}/{session['id']}", headers=quiet.auth).status_code == 204
    assert httpx.get(f"{url}/{session['id']}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/sessions/999999", None),
        ("DELETE", "/api/sessions/999999", None),
        ("POST", "/api/sessions/999999/stop", None),
        ("GET", "/api/sessions/999999/samples.csv", None),
        ("PATCH", "/api/sessions/999999", {"name": "x"}),
    ],
)
def test_unknown_sessions_are_404_with_a_message(
    quiet: Server, method: str, path: str, body: dict | None
) -> None:
    response = httpx.request(method, quiet.url + path, json=body, headers=quiet.auth)
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/api/sessions/1", {"name": "x" * 101}),
        ("POST", "/api/calibration", {"mass_kg": "heavy"}),
        ("POST", "/api/calibration", {"mass_kg": -3}),
        ("PUT", "/api/settings", {"units": "stone"}),
        ("PUT", "/api/settings", {"auto_stop_min": 0}),
        ("POST", "/api/sessions", {"name": 3, "extra": True}),
    ],
)
def test_bad_bodies_get_422_with_a_readable_message(
    quiet: Server, method: str, path: str, body: dict
) -> None:
    response = httpx.request(method, quiet.url + path, json=body, headers=quiet.auth)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid request:")


def test_tare_on_an_empty_pad_and_calibration_refused_without_a_mass(quiet: Server) -> None:
    tared = httpx.post(quiet.url + "/api/tare", headers=quiet.auth)
    assert tared.status_code == 200, tared.text
    assert tared.json()["zero_counts"] != 0
    refused = httpx.post(quiet.url + "/api/calibration", json={"mass_kg": 20}, headers=quiet.auth)
    assert refused.status_code == 409
    assert "changed by only" in refused.json()["detail"]
    health = httpx.get(quiet.url + "/api/health").json()
    assert health["calibration"]["tared"] is True and health["calibration"]["calibrated"] is False


def test_settings_round_trip(quiet: Server) -> None:
    changed = httpx.put(
        quiet.url + "/api/settings", json={"units": "lb", "body_mass_kg": 82.5}, headers=quiet.auth
    )
    assert changed.status_code == 200
    assert changed.json()["units"] == "lb" and changed.json()["body_mass_kg"] == 82.5
    assert httpx.get(quiet.url + "/api/settings").json()["units"] == "lb"


def test_the_page_and_its_assets_are_served_from_the_package(quiet: Server) -> None:
    page = httpx.get(quiet.url + "/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert httpx.get(quiet.url + "/static/../../config.py").status_code == 404


def test_live_reps_are_found_again_by_analyze_in_the_export(demo: Server) -> None:
    """The demo athlete's first rep starts a session by itself; its stored reps and
    `analyze` on its samples.csv agree to 0.01 kg."""
    events = read_events(demo.url + "/api/live", seconds=90.0, stop_on="rep")
    reps = [json.loads(data) for name, data in events if name == "rep"]
    assert reps, "no rep within 90 s"
    session_id = reps[0]["session_id"]
    assert reps[0]["rep"]["number"] == 1
    stop = httpx.post(f"{demo.url}/api/sessions/{session_id}/stop", headers=demo.auth)
    assert stop.status_code == 200
    stored = httpx.get(f"{demo.url}/api/sessions/{session_id}").json()["reps"]
    assert len(stored) >= 1
    csv = httpx.get(f"{demo.url}/api/sessions/{session_id}/samples.csv").text
    t_s, force = parse_recording(csv)
    offline = analyze(t_s, force).to_dict()["reps"]
    assert len(offline) == len(stored)
    for live, found in zip(stored, offline, strict=True):
        for key in ("start_s", "end_s", "min_at_s"):
            assert abs(live[key] - found[key]) < 0.02, key
        for key in ("min_assistance_kg", "hold_kg", "landing_peak_kg"):
            assert abs(live[key] - found[key]) <= 0.01, key
        assert live["unassisted"] == found["unassisted"]
    reps_csv = httpx.get(f"{demo.url}/api/sessions/{session_id}/reps.csv").text
    rows = list(DictReader(io.StringIO(reps_csv)))  # list cells are quoted JSON
    assert [float(row["min_assistance_kg"]) for row in rows] == [
        rep["min_assistance_kg"] for rep in stored
    ]
