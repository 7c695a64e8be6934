"""What anyone on the Wi-Fi, a second process or a damaged file could do to a running appliance
(docs/api.md, README "Security"): each finding made against the real server is tested there."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from server import NHC_SCALE, free_port, running_server

from nhc_scale.system import clock_synchronized

pytestmark = pytest.mark.integration


def serve_once(state_dir: Path, timeout_s: float = 60.0) -> subprocess.CompletedProcess[str]:
    """``nhc-scale serve`` expected to refuse: it must exit by itself, in one line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    env.update(
        NHC_PINS="emulated",
        NHC_STATE_DIR=str(state_dir),
        NHC_REALTIME_PRIORITY="0",
        NHC_ADMIN_TOKEN="test-admin-token",
    )
    return subprocess.run(
        [str(NHC_SCALE), "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


def one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("nhc-scale serve:")]
    assert len(lines) == 1, done.stderr
    return lines[0]


# ----- a second copy of the appliance -----------------------------------------------------------


def test_a_second_serve_on_the_same_state_dir_is_refused_naming_the_first(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with running_server(state, NHC_EMULATED_FORCE="zero") as first:
        done = serve_once(state)
        line = one_line_refusal(done)
        assert f"PID {first.process.pid}" in line, line
        # The sensor commands drive the same pins: refused the same way.
        env = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
        env.update(NHC_PINS="emulated", NHC_STATE_DIR=str(state))
        tare = subprocess.run(
            [str(NHC_SCALE), "tare"], env=env, capture_output=True, text=True, timeout=60
        )
        assert tare.returncode != 0 and f"PID {first.process.pid}" in tare.stderr
        assert "Traceback" not in tare.stderr
        # doctor still shows the token (the README sends people there for it).
        doctor = subprocess.run(
            [str(NHC_SCALE), "doctor", "--json"], env=env, capture_output=True, text=True
        )
        report = json.loads(doctor.stdout)
        assert report["status"] == "in_use" and "admin_token" in report
        assert httpx.get(first.url + "/api/health").json()["status"] != "error"
    # Once the first is gone, the state directory is free again.
    with running_server(state, NHC_EMULATED_FORCE="zero") as again:
        assert httpx.get(again.url + "/api/health").status_code == 200


# ----- damaged files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"zero_counts": 84000,\n "counts_per_kg": ', "line 2"),
        (
            '{"zero_counts": 84000, "counts_per_kg": 0, "gain": 128}',
            "counts_per_kg",
        ),
        ('{"zero_counts": NaN, "counts_per_kg": 10000, "gain": 128}', "zero_counts"),
        ('{"zero_counts": 1, "counts_per_kg": 10000, "gain": 7}', "gain"),
        ("[1, 2]", "file"),
    ],
)
def test_a_damaged_calibration_is_refused_at_start_in_one_line(
    tmp_path: Path, content: str, expected: str
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "calibration.json").write_text(content)
    line = one_line_refusal(serve_once(state))
    assert "calibration.json is damaged" in line and expected in line, line
    assert (state / "calibration.json").read_text() == content  # left untouched


def test_a_read_only_database_is_refused_at_start_in_one_line(tmp_path: Path) -> None:
    """The database file is read-only, its directory is not. Root ignores permission bits
    (CAP_DAC_OVERRIDE), so as root the refused server runs without that capability."""
    state = tmp_path / "ro"
    with running_server(state, NHC_EMULATED_FORCE="zero") as server:
        assert httpx.get(server.url + "/api/health").status_code == 200
    (state / "nhc-scale.db").chmod(0o444)
    command = [str(NHC_SCALE), "serve", "--host", "127.0.0.1", "--port", str(free_port())]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and util-linux's setpriv is missing")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    env.update(
        NHC_PINS="emulated",
        NHC_STATE_DIR=str(state),
        NHC_REALTIME_PRIORITY="0",
        NHC_ADMIN_TOKEN="test-admin-token",
    )
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    line = one_line_refusal(done)
    assert "cannot be written" in line and "nhc-scale.db" in line, line


# ----- the open clock endpoint ------------------------------------------------------------------


@pytest.mark.skipif(
    clock_synchronized() is not False,
    reason="this machine's clock is synchronised: the endpoint rightly does nothing here",
)
def test_a_phone_time_moves_each_session_once_even_where_ids_were_reused(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path / "state", NHC_EMULATED_FORCE="zero") as server:

        def start() -> dict:
            response = httpx.post(server.url + "/api/sessions", json={}, headers=server.auth)
            assert response.status_code == 201, response.text
            return response.json()

        def stop(session_id: int) -> None:
            url = f"{server.url}/api/sessions/{session_id}/stop"
            assert httpx.post(url, headers=server.auth).status_code == 200

        ids = []
        for _ in range(4):  # delete three: their ids must not come back
            session = start()
            stop(session["id"])
            ids.append(session["id"])
            if len(ids) < 4:
                url = f"{server.url}/api/sessions/{session['id']}"
                assert httpx.delete(url, headers=server.auth).status_code == 204
        assert len(set(ids)) == 4, f"ids reused: {ids}"
        kept = ids[-1]
        before = httpx.get(f"{server.url}/api/sessions/{kept}").json()["session"]
        answer = httpx.post(
            server.url + "/api/clock", json={"phone_time_unix": time.time() + 3600}
        ).json()
        assert answer["corrected_sessions"] == [kept]
        after = httpx.get(f"{server.url}/api/sessions/{kept}").json()["session"]

        def unix(iso: str) -> float:
            from datetime import datetime

            return datetime.fromisoformat(iso).timestamp()

        moved = unix(after["started_at"]) - unix(before["started_at"])
        assert abs(moved - 3600) <= 3, f"moved {moved:.0f} s for a phone 3600 s ahead"


def test_the_clock_endpoint_refuses_other_names_other_origins_and_absurd_times(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path / "state", NHC_EMULATED_FORCE="zero") as server:
        url = server.url + "/api/clock"
        now = {"phone_time_unix": time.time()}
        rebound = httpx.post(url, json=now, headers={"Host": "attacker.example"})
        assert rebound.status_code == 403 and "own" in rebound.json()["detail"]
        foreign = httpx.post(url, json=now, headers={"Origin": "http://attacker.example"})
        assert foreign.status_code == 403
        for absurd in (1_000_000_000.0, 2e9 * 2.0, 0.0):
            refused = httpx.post(url, json={"phone_time_unix": absurd})
            assert refused.status_code == 422, refused.text
            assert "phone's clock says" in refused.json()["detail"]
        assert httpx.post(url, json=now).status_code == 200
        local = httpx.post(url, json=now, headers={"Host": f"localhost:{url.split(':')[2]}"})
        assert local.status_code == 200


# ----- a rep shown is a rep stored --------------------------------------------------------------


def test_a_rep_shown_survives_a_kill_right_after_its_event(tmp_path: Path) -> None:
    """The rep event goes out only after its commit: SIGKILL the server the moment it arrives
    (three times, each on a fresh rep) and the rep is in the database."""
    state = tmp_path / "state"
    for attempt in range(3):
        with running_server(state, NHC_EMULATED_SEED=str(11 + attempt)) as server:
            rep = _first_rep_event(server.url + "/api/live", timeout_s=120)
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(10)
        conn = sqlite3.connect(state / "nhc-scale.db")
        try:
            stored = [
                json.loads(row[0])
                for row in conn.execute(
                    "SELECT data FROM reps WHERE session_id = ?", (rep["session_id"],)
                )
            ]
        finally:
            conn.close()
        assert rep["rep"]["number"] in [r["number"] for r in stored], f"kill {attempt + 1}"
        match = next(r for r in stored if r["number"] == rep["rep"]["number"])
        assert match["min_assistance_kg"] == rep["rep"]["min_assistance_kg"]
        assert rep["saved"] is True


def _first_rep_event(url: str, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    name = ""
    with httpx.stream("GET", url, timeout=httpx.Timeout(5.0, read=30.0)) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:") and name == "rep":
                return json.loads(line[5:])
            if time.monotonic() > deadline:
                break
    raise AssertionError(f"no rep in {timeout_s} s")


# ----- a pipeline that fails is seen, not silent -------------------------------------------------


def test_a_failing_pipeline_turns_health_to_error_and_says_why_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever kills the pipeline thread (a bug, a bad number): health says error (so the
    watchdog stops pinging and systemd restarts the service) and the log says why, once."""
    from fastapi.testclient import TestClient

    from nhc_scale.appliance.core import Appliance
    from nhc_scale.config import Settings
    from nhc_scale.web.app import create_app

    def broken(self: Appliance, block: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(Appliance, "_on_block", broken)
    settings = Settings(
        pins="emulated",
        state_dir=tmp_path,
        realtime_priority=0,
        emulated_force="zero",
        admin_token="test-admin-token",
    )
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 20
        while (health := client.get("/api/health").json())["status"] != "error":
            assert time.monotonic() < deadline, health
            time.sleep(0.1)
    assert health["pipeline"] == {
        "status": "error",
        "message": "ZeroDivisionError: float division by zero",
    }
    stopped = [r for r in caplog.records if "the pipeline stopped" in r.getMessage()]
    assert len(stopped) == 1 and stopped[0].exc_info is not None


# ----- a long export does not hold up the live view ---------------------------------------------


def test_the_pipeline_keeps_delivering_while_a_long_export_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a stored session's samples takes the store's lock for the SQL and decodes
    outside every lock: the pipeline must never wait for it (a one-hour session took 10-17 ms
    here, far longer on a Pi). The decoding is held open on purpose, and samples must still
    go out to the live stream meanwhile."""
    import threading

    from fastapi.testclient import TestClient

    from nhc_scale.config import Settings
    from nhc_scale.store import store as store_module
    from nhc_scale.web.app import create_app

    entered, release = threading.Event(), threading.Event()
    real_assemble = store_module.assemble

    def slow_assemble(*args: object) -> object:
        entered.set()
        release.wait(30)
        return real_assemble(*args)  # type: ignore[arg-type]

    settings = Settings(
        pins="emulated",
        state_dir=tmp_path,
        realtime_priority=0,
        emulated_force="20",
        admin_token="test-admin-token",
    )
    auth = {"Authorization": "Bearer test-admin-token"}
    with TestClient(create_app(settings)) as client:
        appliance = client.app.state.appliance  # type: ignore[attr-defined]
        appliance.hub.subscribe()  # the hub counts what it publishes only for a listener
        session = client.post("/api/sessions", json={"name": "long"}, headers=auth).json()
        time.sleep(1.0)
        monkeypatch.setattr(store_module, "assemble", slow_assemble)
        answers: list[int] = []
        export = threading.Thread(
            target=lambda: answers.append(
                client.get(f"/api/sessions/{session['id']}/samples.csv").status_code
            )
        )
        export.start()
        try:
            assert entered.wait(10), "the export never reached the decoding"
            published = appliance.hub.published
            deadline = time.monotonic() + 10
            while appliance.hub.published < published + 20:
                assert time.monotonic() < deadline, "the pipeline waited for the export"
                time.sleep(0.05)
        finally:
            release.set()
            export.join(30)
    assert answers == [200]
