"""Athletes over real HTTP on loopback: profiles, the active athlete, strength on reps, the
relaxed reading, progress with its forecast, and the exports (`nhc-scale serve` on the emulated
sensor, as in test_api_http.py)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server import Server, read_events, running_server
from stored_reps import rep_dict

from nhc_scale.store import Store

pytestmark = pytest.mark.integration

DAY_S = 86400.0
ANNA = {"name": "Anna", "body_mass_kg": 70.0, "height_m": 1.72}
STRENGTH = ("torque_nm", "torque_low_nm", "torque_high_nm", "ankle_force_per_leg_n", "n_per_kg")


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An empty pad, and no matplotlib (a stand-in that refuses to import): the plot's 501."""
    root = tmp_path_factory.mktemp("athletes-quiet")
    hidden = root / "no-matplotlib" / "matplotlib"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('matplotlib is hidden for this test')\n")
    with running_server(
        root / "state", NHC_EMULATED_FORCE="zero", PYTHONPATH=str(hidden.parent)
    ) as server:
        yield server


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("athletes-demo"), NHC_EMULATED_SEED="3") as s:
        yield s


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    """Eight weekly sessions of an athlete whose best minimum falls 2 kg a week, written into
    the database before the server starts; the last one yesterday, with five sets."""
    state = tmp_path_factory.mktemp("athletes-history")
    now = time.time()
    ids: dict = {"sessions": []}
    with Store.open(state) as store:
        athlete = store.create_athlete(
            {**ANNA, "name": '=HYPERLINK("http://evil")'}, created_at=now - 60 * DAY_S
        )
        ids["athlete"] = athlete.id
        store.set_active_athlete(athlete.id)
        for week in range(8):
            started = now - DAY_S - (7 - week) * 7 * DAY_S
            sid = store.create_session(None, started, 0, True)
            best = 30.0 - 2.0 * week
            last = week == 7
            gap = 60.0 if last else 10.0  # more than 45 s apart: each rep its own set
            for number in range(5):
                store.add_rep(sid, rep_dict(number + 1, best + 0.5 * number, number * gap))
            store.end_session(sid, started + 600)
            ids["sessions"].append(sid)
        store.update_session(ids["sessions"][0], name="@SUM(1+1)")
        store.set_active_athlete(None)
        unassigned = store.create_session("-2+3", now - 3 * DAY_S, 0, True)
        store.add_rep(unassigned, rep_dict(1, 12.0, 0.0))
        store.end_session(unassigned, now - 3 * DAY_S + 60)
        ids["unassigned"] = unassigned
    with running_server(state, NHC_EMULATED_FORCE="zero") as server:
        yield server, ids


@pytest.fixture(scope="module")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """30 kg lying still on the pad: tared empty on a first start, then loaded."""
    state = tmp_path_factory.mktemp("athletes-steady")
    with running_server(state, NHC_EMULATED_FORCE="zero"):
        deadline = time.monotonic() + 10
        while not (state / "calibration.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    with running_server(state, NHC_EMULATED_FORCE="30") as server:
        yield server


def create(server: Server, **fields: object) -> dict:
    response = httpx.post(
        server.url + "/api/athletes", json={**ANNA, **fields}, headers=server.auth
    )
    assert response.status_code == 201, response.text
    return response.json()


# ---- profiles --------------------------------------------------------------------------------


def test_an_athlete_is_created_read_listed_and_changed(quiet: Server) -> None:
    anna = create(quiet, name="  Anna B  ", knee_to_hands_m=0.95)
    assert anna["name"] == "Anna B"
    assert anna["knee_to_ankle_m"] is None and anna["relaxed_kg"] is None
    assert anna["lever"]["knee_to_hands_m"] == 0.95 and anna["lever"]["hands_measured"] is True
    assert anna["lever"]["knee_to_ankle_m"] == pytest.approx(0.23 * 1.72, abs=0.001)
    assert httpx.get(f"{quiet.url}/api/athletes/{anna['id']}").json() == anna
    listed = httpx.get(quiet.url + "/api/athletes").json()
    assert anna["id"] in [a["id"] for a in listed["athletes"]]
    patched = httpx.patch(
        f"{quiet.url}/api/athletes/{anna['id']}",
        json={"body_mass_kg": 72.5, "knee_to_hands_m": None, "relaxed_kg": 40.0},
        headers=quiet.auth,
    ).json()
    assert patched["body_mass_kg"] == 72.5 and patched["knee_to_hands_m"] is None
    assert patched["lever"]["hands_measured"] is False
    assert patched["relaxed_kg"] == 40.0 and patched["relaxed_at"] is not None


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"body_mass_kg": 10}, "body_mass_kg"),
        ({"height_m": 3.0}, "height_m"),
        ({"name": "   "}, "name is empty"),
        ({"knee_to_hands_m": 0.4, "knee_to_ankle_m": 0.45}, "swapped"),
        ({"shoe_size": 42}, "shoe_size"),
    ],
)
def test_implausible_profiles_are_refused_with_a_reason(
    quiet: Server, fields: dict, fragment: str
) -> None:
    response = httpx.post(quiet.url + "/api/athletes", json={**ANNA, **fields}, headers=quiet.auth)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


def test_a_relaxed_reading_must_be_less_than_the_body_mass(quiet: Server) -> None:
    anna = create(quiet)
    response = httpx.patch(
        f"{quiet.url}/api/athletes/{anna['id']}", json={"relaxed_kg": 80}, headers=quiet.auth
    )
    assert response.status_code == 422 and "body mass" in response.json()["detail"]


def test_changes_need_the_admin_token_and_unknown_ids_are_404(quiet: Server) -> None:
    anna = create(quiet)
    url = f"{quiet.url}/api/athletes"
    for method, path, body in (
        ("POST", "", ANNA),
        ("PATCH", f"/{anna['id']}", {"name": "X"}),
        ("DELETE", f"/{anna['id']}", None),
        ("PUT", "/active", {"athlete_id": anna["id"]}),
        ("POST", f"/{anna['id']}/relaxed", None),
    ):
        response = httpx.request(method, url + path, json=body)
        assert response.status_code == 401, (method, path)
    for path in ("/9999", "/9999/progress", "/9999/export.csv", "/9999/export.json"):
        assert httpx.get(url + path).status_code == 404, path


# ---- the active athlete and sessions ---------------------------------------------------------


def test_new_sessions_belong_to_the_active_athlete(quiet: Server) -> None:
    anna = create(quiet)
    put = httpx.put(
        quiet.url + "/api/athletes/active", json={"athlete_id": anna["id"]}, headers=quiet.auth
    )
    assert put.status_code == 200 and put.json()["athlete"]["active"] is True
    assert httpx.get(quiet.url + "/api/athletes").json()["active_athlete_id"] == anna["id"]
    session = httpx.post(quiet.url + "/api/sessions", json={}, headers=quiet.auth).json()
    assert session["athlete_id"] == anna["id"] and session["variation"] == "assisted"
    httpx.post(f"{quiet.url}/api/sessions/{session['id']}/stop", headers=quiet.auth)
    cleared = httpx.put(
        quiet.url + "/api/athletes/active", json={"athlete_id": None}, headers=quiet.auth
    )
    assert cleared.json() == {
        "active_athlete_id": None,
        "athlete": None,
        "stopped_session_id": None,
        "reassigned_session_id": None,
    }
    other = httpx.post(quiet.url + "/api/sessions", json={}, headers=quiet.auth).json()
    assert other["athlete_id"] is None
    httpx.post(f"{quiet.url}/api/sessions/{other['id']}/stop", headers=quiet.auth)


def test_switching_athletes_hands_an_empty_running_session_over(quiet: Server) -> None:
    anna, bert = create(quiet), create(quiet, name="Bert")
    active = quiet.url + "/api/athletes/active"
    httpx.put(active, json={"athlete_id": anna["id"]}, headers=quiet.auth)
    session = httpx.post(quiet.url + "/api/sessions", json={}, headers=quiet.auth).json()
    switched = httpx.put(active, json={"athlete_id": bert["id"]}, headers=quiet.auth).json()
    assert switched["reassigned_session_id"] == session["id"]
    assert (
        httpx.get(f"{quiet.url}/api/sessions/{session['id']}").json()["session"]["athlete_id"]
        == bert["id"]
    )
    httpx.post(f"{quiet.url}/api/sessions/{session['id']}/stop", headers=quiet.auth)
    httpx.put(active, json={"athlete_id": None}, headers=quiet.auth)


def test_a_session_is_reassigned_and_tagged_by_patch(quiet: Server) -> None:
    anna = create(quiet)
    session = httpx.post(quiet.url + "/api/sessions", json={}, headers=quiet.auth).json()
    httpx.post(f"{quiet.url}/api/sessions/{session['id']}/stop", headers=quiet.auth)
    url = f"{quiet.url}/api/sessions/{session['id']}"
    patched = httpx.patch(
        url, json={"athlete_id": anna["id"], "variation": "prisoner"}, headers=quiet.auth
    ).json()
    assert patched["athlete_id"] == anna["id"] and patched["variation"] == "prisoner"
    assert httpx.patch(url, json={"variation": "handstand"}, headers=quiet.auth).status_code == 422
    unknown = httpx.patch(url, json={"athlete_id": 9999}, headers=quiet.auth)
    assert unknown.status_code == 422 and "no athlete 9999" in unknown.json()["detail"]
    unassigned = httpx.patch(url, json={"athlete_id": None}, headers=quiet.auth).json()
    assert unassigned["athlete_id"] is None and unassigned["variation"] == "prisoner"


def test_deleting_an_athlete_with_sessions_needs_unassign(quiet: Server) -> None:
    anna = create(quiet)
    session = httpx.post(quiet.url + "/api/sessions", json={}, headers=quiet.auth).json()
    httpx.post(f"{quiet.url}/api/sessions/{session['id']}/stop", headers=quiet.auth)
    httpx.patch(
        f"{quiet.url}/api/sessions/{session['id']}",
        json={"athlete_id": anna["id"]},
        headers=quiet.auth,
    )
    url = f"{quiet.url}/api/athletes/{anna['id']}"
    refused = httpx.delete(url, headers=quiet.auth)
    assert refused.status_code == 409 and "unassign=true" in refused.json()["detail"]
    assert httpx.delete(url + "?unassign=true", headers=quiet.auth).status_code == 204
    assert httpx.get(url).status_code == 404
    kept = httpx.get(f"{quiet.url}/api/sessions/{session['id']}").json()["session"]
    assert kept["athlete_id"] is None
    lonely = create(quiet, name="Nobody")
    assert (
        httpx.delete(f"{quiet.url}/api/athletes/{lonely['id']}", headers=quiet.auth).status_code
        == 204
    )


# ---- strength on reps ------------------------------------------------------------------------


def test_reps_of_an_athletes_session_carry_the_strength_estimate(demo: Server) -> None:
    anna = create(demo)
    httpx.put(demo.url + "/api/athletes/active", json={"athlete_id": anna["id"]}, headers=demo.auth)
    deadline = time.monotonic() + 90
    while True:  # the first assisted rep (an unassisted one has no estimate: its minimum is 0)
        events = read_events(demo.url + "/api/live", seconds=60, stop_on="rep")
        reps = [json.loads(data) for name, data in events if name == "rep"]
        if reps and not reps[-1]["rep"]["unassisted"]:
            rep_event = reps[-1]
            break
        assert time.monotonic() < deadline, "no assisted rep from the demo athlete"
    rep = rep_event["rep"]
    assert all(key in rep for key in STRENGTH)
    assert rep["torque_low_nm"] <= rep["torque_nm"] <= rep["torque_high_nm"]
    assert rep["n_per_kg"] == pytest.approx(rep["ankle_force_per_leg_n"] / 70.0, abs=0.01)
    detail = httpx.get(f"{demo.url}/api/sessions/{rep_event['session_id']}").json()
    assert detail["session"]["athlete_id"] == anna["id"]
    stored = next(r for r in detail["reps"] if r["number"] == rep["number"])
    assert stored == rep  # live and stored: the same numbers
    strength = detail["strength"]
    assert strength["applies"] is True and strength["method"] == "anthropometric"
    assert [t["value_n"] for t in strength["thresholds"]] == [256.0, 279.0, 337.0]
    assert "eccentric" in strength["caveat"] and "oncentric" in strength["caveat"]


def test_other_variations_and_unassigned_sessions_have_no_estimate(demo: Server) -> None:
    session = httpx.post(demo.url + "/api/sessions", json={}, headers=demo.auth)
    sessions = httpx.get(demo.url + "/api/sessions").json()["sessions"]
    target = next(s for s in sessions if s["athlete_id"] is not None)
    url = f"{demo.url}/api/sessions/{target['id']}"
    httpx.patch(url, json={"variation": "overhead"}, headers=demo.auth)
    detail = httpx.get(url).json()
    assert detail["strength"]["applies"] is False and "overhead" in detail["strength"]["reason"]
    assert all("torque_nm" not in rep for rep in detail["reps"])
    httpx.patch(url, json={"variation": "assisted"}, headers=demo.auth)
    if session.status_code == 201:
        httpx.post(f"{demo.url}/api/sessions/{session.json()['id']}/stop", headers=demo.auth)


def test_strength_info_lists_thresholds_caveat_and_variations(quiet: Server) -> None:
    info = httpx.get(quiet.url + "/api/strength").json()
    assert info["contraction"] == "concentric"
    assert all("citation" in t and "population" in t for t in info["thresholds"])
    assert [v["id"] for v in info["variations"]][:2] == ["assisted", "sides"]


# ---- the relaxed reference -------------------------------------------------------------------


def test_a_relaxed_reading_is_taken_from_steady_readings(steady: Server) -> None:
    anna = create(steady)
    time.sleep(4.5)  # the appliance keeps the newest 4 s
    response = httpx.post(f"{steady.url}/api/athletes/{anna['id']}/relaxed", headers=steady.auth)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["relaxed_kg"] == pytest.approx(30.0, abs=0.5)
    assert result["steady_s"] >= 2.0
    assert result["athlete"]["relaxed_kg"] == result["relaxed_kg"]


def test_a_relaxed_reading_is_refused_when_nothing_steady_is_on_the_pad(quiet: Server) -> None:
    anna = create(quiet)
    response = httpx.post(f"{quiet.url}/api/athletes/{anna['id']}/relaxed", headers=quiet.auth)
    assert response.status_code == 409
    assert "no load" in response.json()["detail"]
    assert httpx.get(f"{quiet.url}/api/athletes/{anna['id']}").json()["relaxed_kg"] is None


def test_with_a_relaxed_reading_reps_use_it_and_show_the_hamstring_share(
    history: tuple[Server, dict],
) -> None:
    server, ids = history
    url = f"{server.url}/api/athletes/{ids['athlete']}"
    httpx.patch(url, json={"relaxed_kg": 40.0}, headers=server.auth)
    try:
        detail = httpx.get(f"{server.url}/api/sessions/{ids['sessions'][-1]}").json()
        assert detail["strength"]["method"] == "relaxed-reference"
        rep = detail["reps"][0]  # minimum 16 kg of a 40 kg relaxed load
        assert rep["hamstring_share"] == pytest.approx(1 - 16 / 40, abs=0.001)
        assert rep["torque_nm"] == pytest.approx(9.80665 * 24 * 0.533 * 1.72, rel=0.01)
    finally:
        httpx.patch(url, json={"relaxed_kg": None}, headers=server.auth)


# ---- progress and exports --------------------------------------------------------------------


def test_progress_has_the_trend_and_a_forecast_with_a_range(history: tuple[Server, dict]) -> None:
    server, ids = history
    progress = httpx.get(f"{server.url}/api/athletes/{ids['athlete']}/progress").json()
    assert [p["best_min_kg"] for p in progress["points"]] == [30 - 2 * w for w in range(8)]
    assert progress["trend"]["slope_kg_per_week"] == pytest.approx(-2.0, abs=0.01)
    forecast = progress["forecast"]
    assert forecast["status"] == "forecast"
    # 16 kg yesterday, 2 kg a week: zero in about 8 weeks.
    expected = time.time() - DAY_S + 8 * 7 * DAY_S
    assert abs(forecast["date_unix"] - expected) < 2 * DAY_S
    assert forecast["earliest"] <= forecast["date"] <= forecast["latest"]
    assert (
        progress["points"][0]["ankle_force_per_leg_n"]
        < progress["points"][-1]["ankle_force_per_leg_n"]
    )
    (note,) = progress["training_notes"]
    assert note["kind"] == "sets" and note["count"] == 5


def test_progress_is_per_variation(history: tuple[Server, dict]) -> None:
    server, ids = history
    url = f"{server.url}/api/athletes/{ids['athlete']}/progress"
    sides = httpx.get(url, params={"variation": "sides"}).json()
    assert sides["points"] == [] and sides["forecast"]["status"] == "not_enough_data"
    counts = {v["id"]: v["session_count"] for v in sides["variations"]}
    assert counts["assisted"] == 8 and counts["sides"] == 0
    assert httpx.get(url, params={"variation": "cartwheel"}).status_code == 422


def test_csv_export_has_every_rep_with_strength_and_no_formulas(
    history: tuple[Server, dict],
) -> None:
    server, ids = history
    response = httpx.get(f"{server.url}/api/athletes/{ids['athlete']}/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 8 * 5
    assert all(row["athlete"] == '\'=HYPERLINK("http://evil")' for row in rows)
    assert rows[0]["session_name"] == "'@SUM(1+1)"
    assert {row["variation"] for row in rows} == {"assisted"}
    assert float(rows[0]["torque_nm"]) > 0 and rows[0]["strength_method"] == "anthropometric"
    assert all(row["session_id"] != str(ids["unassigned"]) for row in rows)


def test_json_export_has_the_sessions_with_their_reps(history: tuple[Server, dict]) -> None:
    server, ids = history
    document = httpx.get(f"{server.url}/api/athletes/{ids['athlete']}/export.json").json()
    assert document["athlete"]["id"] == ids["athlete"]
    assert [s["session"]["id"] for s in document["sessions"]] == ids["sessions"]
    assert all(len(s["reps"]) == 5 for s in document["sessions"])
    assert "torque_nm" in document["sessions"][0]["reps"][0]
    assert document["strength"]["thresholds"]


def test_the_progress_plot_is_a_png(history: tuple[Server, dict]) -> None:
    server, ids = history
    response = httpx.get(f"{server.url}/api/athletes/{ids['athlete']}/progress.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_without_matplotlib_the_plot_is_501_and_says_why(quiet: Server) -> None:
    anna = create(quiet)
    response = httpx.get(f"{quiet.url}/api/athletes/{anna['id']}/progress.png")
    assert response.status_code == 501
    assert "matplotlib" in response.json()["detail"]
    assert "nhc-scale[plot]" in response.json()["detail"]


def test_openapi_describes_the_athlete_routes(quiet: Server) -> None:
    paths = httpx.get(quiet.url + "/openapi.json").json()["paths"]
    for path in (
        "/api/athletes",
        "/api/athletes/active",
        "/api/athletes/{athlete_id}",
        "/api/athletes/{athlete_id}/relaxed",
        "/api/athletes/{athlete_id}/progress",
        "/api/athletes/{athlete_id}/progress.png",
        "/api/athletes/{athlete_id}/export.csv",
        "/api/athletes/{athlete_id}/export.json",
        "/api/strength",
    ):
        assert path in paths, path


def test_the_database_keeps_old_sessions_unassigned(history: tuple[Server, dict]) -> None:
    server, ids = history
    session = httpx.get(f"{server.url}/api/sessions/{ids['unassigned']}").json()
    assert session["session"]["athlete_id"] is None and session["strength"] is None
    assert "torque_nm" not in session["reps"][0]
    assert Path(server.state_dir).exists()
