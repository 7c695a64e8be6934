"""The pad's sync worker (nhc_scale.sync) against the real hub process, with a small SQLite
outbox that implements the worker's Protocol: batches, acknowledgements, a hub that is down or
stalled, the roster both ways, a refused session, a revoked token."""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import hub_payloads as payloads
import numpy as np
import pytest
from hub_server import Hub, running_hub
from outbox_sqlite import SqliteOutbox

from nhc_scale.sync.client import HubError, check_pairing
from nhc_scale.sync.outbox import SyncStore
from nhc_scale.sync.protocol import SessionPayload
from nhc_scale.sync.samples import SamplesError, decode_samples, encode_samples
from nhc_scale.sync.worker import SyncConfig, SyncWorker, backoff_delay, take_by_size


def wait_for(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


# -- pure parts ------------------------------------------------------------------------------


def test_backoff_doubles_up_to_its_cap_and_is_jittered() -> None:
    rng = random.Random(7)
    for failures in range(1, 15):
        ceiling = min(300.0, 2.0 * 2 ** (failures - 1))
        delays = [backoff_delay(failures, 2.0, 300.0, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # spread out, not one value
    assert backoff_delay(0, 2.0, 300.0, rng) == 0.0


def test_batches_are_cut_by_size_but_never_empty() -> None:
    sessions = [
        SessionPayload.model_validate(payloads.session(i, None, payloads.START_UNIX, 3.0))
        for i in range(10)
    ]
    one = len(sessions[0].model_dump_json())
    assert len(take_by_size(sessions, one * 3 + 100)) == 3
    assert len(take_by_size(sessions, 10)) == 1


def test_samples_survive_the_trip_to_a_microsecond_and_a_decigram() -> None:
    t = np.arange(5000) / 80.0
    force = np.round(np.sin(t) * 30, 4)
    decoded_t, decoded_f = decode_samples(encode_samples(t, force))
    assert abs(decoded_t - t).max() < 1e-6
    assert abs(decoded_f - force).max() < 1e-4


def test_samples_that_lie_about_their_size_are_refused() -> None:
    good = encode_samples(np.arange(100) / 80.0, np.zeros(100))
    with pytest.raises(SamplesError, match="does not hold"):
        decode_samples({**good, "n": 99})
    big = encode_samples(np.arange(1_000_000) / 80.0, np.zeros(1_000_000))
    with pytest.raises(SamplesError, match="does not hold"):
        decode_samples({**big, "n": 10})  # a bomb: inflating stops at what was declared
    with pytest.raises(SamplesError, match="base64"):
        decode_samples({**good, "t_us": "not base64!"})


def test_the_sync_package_needs_neither_the_hub_nor_a_web_framework() -> None:
    code = (
        "import sys, nhc_scale.sync.worker, nhc_scale.sync.samples; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'starlette', 'sqlalchemy', 'alembic', 'psycopg', 'argon2', 'uvicorn') "
        "or m.startswith('nhc_scale.hub') or m.startswith('nhc_scale.web')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_test_outbox_is_a_sync_store(tmp_path: Path) -> None:
    store: SyncStore = SqliteOutbox(tmp_path / "pad.db")  # mypy-style check of the Protocol
    assert store.queued_count() == 0


# -- against the real hub --------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with running_hub(tmp_path / "hub") as running:
        running.add_coach()
        yield running


def _pair(hub: Hub, name: str) -> tuple[str, dict[str, str]]:
    coach = hub.login()
    answer = httpx.post(hub.url + "/api/pads", json={"name": name}, headers=coach)
    return answer.json()["token"], coach


def _config(hub: Hub, token: str, **changes) -> SyncConfig:
    fields = {
        "hub_url": hub.url,
        "pad_token": token,
        "interval_s": 0.2,
        "timeout_s": 5.0,
        "batch_sessions": 5,
        "backoff_base_s": 0.05,
        "backoff_max_s": 0.4,
        **changes,
    }
    return SyncConfig(**fields)


def _hub_sessions(hub: Hub, coach: dict[str, str]) -> list[str]:
    answer = httpx.get(hub.url + "/api/sessions?limit=1000", headers=coach)
    return [s["uuid"] for s in answer.json()["sessions"]]


@pytest.mark.integration
def test_the_worker_sends_the_outbox_in_batches_and_marks_what_was_acknowledged(
    hub: Hub, tmp_path: Path
) -> None:
    token, coach = _pair(hub, "Pad A")
    outbox = SqliteOutbox(tmp_path / "pad.db")
    lea = payloads.athlete("Lea", seed=201)
    outbox.add_athlete(lea)
    sessions = payloads.weekly_history(lea, weeks=23, seed=201)
    for session in sessions:
        outbox.queue(session)
    worker = SyncWorker(outbox, _config(hub, token))
    assert worker.sync_once() is True
    state = worker.state()
    assert (state.status, state.queued, state.sent_sessions, state.last_error) == ("ok", 0, 23, "")
    assert sorted(_hub_sessions(hub, coach)) == sorted(s["uuid"] for s in sessions)
    (pad,) = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
    assert (pad["queued_sessions"], pad["session_count"]) == (0, 23)
    assert pad["last_sync_at"] is not None
    assert worker.sync_once() is True  # nothing left: nothing sent twice
    assert len(_hub_sessions(hub, coach)) == 23


@pytest.mark.integration
def test_a_hub_that_is_down_costs_a_growing_outbox_then_everything_arrives_once(
    tmp_path: Path,
) -> None:
    hub = Hub(tmp_path / "hub", None)
    hub.start()
    hub.add_coach()
    token, _coach = _pair(hub, "Pad B")
    hub.stop()
    outbox = SqliteOutbox(tmp_path / "pad.db")
    max_ = payloads.athlete("Max", seed=202)
    worker = SyncWorker(outbox, _config(hub, token), rng=random.Random(1))
    worker.start()
    try:
        for session in payloads.weekly_history(max_, weeks=12, seed=202):
            outbox.queue(session)
            worker.notify()
        state = wait_for(
            lambda: (s := worker.state()).consecutive_failures >= 3 and s.queued == 12 and s,
            20,
            "three failed attempts with 12 sessions queued",
        )
        assert state.status == "error"
        assert state.last_error.startswith(f"Cannot reach the hub at {hub.url}")
        assert state.next_attempt_unix is not None
        hub.start()
        # The outbox empties before the cycle that emptied it ends: wait for the end.
        state = wait_for(
            lambda: (s := worker.state()).queued == 0 and s.status != "syncing" and s,
            30,
            "the outbox to empty and the cycle to end",
        )
        assert (state.status, state.last_error, state.consecutive_failures) == ("ok", "", 0)
        coach = hub.login()
        assert len(_hub_sessions(hub, coach)) == 12
        (pad,) = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
        assert (pad["queued_sessions"], pad["last_error"]) == (0, "")
    finally:
        worker.stop()
        hub.stop()


@pytest.mark.integration
def test_a_stalled_hub_never_holds_the_pad(tmp_path: Path) -> None:
    """A hub that accepts the connection and never answers: the worker's request times out, and
    nothing the pad calls waits for it."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept_until_closed() -> None:
        with contextlib.suppress(OSError):  # the test closes the listener when it is done
            while True:
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept_until_closed, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    outbox = SqliteOutbox(tmp_path / "pad.db")
    outbox.queue(payloads.session(1, None, payloads.START_UNIX, 3.0))
    config = SyncConfig(hub_url=url, pad_token="pad-x", timeout_s=1.0, backoff_base_s=0.05)
    worker = SyncWorker(outbox, config)
    worker.start()
    try:
        wait_for(lambda: accepted, 10, "the worker to connect")
        assert worker.state().status == "syncing"  # answered while the request hangs
        worker.notify()
        state = wait_for(lambda: worker.state().last_error and worker.state(), 10, "a timeout")
        assert "did not answer within 1 s" in state.last_error
        assert state.queued == 1
    finally:
        worker.stop()
        listener.close()
    assert not worker._thread.is_alive()  # stop() is bounded by the request timeout


@pytest.mark.integration
def test_the_roster_comes_down_from_the_hub_and_goes_up_from_the_pad(
    hub: Hub, tmp_path: Path
) -> None:
    token, coach = _pair(hub, "Pad C")
    created = httpx.post(
        hub.url + "/api/athletes",
        json={"name": "Nia at the hub", "body_mass_kg": 58, "height_m": 1.66},
        headers=coach,
    ).json()
    outbox = SqliteOutbox(tmp_path / "pad.db")
    ole = payloads.athlete("Ole on the pad", seed=203)
    outbox.add_athlete(ole)
    assert SyncWorker(outbox, _config(hub, token)).sync_once()
    nia = outbox.athlete(created["uuid"])
    assert nia is not None and nia["name"] == "Nia at the hub"
    at_hub = httpx.get(hub.url + f"/api/athletes/{ole['uuid']}", headers=coach)
    assert at_hub.status_code == 200
    # The hub wins: a rename there replaces the pad's name at the next exchange.
    httpx.patch(
        hub.url + f"/api/athletes/{ole['uuid']}", json={"name": "Ole (renamed)"}, headers=coach
    )
    assert SyncWorker(outbox, _config(hub, token)).sync_once()
    assert outbox.athlete(ole["uuid"])["name"] == "Ole (renamed)"


@pytest.mark.integration
def test_a_session_the_hub_refuses_is_set_aside_and_the_others_go_on(
    hub: Hub, tmp_path: Path
) -> None:
    token, coach = _pair(hub, "Pad D")
    outbox = SqliteOutbox(tmp_path / "pad.db")
    sessions = [payloads.session(300 + i, None, payloads.START_UNIX + i, 3.0) for i in range(9)]
    broken = payloads.session(399, None, payloads.START_UNIX, 3.0, with_samples=True)
    broken["samples"]["force_dg"] = "AAAA"  # valid to the pad's model, refused by the hub
    for session in [*sessions[:4], broken, *sessions[4:]]:
        outbox.queue(session)
    worker = SyncWorker(outbox, _config(hub, token, batch_sessions=10))
    assert worker.sync_once() is True
    assert sorted(_hub_sessions(hub, coach)) == sorted(s["uuid"] for s in sessions)
    (reason,) = outbox.rejected().values()
    assert "samples" in reason
    assert (outbox.queued_count(), outbox.rejected_count()) == (0, 1)
    (pad,) = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
    assert pad["rejected_sessions"] == 1


@pytest.mark.integration
def test_a_revoked_token_stops_syncing_with_a_sentence_and_marks_nothing(
    hub: Hub, tmp_path: Path
) -> None:
    coach = hub.login()
    paired = httpx.post(hub.url + "/api/pads", json={"name": "Pad E"}, headers=coach).json()
    httpx.post(hub.url + f"/api/pads/{paired['pad']['id']}/revoke", headers=coach)
    outbox = SqliteOutbox(tmp_path / "pad.db")
    outbox.queue(payloads.session(400, None, payloads.START_UNIX, 3.0))
    worker = SyncWorker(outbox, _config(hub, paired["token"]))
    assert worker.sync_once() is False
    state = worker.state()
    assert "revoked" in state.last_error and "Pair the pad again" in state.last_error
    assert outbox.queued_count() == 1


@pytest.mark.integration
def test_pairing_is_checked_with_a_sentence_for_each_mistake(hub: Hub) -> None:
    token, _coach = _pair(hub, "Pad F")
    assert check_pairing(hub.url, token, "0.1.0") == "Pad F"
    with pytest.raises(HubError, match="refused this pad's token"):
        check_pairing(hub.url, "pad-wrong-token", "0.1.0")
    with pytest.raises(HubError, match=r"Cannot reach a hub at http://127\.0\.0\.1:1 \("):
        check_pairing("http://127.0.0.1:1", token, "0.1.0")
    with pytest.raises(ValueError, match="not an http"):
        check_pairing("hub.local:8800", token, "0.1.0")
