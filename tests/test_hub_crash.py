"""The hub killed with SIGKILL while a batch is on its way or being stored, then restarted: the
pad sends the batch again and every session is there once, none lost, none doubled; before the
resend the batch is all there or not at all (one transaction)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import hub_payloads as payloads
import pytest
from hub_databases import ENGINES, database_url
from hub_server import Hub

pytestmark = pytest.mark.integration
BATCH = 60
#: A batch of 60 takes about 0.2 s to read and store here: from before the body is read to
#: after the commit, so some kills land mid-batch.
KILL_AFTER_S = (0.03, 0.08, 0.13, 0.2, 0.5)


@pytest.fixture(params=ENGINES)
def hub(request, tmp_path) -> Iterator[Hub]:
    running = Hub(tmp_path, database_url(request.param, tmp_path))
    running.start()
    running.add_coach()
    try:
        yield running
    finally:
        running.stop()


def _stored(hub: Hub, coach: dict[str, str], uuids: set[str]) -> list[str]:
    sessions = httpx.get(hub.url + "/api/sessions?limit=1000", headers=coach, timeout=30)
    return [s["uuid"] for s in sessions.json()["sessions"] if s["uuid"] in uuids]


def test_a_hub_killed_mid_batch_loses_nothing_and_doubles_nothing(hub: Hub) -> None:
    pad = hub.pair(hub.login(), "Crash pad")
    interrupted = 0
    total: set[str] = set()
    for round_, delay in enumerate(KILL_AFTER_S):
        athlete = payloads.athlete(f"Kim {round_}", seed=500 + round_)
        batch = [
            payloads.session(
                10_000 * (round_ + 1) + i, athlete, payloads.START_UNIX + i * 600, 8.0,
                with_samples=True,
            )
            for i in range(BATCH)
        ]  # fmt: skip
        uuids = {s["uuid"] for s in batch}
        total |= uuids
        answers: list[httpx.Response | Exception] = []

        def send(batch=batch, answers=answers) -> None:
            try:
                answers.append(
                    httpx.post(
                        hub.url + "/api/sync/v1/sessions",
                        json=payloads.push_body(batch),
                        headers=pad,
                        timeout=60,
                    )
                )
            except httpx.HTTPError as error:
                answers.append(error)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(delay)
        hub.kill()
        sender.join(60)
        (answer,) = answers
        if isinstance(answer, Exception):
            interrupted += 1
        else:
            assert answer.status_code == 200, answer.text
        hub.start()
        coach = hub.login()
        before = _stored(hub, coach, uuids)
        assert len(before) in (0, BATCH), f"a part of the batch was stored: {len(before)}"
        if isinstance(answer, httpx.Response):
            assert len(before) == BATCH  # acknowledged means on disk
        resent = httpx.post(
            hub.url + "/api/sync/v1/sessions",
            json=payloads.push_body(batch),
            headers=pad,
            timeout=60,
        )
        assert resent.status_code == 200
        assert set(resent.json()["acknowledged"]) == uuids
        after = _stored(hub, coach, uuids)
        assert sorted(after) == sorted(uuids)
    assert interrupted >= 1, "no kill landed while a batch was in flight"
    coach = hub.login()
    everything = _stored(hub, coach, total)
    assert len(everything) == len(set(everything)) == len(total)
    team = httpx.get(hub.url + "/api/team", headers=coach).json()["athletes"]
    assert sum(
        row["session_count"] for row in team if row["athlete"]["name"].startswith("Kim ")
    ) == len(total)
