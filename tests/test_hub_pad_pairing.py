"""Pairing a running pad (`nhc-scale serve`) with a real hub: through the API with the admin
token, with `nhc-scale pair` while the pad runs, or pinned by the settings; what the pad says
about it in /api/hub and /api/health; unpairing. Each a real process on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_server import Hub, running_hub
from server import NHC_SCALE, Server, read_events, running_server

pytestmark = pytest.mark.integration


def wait_for(condition: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with running_hub(tmp_path_factory.mktemp("hub")) as running:
        running.add_coach()
        yield running


def new_pad_token(hub: Hub, name: str) -> str:
    answer = httpx.post(hub.url + "/api/pads", json={"name": name}, headers=hub.login())
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def hub_session_uuids(hub: Hub) -> set[str]:
    answer = httpx.get(hub.url + "/api/sessions?limit=1000", headers=hub.login(), timeout=10)
    return {session["uuid"] for session in answer.json()["sessions"]}


def finish_session(pad: Server) -> str:
    """Start and stop a session through the API; its uuid."""
    started = httpx.post(pad.url + "/api/sessions", json={}, headers=pad.auth, timeout=10)
    assert started.status_code == 201, started.text
    session = started.json()
    stopped = httpx.post(
        f"{pad.url}/api/sessions/{session['id']}/stop", headers=pad.auth, timeout=10
    )
    assert stopped.status_code == 200, stopped.text
    return session["uuid"]


def hub_state(pad: Server) -> dict[str, Any]:
    answer = httpx.get(pad.url + "/api/hub", timeout=10)
    assert answer.status_code == 200
    return answer.json()


def pair_cli(pad: Server, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    environment["NHC_STATE_DIR"] = str(pad.state_dir)
    return subprocess.run(
        [str(NHC_SCALE), "pair", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def test_a_pad_paired_from_its_api_sends_its_outbox_and_unpaired_keeps_it(
    hub: Hub, tmp_path: Path
) -> None:
    with running_server(tmp_path / "pad", NHC_EMULATED_FORCE="zero") as pad:
        state = hub_state(pad)
        assert state["paired"] is False and state["status"] == "unpaired"
        before = finish_session(pad)
        assert hub_state(pad)["queued"] == 1
        health = httpx.get(pad.url + "/api/health").json()
        assert health["hub"]["queued"] == 1 and health["hub"]["paired"] is False
        assert health["status"] != "error"

        token = new_pad_token(hub, "Api pad")
        body = {"hub_url": hub.url, "pad_token": token}
        assert httpx.put(pad.url + "/api/hub", json=body).status_code == 401  # no admin token
        wrong = httpx.put(
            pad.url + "/api/hub", json={**body, "pad_token": "pad-not-the-token"}, headers=pad.auth
        )
        assert wrong.status_code == 422
        assert wrong.json()["detail"].startswith(f"Not paired: The hub at {hub.url} refused")
        nowhere = httpx.put(
            pad.url + "/api/hub",
            json={**body, "hub_url": "http://127.0.0.1:9"},
            headers=pad.auth,
            timeout=30,
        )
        assert nowhere.status_code == 422 and "Cannot reach a hub" in nowhere.json()["detail"]
        not_an_address = httpx.put(
            pad.url + "/api/hub", json={**body, "hub_url": "coach-laptop:8800"}, headers=pad.auth
        )
        assert not_an_address.status_code == 422
        assert "http://" in not_an_address.json()["detail"]
        assert hub_state(pad)["paired"] is False
        assert not (pad.state_dir / "hub-pairing.json").exists()

        paired = httpx.put(pad.url + "/api/hub", json=body, headers=pad.auth, timeout=30)
        assert paired.status_code == 200, paired.text
        state = paired.json()
        assert state["paired"] and state["source"] == "pairing" and state["hub_url"] == hub.url
        assert state["pad_name"] == "Api pad" and "pad_token" not in state
        assert token not in paired.text
        assert (pad.state_dir / "hub-pairing.json").stat().st_mode & 0o777 == 0o600
        wait_for(lambda: before in hub_session_uuids(hub), 30, "the queued session at the hub")
        after = finish_session(pad)  # a finished session goes at once, not at the next interval
        wait_for(lambda: after in hub_session_uuids(hub), 20, "the new session at the hub")
        state = wait_for(
            lambda: (s := hub_state(pad))["status"] == "ok" and s["queued"] == 0 and s,
            20,
            "an empty outbox",
        )
        assert state["last_error"] == "" and state["last_success_unix"] is not None
        assert httpx.get(pad.url + "/api/health").json()["hub"]["status"] == "ok"
        events = read_events(pad.url + "/api/live", seconds=10, stop_on="status")
        status = json.loads(next(data for name, data in events if name == "status"))
        assert status["hub"].pop("last_success_unix") >= state["last_success_unix"]
        assert status["hub"].pop("status") in ("ok", "syncing")  # the 30 s cycle may be on
        assert status["hub"] == {
            "paired": True,
            "queued": 0,
            "rejected": 0,
            "last_error": "",
        }

        unpaired = httpx.delete(pad.url + "/api/hub", headers=pad.auth)
        assert unpaired.status_code == 200 and unpaired.json()["paired"] is False
        assert not (pad.state_dir / "hub-pairing.json").exists()
        kept = finish_session(pad)
        assert hub_state(pad)["queued"] == 1
        refused = httpx.post(pad.url + "/api/hub/sync", headers=pad.auth)
        assert refused.status_code == 409 and "not paired" in refused.json()["detail"]
        assert kept not in hub_session_uuids(hub)
        assert "Traceback" not in pad.log()


def test_the_cli_pairs_a_running_pad_and_removes_the_pairing(hub: Hub, tmp_path: Path) -> None:
    with running_server(tmp_path / "pad", NHC_EMULATED_FORCE="zero") as pad:
        queued = finish_session(pad)
        token = new_pad_token(hub, "Cli pad")
        wrong = pair_cli(pad, hub.url, "--token-stdin", stdin="pad-not-the-token\n")
        assert wrong.returncode == 1
        assert "not paired" in wrong.stderr and "refused this pad's token" in wrong.stderr
        done = pair_cli(pad, hub.url, "--token-stdin", stdin=token + "\n")
        assert done.returncode == 0, done.stderr
        assert "'Cli pad'" in done.stdout and token not in done.stdout
        state = wait_for(
            lambda: (s := hub_state(pad))["paired"] and s, 15, "the running pad to take it up"
        )
        assert state["pad_name"] == "Cli pad"
        wait_for(lambda: queued in hub_session_uuids(hub), 30, "the session at the hub")
        shown = pair_cli(pad)
        assert shown.returncode == 0 and hub.url in shown.stdout and token not in shown.stdout
        removed = pair_cli(pad, "--remove")
        assert removed.returncode == 0 and "removed" in removed.stdout
        wait_for(lambda: not hub_state(pad)["paired"], 15, "the running pad to unpair")
        assert "not paired" in pair_cli(pad).stdout


def test_a_hub_in_the_settings_wins_and_is_not_changed_from_the_page(
    hub: Hub, tmp_path: Path
) -> None:
    token = new_pad_token(hub, "Pinned pad")
    with running_server(
        tmp_path / "pad", NHC_EMULATED_FORCE="zero", NHC_HUB_URL=hub.url, NHC_HUB_TOKEN=token
    ) as pad:
        state = wait_for(
            lambda: (s := hub_state(pad))["status"] == "ok" and s, 20, "a first good exchange"
        )
        assert state["source"] == "settings" and state["pad_name"] == "Pinned pad"
        body = {"hub_url": hub.url, "pad_token": token}
        for answer in (
            httpx.put(pad.url + "/api/hub", json=body, headers=pad.auth),
            httpx.delete(pad.url + "/api/hub", headers=pad.auth),
        ):
            assert answer.status_code == 409 and "settings" in answer.json()["detail"]
        uuid = finish_session(pad)
        wait_for(lambda: uuid in hub_session_uuids(hub), 20, "the session at the hub")


def test_a_pad_paired_with_a_new_hub_sends_it_every_session_and_the_old_hub_none_twice(
    hub: Hub, tmp_path: Path
) -> None:
    with (
        running_hub(tmp_path / "club-hub") as club,
        running_server(tmp_path / "pad", NHC_EMULATED_FORCE="zero") as pad,
    ):
        club.add_coach()

        def pair(with_hub: Hub, name: str) -> None:
            body = {"hub_url": with_hub.url, "pad_token": new_pad_token(with_hub, name)}
            answer = httpx.put(pad.url + "/api/hub", json=body, headers=pad.auth, timeout=30)
            assert answer.status_code == 200, answer.text

        def outbox_empty() -> None:
            wait_for(lambda: hub_state(pad)["queued"] == 0, 30, "an empty outbox")

        pair(hub, "Moving pad")
        sessions = {finish_session(pad), finish_session(pad)}
        wait_for(lambda: sessions <= hub_session_uuids(hub), 30, "the sessions at the first hub")
        outbox_empty()
        at_first_hub = hub_session_uuids(hub)

        pair(club, "Moving pad")  # the coach moved to the club's server
        wait_for(lambda: sessions <= hub_session_uuids(club), 30, "the sessions at the new hub")
        outbox_empty()
        assert f"{club.url} is a new hub: 2 finished sessions queued for it" in pad.log()

        pair(hub, "Moving pad again")  # and back: sent again, stored once
        back = f"{hub.url} is a new hub: 2 finished sessions queued for it"
        wait_for(lambda: back in pad.log(), 10, "the sessions queued again for the first hub")
        outbox_empty()
        assert hub_session_uuids(hub) == at_first_hub
        assert "Traceback" not in pad.log()
