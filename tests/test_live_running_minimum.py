"""The live running minimum over the real live stream: `nhc-scale serve` on the emulated sensor,
the demo athlete doing reps, the phone's SSE stream read over HTTP. For every rep, the last
running minimum before the rep event is the stored minimum (within the tolerance of
docs/measurement.md), no running minimum on the way is below it by more, or below zero; and the
rep event carries the same explanation as the stored rep."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from server import Server, running_server

from nhc_scale_lab.scoring import tolerance_kg

pytestmark = pytest.mark.integration
REPS = 3
DEADLINE_S = 240.0  # a rep every 10-20 s, the first within 90 s; a rest between sets is longer


@dataclass
class LiveRep:
    event: dict
    running: list[float] = field(default_factory=list)  # the values shown before it


def live_reps(url: str, count: int, seconds: float) -> list[LiveRep]:
    """The first ``count`` rep events of the live stream, each with the running minima that the
    sample events showed since the previous one."""
    reps: list[LiveRep] = []
    running: list[float] = []
    deadline = time.monotonic() + seconds
    name, data = "message", []
    with httpx.stream("GET", url + "/api/live", timeout=httpx.Timeout(5.0, read=30.0)) as answer:
        assert answer.status_code == 200
        for line in answer.iter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                payload = json.loads("\n".join(data))
                if name == "sample" and payload["running_min_kg"] is not None:
                    running.append(payload["running_min_kg"])
                elif name == "rep":
                    reps.append(LiveRep(payload, running))
                    running = []
                    if len(reps) == count:
                        break
                name, data = "message", []
            if time.monotonic() > deadline:
                break
    return reps


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("live-min"), NHC_EMULATED_SEED="3") as server:
        yield server


@pytest.fixture(scope="module")
def reps(demo: Server) -> list[LiveRep]:
    found = live_reps(demo.url, REPS, DEADLINE_S)
    assert len(found) >= 2, f"only {len(found)} reps within {DEADLINE_S:.0f} s"
    return found


def test_the_last_running_minimum_is_the_stored_one_and_none_is_below(reps: list[LiveRep]) -> None:
    for one in reps:
        stored = one.event["rep"]["min_assistance_kg"]
        tolerance = tolerance_kg(stored, 80) + 1e-9
        assert one.running, f"no running minimum before rep {one.event['rep']['number']}"
        assert abs(one.running[-1] - stored) <= tolerance, (one.running[-10:], stored)
        assert min(one.running) >= max(0.0, stored - tolerance), (min(one.running), stored)


def test_the_rep_event_is_the_stored_rep_with_its_explanation(
    demo: Server, reps: list[LiveRep]
) -> None:
    for one in reps:
        session_id, sent = one.event["session_id"], one.event["rep"]
        stored = httpx.get(f"{demo.url}/api/sessions/{session_id}").json()["reps"]
        (kept,) = [rep for rep in stored if rep["number"] == sent["number"]]
        for key in ("min_assistance_kg", "effort_start_s", "min_window_s", "push_off_start_s"):
            assert sent[key] == kept[key], key
        assert sent["ignored"] == kept["ignored"] and sent["hands_moved"] == kept["hands_moved"]
        assert sent["min_window_s"][0] <= sent["min_at_s"] <= sent["min_window_s"][1]
