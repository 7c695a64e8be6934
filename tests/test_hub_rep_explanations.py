"""A pad's reps reach the team hub with their explanation as the pad stored it: where the minimum
came from (docs/api.md, `Rep`) passes through the sync protocol, the hub's session view and its
exports untouched."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import hub_payloads as payloads
import numpy as np
import pytest
from analysis_traces import assisted, noisy, timeline
from hub_databases import ENGINES, database_url
from hub_server import Hub, running_hub

from nhc_scale.analysis import analyze

pytestmark = pytest.mark.integration
PUSH = "/api/sync/v1/sessions"


@pytest.fixture(scope="module", params=ENGINES)
def hub(request, tmp_path_factory) -> Iterator[Hub]:
    state = tmp_path_factory.mktemp(f"hub-explained-{request.param}")
    with running_hub(state, database_url(request.param, state)) as running:
        running.add_coach()
        yield running


def detected_reps() -> list[dict]:
    """Two reps as the pad's detector stores them: the second with a hand shift at its minimum
    and a glitch in its effort."""
    t = timeline(60.0, 80.0)
    shift = (t - 35.3) / 0.2
    force = assisted(t, 10.0) + assisted(t, 30.0, bottom=15.0, plateau_s=0.3)
    force -= np.where(np.abs(shift) < 0.5, 2.5 * (1 + np.cos(2 * np.pi * shift)), 0.0)
    force = noisy(t, force)
    force[np.argmin(np.abs(t - 34.2))] -= 60.0
    reps = [rep.to_dict() for rep in analyze(t, force).reps]
    assert len(reps) == 2 and reps[1]["hands_moved"] and len(reps[1]["ignored"]) == 2
    return [{"number": number, **rep} for number, rep in enumerate(reps, start=1)]


def test_the_hub_keeps_the_explanation_as_the_pad_sent_it(hub: Hub) -> None:
    coach = hub.login()
    pad = hub.pair(coach, "Explaining pad")
    session = payloads.session(7100, payloads.athlete("Ed", seed=71), payloads.START_UNIX, 15.0)
    session["reps"] = detected_reps()
    session["summary"] = {
        "rep_count": 2,
        "best_min_kg": min(r["min_assistance_kg"] for r in session["reps"]),
    }
    pushed = httpx.post(hub.url + PUSH, json=payloads.push_body([session]), headers=pad)
    assert pushed.status_code == 200, pushed.text

    detail = httpx.get(f"{hub.url}/api/sessions/{session['uuid']}", headers=coach).json()
    explanation = ("effort_start_s", "min_window_s", "push_off_start_s", "ignored", "hands_moved")
    for sent, kept in zip(session["reps"], detail["reps"], strict=True):
        assert {key: kept[key] for key in explanation} == {key: sent[key] for key in explanation}

    export = httpx.get(hub.url + "/api/export/reps.csv", headers=coach).text
    rows = [row for row in csv.DictReader(io.StringIO(export, newline=""))
            if row["session_uuid"] == session["uuid"]]  # fmt: skip
    assert [json.loads(row["ignored"]) for row in rows] == [r["ignored"] for r in session["reps"]]
    assert [row["hands_moved"] for row in rows] == ["false", "true"]
    assert all(row["extra"] == "" for row in rows)  # the explanation is the rep's own keys
