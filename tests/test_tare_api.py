"""Tare over real HTTP: a pad with a steady load on it (an arm left there) is not zeroed as the
empty pad, and refusals carry their reason and numbers for the page to word in its units."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from server import Server, running_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Tared empty on a first start, then 4 kg lying still on the pad."""
    state = tmp_path_factory.mktemp("tare-loaded")
    with running_server(state, NHC_EMULATED_FORCE="zero"):
        deadline = time.monotonic() + 10
        while not (state / "calibration.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    with running_server(state, NHC_EMULATED_FORCE="4") as server:
        yield server


def tare(server: Server, **params: str) -> httpx.Response:
    # The pad needs a steady second of readings after the start: retry while it has none.
    deadline = time.monotonic() + 10
    while True:
        response = httpx.post(server.url + "/api/tare", params=params, headers=server.auth)
        if response.status_code not in (409, 503) or time.monotonic() > deadline:
            return response
        if response.status_code == 409 and response.json()["reason"] != "too_short":
            return response
        time.sleep(0.3)


def test_a_loaded_pad_is_refused_then_zeroed_anyway_saying_what_it_took(loaded: Server) -> None:
    refused = tare(loaded)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["reason"] == "loaded"
    assert body["load_kg"] == pytest.approx(4.0, abs=0.3)
    assert "not empty" in body["detail"] and "tare anyway" in body["detail"]
    health = httpx.get(loaded.url + "/api/health").json()
    before = health["calibration"]["zero_counts"]
    anyway = tare(loaded, anyway="true")
    assert anyway.status_code == 200, anyway.text
    assert anyway.json()["zeroed_kg"] == pytest.approx(4.0, abs=0.3)
    assert httpx.get(loaded.url + "/api/health").json()["calibration"]["zero_counts"] != before
    # Now the 4 kg are the zero: a tare again is a tare of a pad that reads ~0.
    again = tare(loaded)
    assert again.status_code == 200, again.text
    assert abs(again.json()["zeroed_kg"]) < 0.3
