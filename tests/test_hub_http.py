"""The hub as a real process (`nhc-scale hub`) on both engines, over HTTP: logins, pairing and
revoking pads, what a pad token may and may not do, idempotent pushes, bad input, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import hub_payloads as payloads
import pytest
from hub_databases import ENGINES, database_url
from hub_server import COACH, Hub, running_hub

pytestmark = pytest.mark.integration
PUSH = "/api/sync/v1/sessions"
ROSTER = "/api/sync/v1/roster"
HEARTBEAT = "/api/sync/v1/heartbeat"
READS = (
    "/api/team",
    "/api/athletes",
    "/api/pads",
    "/api/sessions",
    "/api/export/reps.csv",
    "/api/export/team.json",
    "/api/me",
)


@pytest.fixture(scope="module", params=ENGINES)
def hub(request, tmp_path_factory) -> Iterator[Hub]:
    state = tmp_path_factory.mktemp(f"hub-{request.param}")
    with running_hub(state, database_url(request.param, state)) as running:
        running.add_coach()
        yield running


@pytest.fixture(scope="module")
def coach(hub: Hub) -> dict[str, str]:
    return hub.login()


def _push(hub: Hub, pad: dict[str, str], sessions: list[dict]) -> httpx.Response:
    return httpx.post(hub.url + PUSH, json=payloads.push_body(sessions), headers=pad, timeout=30)


def test_reading_the_team_needs_a_login(hub: Hub) -> None:
    for path in READS:
        answer = httpx.get(hub.url + path)
        assert answer.status_code == 401, path
        assert "Log in" in answer.json()["detail"]


def test_a_wrong_password_is_refused_and_guessing_is_stopped(hub: Hub) -> None:
    hub.add_coach("guessed", "the right password!")
    for _ in range(5):
        answer = httpx.post(
            hub.url + "/api/login", json={"username": "guessed", "password": "wrong guess"}
        )
        assert answer.status_code == 401
        assert answer.json()["detail"] == "Wrong username or password."
    answer = httpx.post(
        hub.url + "/api/login", json={"username": "guessed", "password": "the right password!"}
    )
    assert answer.status_code == 429
    assert "Too many wrong passwords" in answer.json()["detail"]


def test_a_login_cookie_reads_the_team_and_logging_out_ends_it(hub: Hub) -> None:
    with httpx.Client(base_url=hub.url) as browser:
        login = browser.post(
            "/api/login", json={"username": COACH, "password": "a long coach password"}
        )
        assert login.status_code == 200
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert browser.get("/api/team").status_code == 200
        assert browser.post("/api/logout").status_code == 204
        assert browser.get("/api/team").status_code == 401


def test_a_change_with_the_cookie_from_another_site_is_refused(hub: Hub) -> None:
    with httpx.Client(base_url=hub.url) as browser:
        browser.post("/api/login", json={"username": COACH, "password": "a long coach password"})
        forged = browser.post(
            "/api/pads", json={"name": "forged"}, headers={"Origin": "http://evil.example"}
        )
        assert forged.status_code == 403
        assert "own page" in forged.json()["detail"]
        same_site = browser.post("/api/pads", json={"name": "own"}, headers={"Origin": hub.url})
        assert same_site.status_code == 201


def test_pairing_shows_the_token_once_and_the_pad_list_never(hub: Hub, coach) -> None:
    answer = httpx.post(hub.url + "/api/pads", json={"name": "Pairing pad"}, headers=coach)
    assert answer.status_code == 201
    token = answer.json()["token"]
    assert token.startswith("pad-")
    listed = httpx.get(hub.url + "/api/pads", headers=coach)
    assert token not in listed.text
    assert "Pairing pad" in listed.text


def test_a_pad_token_syncs_but_cannot_read_the_team(hub: Hub, coach) -> None:
    pad = hub.pair(coach, "Nosy pad")
    beat = {"protocol": 1, "pad_version": "0.1.0", "queued_sessions": 0}
    assert httpx.post(hub.url + HEARTBEAT, json=beat, headers=pad).status_code == 200
    for path in READS:
        answer = httpx.get(hub.url + path, headers=pad)
        assert answer.status_code == 403, path
        assert "pad token" in answer.json()["detail"]
    pairing = httpx.post(hub.url + "/api/pads", json={"name": "evil"}, headers=pad)
    assert pairing.status_code == 403


def test_a_login_token_is_not_a_pad_token(hub: Hub, coach) -> None:
    beat = {"protocol": 1, "pad_version": "0.1.0", "queued_sessions": 0}
    answer = httpx.post(hub.url + HEARTBEAT, json=beat, headers=coach)
    assert answer.status_code == 401
    assert "pair the pad" in answer.json()["detail"]


def test_the_same_batch_replayed_is_stored_once(hub: Hub, coach) -> None:
    pad = hub.pair(coach, "Replay pad")
    fay = payloads.athlete("Fay Replay", seed=101)
    batch = [payloads.session(1000 + i, fay, payloads.START_UNIX + i * 3600, 9.0) for i in range(8)]
    first = _push(hub, pad, batch)
    again = _push(hub, pad, batch)
    assert first.status_code == again.status_code == 200
    assert (first.json()["stored"], first.json()["duplicates"]) == (8, 0)
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 8)
    assert again.json()["acknowledged"] == [s["uuid"] for s in batch]
    sessions = httpx.get(hub.url + "/api/sessions?limit=1000", headers=coach).json()["sessions"]
    assert sorted(s["uuid"] for s in sessions if s["athlete_name"] == "Fay Replay") == sorted(
        s["uuid"] for s in batch
    )


def test_a_revoked_pad_token_is_refused_and_its_sessions_stay(hub: Hub, coach) -> None:
    answer = httpx.post(hub.url + "/api/pads", json={"name": "Lost pad"}, headers=coach)
    pad_id, pad = answer.json()["pad"]["id"], {"Authorization": f"Bearer {answer.json()['token']}"}
    gus = payloads.athlete("Gus Lost", seed=102)
    assert (
        _push(hub, pad, [payloads.session(2000, gus, payloads.START_UNIX, 4.0)]).status_code == 200
    )
    revoked = httpx.post(hub.url + f"/api/pads/{pad_id}/revoke", headers=coach)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    refused = _push(hub, pad, [payloads.session(2001, gus, payloads.START_UNIX + 60, 4.0)])
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert httpx.post(hub.url + ROSTER, json={"protocol": 1}, headers=pad).status_code == 401
    pads = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
    (lost,) = [p for p in pads if p["id"] == pad_id]
    assert lost["session_count"] == 1


def test_the_roster_goes_up_and_comes_down(hub: Hub, coach) -> None:
    created = httpx.post(
        hub.url + "/api/athletes",
        json={"name": "Hana Hub", "body_mass_kg": 64, "height_m": 1.7},
        headers=coach,
    )
    assert created.status_code == 201
    pad = hub.pair(coach, "Roster pad")
    ivo = payloads.athlete("Ivo Pad", seed=103)
    answer = httpx.post(hub.url + ROSTER, json={"protocol": 1, "athletes": [ivo]}, headers=pad)
    assert answer.status_code == 200
    names = {a["name"]: a["uuid"] for a in answer.json()["athletes"]}
    assert names["Hana Hub"] == created.json()["uuid"]
    assert names["Ivo Pad"] == ivo["uuid"]


def test_a_heartbeat_shows_on_the_pads_page(hub: Hub, coach) -> None:
    answer = httpx.post(hub.url + "/api/pads", json={"name": "Beating pad"}, headers=coach)
    pad = {"Authorization": f"Bearer {answer.json()['token']}"}
    beat = {"protocol": 1, "pad_version": "9.8.7", "queued_sessions": 12, "rejected_sessions": 1}
    assert httpx.post(hub.url + HEARTBEAT, json=beat, headers=pad).status_code == 200
    pads = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
    (shown,) = [p for p in pads if p["id"] == answer.json()["pad"]["id"]]
    assert (shown["version"], shown["queued_sessions"], shown["rejected_sessions"]) == (
        "9.8.7",
        12,
        1,
    )
    assert shown["last_seen_at"] is not None


def test_another_protocol_version_is_refused_with_a_sentence(hub: Hub, coach) -> None:
    pad = hub.pair(coach, "Future pad")
    answer = httpx.post(hub.url + ROSTER, json={"protocol": 2, "athletes": []}, headers=pad)
    assert answer.status_code == 409
    assert "protocol 1" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"protocol": 1, "sessions": []}', "sessions"),
        (b'{"protocol": 1, "sessions": [{"uuid": "x"}]}', "uuid"),
    ],
)
def test_bad_pushes_get_a_422_with_a_sentence(hub: Hub, coach, body: bytes, fragment: str) -> None:
    pad = hub.pair(coach, "Clumsy pad")
    answer = httpx.post(
        hub.url + PUSH, content=body, headers={**pad, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert fragment in answer.json()["detail"]


def test_a_rep_with_a_number_json_cannot_hold_is_refused(hub: Hub, coach) -> None:
    pad = hub.pair(coach, "NaN pad")
    one = payloads.session(3000, None, payloads.START_UNIX, 3.0)
    text = json.dumps(payloads.push_body([one])).replace('"effort_s": 2.1', '"effort_s": NaN', 1)
    answer = httpx.post(
        hub.url + PUSH, content=text, headers={**pad, "Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert "finite" in answer.json()["detail"]


def test_samples_that_do_not_decode_are_refused_and_nothing_is_stored(hub: Hub, coach) -> None:
    pad = hub.pair(coach, "Garbled pad")
    good = payloads.session(3100, None, payloads.START_UNIX, 3.0)
    bad = payloads.session(3101, None, payloads.START_UNIX, 3.0, with_samples=True)
    bad["samples"]["t_us"] = "AAAA"
    answer = _push(hub, pad, [good, bad])
    assert answer.status_code == 422
    assert "samples" in answer.json()["detail"]
    detail = httpx.get(hub.url + f"/api/sessions/{good['uuid']}", headers=coach)
    assert detail.status_code == 404


def test_a_huge_body_is_refused_before_it_is_read(hub: Hub) -> None:
    answer = httpx.post(
        hub.url + "/api/login",
        content=b"x" * (65 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413


def test_unknown_and_malformed_ids_are_4xx(hub: Hub, coach) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert httpx.get(hub.url + f"/api/sessions/{unknown}", headers=coach).status_code == 404
    assert httpx.get(hub.url + f"/api/athletes/{unknown}", headers=coach).status_code == 404
    assert httpx.get(hub.url + "/api/athletes/nope", headers=coach).status_code == 422
    assert httpx.post(hub.url + "/api/pads/99999/revoke", headers=coach).status_code == 404
    huge = httpx.post(hub.url + f"/api/pads/{2**70}/revoke", headers=coach)
    assert huge.status_code == 422
    bad_lever = httpx.post(
        hub.url + "/api/athletes",
        json={"name": "Odd", "body_mass_kg": 70, "height_m": 1.8, "knee_to_hands_m": 0.3,
              "knee_to_ankle_m": 0.5},
        headers=coach,
    )  # fmt: skip
    assert bad_lever.status_code == 422
    assert "swapped" in bad_lever.json()["detail"]


def test_the_csv_export_keeps_line_breaks_in_one_cell_and_defuses_formulas(hub: Hub, coach) -> None:
    pad = hub.pair(coach, "Export pad")
    jo = payloads.athlete('=HYPERLINK("x")', seed=104)
    one = payloads.session(4000, jo, payloads.START_UNIX, 6.0, name="line one\r\nline two\rthree")
    assert _push(hub, pad, [one]).status_code == 200
    answer = httpx.get(hub.url + "/api/export/reps.csv", headers=coach)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    mine = [row for row in rows if row["session_uuid"] == one["uuid"]]
    assert len(mine) == len(one["reps"])
    assert mine[0]["session_name"] == "line one\r\nline two\rthree"
    assert mine[0]["athlete"] == '\'=HYPERLINK("x")'
    assert float(mine[0]["ankle_force_per_leg_n"]) > 0


def test_the_json_export_is_one_document_with_every_session(hub: Hub, coach) -> None:
    answer = httpx.get(hub.url + "/api/export/team.json", headers=coach)
    assert answer.status_code == 200
    document = answer.json()
    listed = httpx.get(hub.url + "/api/sessions?limit=1000", headers=coach).json()["sessions"]
    assert {item["session"]["uuid"] for item in document["sessions"]} == {s["uuid"] for s in listed}
    assert document["strength"]["contraction"] == "concentric"


def test_the_openapi_schema_lists_the_sync_protocol(hub: Hub) -> None:
    schema = httpx.get(hub.url + "/openapi.json").json()
    assert {PUSH, ROSTER, HEARTBEAT, "/api/team"} <= set(schema["paths"])


def test_text_and_numbers_a_database_cannot_keep_are_422_not_500(hub: Hub, coach) -> None:
    nul = httpx.post(
        hub.url + "/api/athletes",
        json={"name": "Nul\u0000name", "body_mass_kg": 70, "height_m": 1.8},
        headers=coach,
    )
    assert nul.status_code == 422
    assert "NUL" in nul.json()["detail"]
    pad = hub.pair(coach, "Edge pad")
    far = payloads.session(5000, None, payloads.START_UNIX, 3.0, pad_session_id=2**40)
    assert _push(hub, pad, [far]).status_code == 422
    future = payloads.session(5001, None, 1e300, 3.0)
    assert _push(hub, pad, [future]).status_code == 422
    keyed = payloads.session(5002, None, payloads.START_UNIX, 3.0)
    keyed["summary"] = {"bad\u0000key": 1}
    assert _push(hub, pad, [keyed]).status_code == 422
