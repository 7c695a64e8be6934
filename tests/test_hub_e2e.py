"""Two pads and a team hub, each a real process on loopback: `nhc-scale serve` twice on the
emulated sensor with the demo athlete (each its own state directory and port), paired through
their API, and `nhc-scale hub` on SQLite.

In file order, on the same three processes: reps from both pads reach the hub under the
athletes picked on each pad; an athlete created at the hub appears on both pads with one uuid;
the hub's page shows both pads' athletes (Chromium); a pad's token cannot read the team; a pad
offline for several sessions catches up; the hub killed (SIGKILL) in the middle of a pad's
backlog and restarted ends with every session there once; the same batch replayed is stored
once; a revoked token is refused and the pad says so in words.

Sessions are made by starting and stopping them through the pad's API while the demo athlete
does reps; every wait polls with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_server import COACH, COACH_PASSWORD, Hub
from page_fixtures import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM
from server import Server, running_server

from nhc_scale.appliance.sync_store import PadSyncStore
from nhc_scale.hub.settings import DB_FILE_NAME as HUB_DB_FILE
from nhc_scale.store import DB_FILE_NAME, Store

pytestmark = pytest.mark.integration

BACKLOG = 60  # sessions made while the hub is away: three batches of the worker's 25


def wait_for(condition: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.1)


@dataclass
class Pad:
    server: Server
    name: str  # the hub's name for it
    token: str  # its pad token at the hub
    athlete: dict[str, Any]  # the athlete picked on it

    @property
    def url(self) -> str:
        return self.server.url

    def get(self, path: str) -> Any:
        answer = httpx.get(self.url + path, timeout=15)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def change(self, method: str, path: str, body: Any = None) -> Any:
        answer = httpx.request(
            method, self.url + path, json=body, headers=self.server.auth, timeout=30
        )
        assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def hub_state(self) -> dict[str, Any]:
        return self.get("/api/hub")

    def sync_now(self) -> None:
        self.change("POST", "/api/hub/sync")

    def running_session(self) -> dict[str, Any] | None:
        return next((s for s in self.get("/api/sessions")["sessions"] if s["active"]), None)

    def finish_a_session(self) -> str:
        """Stop the running session (the demo athlete starts one at each contact), else start
        one and stop it; the uuid of the session that ended."""
        running = self.running_session()
        if running is None:
            started = httpx.post(self.url + "/api/sessions", json={}, headers=self.server.auth)
            if started.status_code == 409:  # the athlete touched the pad meanwhile
                running = self.running_session()
            else:
                assert started.status_code == 201, started.text
                running = started.json()
        assert running is not None
        self.change("POST", f"/api/sessions/{running['id']}/stop")
        return running["uuid"]

    def finished(self) -> set[str]:
        return {s["uuid"] for s in self.get("/api/sessions")["sessions"] if s["ended_at"]}


@dataclass
class Team:
    hub: Hub
    gym: Pad
    home: Pad

    def coach(self) -> dict[str, str]:
        return self.hub.login()

    def hub_sessions(self, pad: Pad | None = None) -> list[dict[str, Any]]:
        answer = httpx.get(
            self.hub.url + "/api/sessions?limit=1000", headers=self.coach(), timeout=30
        )
        sessions = answer.json()["sessions"]
        return [s for s in sessions if pad is None or s["pad_name"] == pad.name]

    def hub_pad(self, pad: Pad) -> dict[str, Any]:
        pads = httpx.get(self.hub.url + "/api/pads", headers=self.coach(), timeout=10).json()
        (found,) = [p for p in pads["pads"] if p["name"] == pad.name]
        return found

    def settled(self, pad: Pad, timeout_s: float = 30) -> set[str]:
        """Wait until the pad's outbox is empty and the hub holds exactly its finished
        sessions, each once; those sessions' uuids."""

        def same() -> list[set[str]] | None:  # in a list: no sessions yet is an answer too
            if pad.hub_state()["queued"]:
                return None
            at_hub = [s["uuid"] for s in self.hub_sessions(pad)]
            assert len(at_hub) == len(set(at_hub)), "a session is twice at the hub"
            finished = pad.finished()
            return [finished] if set(at_hub) == finished else None

        return wait_for(same, timeout_s, f"{pad.name}'s sessions, each once, at the hub")[0]


def start_pad(stack: contextlib.ExitStack, state: Path, seed: int, hub: Hub, name: str) -> Pad:
    coach = hub.login()
    created = httpx.post(hub.url + "/api/pads", json={"name": name}, headers=coach)
    assert created.status_code == 201, created.text
    server = stack.enter_context(running_server(state, NHC_EMULATED_SEED=str(seed)))
    pad = Pad(server, name, created.json()["token"], {})
    # Before the demo athlete's first rep: sessions are theirs, and stay open until stopped.
    pad.athlete = pad.change(
        "POST",
        "/api/athletes",
        {"name": f"{name} athlete", "body_mass_kg": 72.0 + seed, "height_m": 1.78},
    )
    pad.change("PUT", "/api/athletes/active", {"athlete_id": pad.athlete["id"]})
    pad.change("PUT", "/api/settings", {"auto_stop_min": 120})
    paired = pad.change("PUT", "/api/hub", {"hub_url": hub.url, "pad_token": pad.token})
    assert paired["pad_name"] == name
    return pad


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    root = tmp_path_factory.mktemp("team")
    hub = Hub(root / "hub", None)
    hub.start()
    try:
        hub.add_coach()
        with contextlib.ExitStack() as stack:
            gym = start_pad(stack, root / "gym", 3, hub, "Gym pad")
            home = start_pad(stack, root / "home", 5, hub, "Home pad")
            yield Team(hub, gym, home)
            for pad in (gym, home):
                assert "Traceback" not in pad.server.log(), pad.server.log()[-3000:]
    finally:
        hub.stop()


def test_reps_from_both_pads_reach_the_hub_under_the_athletes_picked_there(team: Team) -> None:
    pads = (team.gym, team.home)

    def both_with_reps() -> list[dict[str, Any]] | None:
        running = [pad.running_session() for pad in pads]
        if all(session is not None and session["rep_count"] >= 1 for session in running):
            return running  # type: ignore[return-value]
        return None

    sessions = wait_for(both_with_reps, 120, "a rep on each pad")
    for pad, session in zip(pads, sessions, strict=True):
        pad.change("POST", f"/api/sessions/{session['id']}/stop")
    for pad, session in zip(pads, sessions, strict=True):
        assert session["athlete_id"] == pad.athlete["id"]
        team.settled(pad)
        detail = httpx.get(
            f"{team.hub.url}/api/sessions/{session['uuid']}", headers=team.coach()
        ).json()
        assert detail["session"]["pad_name"] == pad.name
        assert detail["session"]["athlete_uuid"] == pad.athlete["uuid"]
        assert detail["session"]["athlete_name"] == pad.athlete["name"]
        on_pad = pad.get(f"/api/sessions/{session['id']}")["reps"]
        assert len(on_pad) >= 1
        assert [r["min_assistance_kg"] for r in detail["reps"]] == [
            r["min_assistance_kg"] for r in on_pad
        ]
        trace = httpx.get(
            f"{team.hub.url}/api/sessions/{session['uuid']}/trace", headers=team.coach()
        ).json()
        assert len(trace["t_s"]) > 100  # the samples came too


def test_an_athlete_created_at_the_hub_appears_on_both_pads_with_one_id(team: Team) -> None:
    created = httpx.post(
        team.hub.url + "/api/athletes",
        json={"name": "Cy from the hub", "body_mass_kg": 64.0, "height_m": 1.7},
        headers=team.coach(),
    )
    assert created.status_code == 201
    cy = created.json()
    rosters = {}
    for pad in (team.gym, team.home):
        pad.sync_now()
        rosters[pad.name] = wait_for(
            lambda pad=pad: (
                (athletes := {a["uuid"]: a for a in pad.get("/api/athletes")["athletes"]})
                and cy["uuid"] in athletes
                and athletes
            ),
            20,
            f"the hub's athlete on {pad.name}",
        )
    # One roster, one id everywhere: each pad's own athlete is on the other pad too.
    expected = {cy["uuid"], team.gym.athlete["uuid"], team.home.athlete["uuid"]}
    for pad in (team.gym, team.home):
        assert set(rosters[pad.name]) == expected
        assert rosters[pad.name][cy["uuid"]]["name"] == "Cy from the hub"
    # Picked on the home pad, their session arrives at the hub under the hub's uuid.
    home = team.home
    local_id = rosters[home.name][cy["uuid"]]["id"]
    home.change("PUT", "/api/athletes/active", {"athlete_id": local_id})
    uuid = home.finish_a_session()
    team.settled(home)
    (session,) = [s for s in team.hub_sessions(home) if s["uuid"] == uuid]
    assert session["athlete_uuid"] == cy["uuid"]
    home.change("PUT", "/api/athletes/active", {"athlete_id": home.athlete["id"]})


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_the_hub_page_shows_both_pads_athletes(team: Team) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(team.hub.url + "/")
        page.get_by_test_id("username").fill(COACH)
        page.get_by_test_id("password").fill(COACH_PASSWORD)
        page.get_by_test_id("login-button").click()
        rows = page.get_by_test_id("team-row")
        sync_api.expect(rows).to_have_count(3)
        seen = {
            row.get_by_test_id("athlete-link").inner_text(): row.get_by_test_id(
                "last-session"
            ).inner_text()
            for row in rows.all()
        }
        browser.close()
    for pad in (team.gym, team.home):
        assert seen[pad.athlete["name"]].endswith(f"· {pad.name}"), seen
    assert "Cy from the hub" in seen
    assert problems == []


def test_a_pad_token_cannot_read_the_team(team: Team) -> None:
    pad_header = {"Authorization": f"Bearer {team.gym.token}"}
    for path in ("/api/team", "/api/athletes", "/api/sessions", "/api/pads"):
        answer = httpx.get(team.hub.url + path, headers=pad_header)
        assert answer.status_code == 403, path
        assert "a pad can only sync" in answer.json()["detail"]
    export = httpx.get(team.hub.url + "/api/export/reps.csv", headers=pad_header)
    assert export.status_code == 403 and "Ann" not in export.text


def test_a_pad_offline_for_several_sessions_catches_up(team: Team) -> None:
    gym = team.gym
    team.settled(gym)
    team.hub.stop()
    made = [gym.finish_a_session() for _ in range(5)]
    state = wait_for(
        lambda: (s := gym.hub_state())["status"] == "error" and s["queued"] == 5 and s,
        20,
        "the pad to see the hub gone",
    )
    assert state["last_error"].startswith(f"Cannot reach the hub at {team.hub.url}")
    health = gym.get("/api/health")
    assert health["hub"]["queued"] == 5 and health["hub"]["status"] == "error"
    assert health["status"] != "error"  # a hub away costs the pad nothing but its outbox
    team.hub.start()
    gym.sync_now()  # rather than waiting out the backoff
    assert set(made) <= team.settled(gym)


def _copy_database(pad: Pad, into: Path) -> Store:
    """A consistent copy of the pad's live database (SQLite's online backup)."""
    source = sqlite3.connect(pad.server.state_dir / DB_FILE_NAME)
    target = sqlite3.connect(into / DB_FILE_NAME)
    with source, target:
        source.backup(target)
    source.close()
    target.close()
    return Store.open(into)


def _bytes_waiting_at(port: int) -> int:
    """Request bytes the kernel holds for a listening port's process that it has not read."""
    waiting = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01":  # ESTABLISHED
            waiting += int(fields[4].split(":")[1], 16)
    return waiting


def _stored_at_hub(hub: Hub, pad_name: str) -> int:
    """The pad's sessions committed in the hub's SQLite file, read beside the hub (also while
    it is stopped: a reader sees the last commit)."""
    uri = f"file:{hub.state_dir / HUB_DB_FILE}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        return conn.execute(
            "SELECT count(*) FROM sessions s JOIN pads p ON p.id = s.pad_id WHERE p.name = ?",
            (pad_name,),
        ).fetchone()[0]


def _freeze_with_a_batch_on_its_way(hub: Hub, pad_name: str, baseline: int) -> int:
    """Let the frozen hub run a few milliseconds at a time until it has committed part of the
    backlog and the pad's next batch waits, unread, at its socket; leave it frozen there.
    Returns how many of the pad's sessions the hub has committed."""
    assert hub.process is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        os.kill(hub.process.pid, signal.SIGCONT)
        time.sleep(0.003)
        os.kill(hub.process.pid, signal.SIGSTOP)
        stored = _stored_at_hub(hub, pad_name)
        if stored >= baseline + BACKLOG:
            raise AssertionError("the whole backlog was stored before a batch could be caught")
        if stored > baseline:
            # The pad builds its next batch while the hub is frozen: give it a moment.
            with contextlib.suppress(AssertionError):
                wait_for(lambda: _bytes_waiting_at(hub.port) > 1000, 1, "the next batch")
            if _bytes_waiting_at(hub.port) > 1000:
                return stored
    raise AssertionError("no batch was caught on its way to the hub in 60 s")


def test_the_hub_killed_mid_backlog_ends_with_every_session_once(
    team: Team, tmp_path: Path
) -> None:
    gym, hub = team.gym, team.hub
    before = team.settled(gym)
    baseline = _stored_at_hub(hub, gym.name)
    hub.stop()
    made = {gym.finish_a_session() for _ in range(BACKLOG)}
    copy = _copy_database(gym, tmp_path)  # the outbox as it is now, for the replay below
    hub.start()
    assert hub.process is not None
    os.kill(hub.process.pid, signal.SIGSTOP)
    try:
        gym.sync_now()
        arrived = _freeze_with_a_batch_on_its_way(hub, gym.name, baseline)
    finally:
        hub.kill()  # SIGKILL, frozen or not: no shutdown, no flush
    wait_for(lambda: gym.hub_state()["status"] == "error", 30, "the pad to see the hub die")
    assert _stored_at_hub(hub, gym.name) == arrived  # what was committed, and nothing more
    hub.start()
    gym.sync_now()
    everything = team.settled(gym, timeout_s=60)
    assert made | before <= everything
    assert len(team.hub_sessions(gym)) == len(everything)

    # The same batch replayed (the pad's own bytes, from the copy): stored once.
    with copy:
        batch = PadSyncStore(copy).pending_sessions(25)
    assert len(batch) == 25 and {str(s.uuid) for s in batch} <= made
    body = {"protocol": 1, "sessions": [s.model_dump(mode="json") for s in batch]}
    replayed = httpx.post(
        hub.url + "/api/sync/v1/sessions",
        json=body,
        headers={"Authorization": f"Bearer {gym.token}"},
        timeout=60,
    )
    assert replayed.status_code == 200, replayed.text
    answer = replayed.json()
    assert answer["stored"] == 0 and answer["duplicates"] == 25
    assert set(answer["acknowledged"]) == {str(s.uuid) for s in batch}
    assert len(team.hub_sessions(gym)) == len(everything)


def test_a_revoked_token_is_refused_and_the_pad_says_so(team: Team) -> None:
    home, hub = team.home, team.hub
    team.settled(home)
    coach = team.coach()
    mine = team.hub_pad(home)
    assert httpx.post(f"{hub.url}/api/pads/{mine['id']}/revoke", headers=coach).is_success
    uuid = home.finish_a_session()
    home.sync_now()
    health = wait_for(
        lambda: (h := home.get("/api/health"))["hub"]["status"] == "error" and h,
        20,
        "the pad to meet the revoked token",
    )
    error = health["hub"]["last_error"]
    assert f"The hub at {hub.url} refused this pad's token" in error
    assert "revoked" in error and "Pair the pad again" in error
    assert health["hub"]["queued"] == 1 and health["status"] != "error"
    assert uuid not in {s["uuid"] for s in team.hub_sessions()}
    direct = httpx.post(
        hub.url + "/api/sync/v1/heartbeat",
        json={"protocol": 1, "pad_version": "x", "queued_sessions": 0},
        headers={"Authorization": f"Bearer {home.token}"},
    )
    assert direct.status_code == 401 and "revoked" in direct.json()["detail"]
