"""Faults injected into a running `nhc-scale serve` on the emulated sensor: each must be seen,
survived, and leave nothing corrupt or silently missing in the database.

Time limits that are requirements (0.5 s to report an unplugged sensor, 2 s to restart a dead
sampler) are measured on the server's own CLOCK_MONOTONIC timestamps (status events' ``t_ns``,
sample and gap times), which the test shares; what a client saw is only a loose sanity bound,
because on a loaded 2-core machine the test's own threads are late too.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from disk import fill
from server import ADMIN_TOKEN, NHC_SCALE, Server, free_port, running_server

from nhc_scale.pins.emulated import read_truth
from nhc_scale.pins.emulated_chip import ConversionTruth
from nhc_scale.pins.loadcell import LoadCell
from nhc_scale.store import Store

FORCE_KG = 20.0
CELL = LoadCell()
EXPECTED_COUNTS = CELL.offset_counts + FORCE_KG * CELL.counts_per_kg  # 284,213 at 20 kg
PLAUSIBLE_COUNTS = 600  # 5 sigma of the emulated cell's 12 g noise is 600 counts

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not NHC_SCALE.exists(), reason="nhc-scale is not installed"),
]


# ----- helpers ----------------------------------------------------------------------------------


def wait_for(check: Callable[[], Any], timeout_s: float, what: str, poll_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(poll_s)


def write_control(path: Path, **faults: Any) -> int:
    """Switch the emulated sensor's faults; returns CLOCK_MONOTONIC ns once the file is there."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(faults))
    os.replace(temporary, path)  # the chip never reads a half-written file
    return time.monotonic_ns()


class Events:
    """A live stream read in a thread: every event with the ns it arrived at."""

    def __init__(self, url: str) -> None:
        self.items: list[tuple[int, str, dict]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url + "/api/live",), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        name, data = "message", ""
        try:
            with httpx.stream("GET", url, timeout=httpx.Timeout(5.0, read=15.0)) as response:
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
                    elif line == "" and data:
                        self.items.append((time.monotonic_ns(), name, json.loads(data)))
                        name, data = "message", ""
        except httpx.HTTPError:
            return  # the server was killed: what arrived until then is the record

    def of(self, kind: str, after_ns: int = 0) -> list[tuple[int, dict]]:
        return [(t, data) for t, name, data in list(self.items) if name == kind and t >= after_ns]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(20)


@contextmanager
def live_events(server: Server) -> Iterator[Events]:
    events = Events(server.url)
    try:
        wait_for(lambda: events.of("sample"), 20, "the first live samples")
        yield events
    finally:
        events.close()


def health(server: Server) -> dict:
    return httpx.get(server.url + "/api/health", timeout=5).json()


def start_session(server: Server, name: str) -> int:
    response = httpx.post(
        server.url + "/api/sessions", json={"name": name}, headers=server.auth, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def stop_session(server: Server, session_id: int) -> None:
    response = httpx.post(
        f"{server.url}/api/sessions/{session_id}/stop", headers=server.auth, timeout=10
    )
    assert response.status_code == 200, response.text


def wait_tared(server: Server) -> None:
    wait_for(lambda: health(server)["calibration"]["tared"], 30, "the first tare", poll_s=0.2)


def stored_samples(state_dir: Path, session_id: int) -> tuple[np.ndarray, np.ndarray]:
    """A stopped server's samples of a session, straight from the database."""
    with Store.open(state_dir) as store:
        arrays = store.samples(session_id)
    return arrays.t_ns, arrays.counts


def integrity(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def children(pid: int) -> list[tuple[int, str]]:
    """Child processes of ``pid`` (from /proc/*/stat) with their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def sampler_pid(server: Server) -> int:
    candidates = [p for p, cmd in children(server.process.pid) if "spawn_main" in cmd]
    assert len(candidates) == 1, children(server.process.pid)
    return candidates[0]


@pytest.fixture
def steady(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """20 kg resting on the pad (tared away at start), faults switched through a file."""
    control = tmp_path / "faults.json"
    control.write_text("{}")
    with running_server(
        tmp_path / "state",
        NHC_EMULATED_FORCE=str(FORCE_KG),
        NHC_EMULATED_CONTROL=str(control),
    ) as server:
        wait_tared(server)
        yield server, control


# ----- the sensor -------------------------------------------------------------------------------


def test_an_unplugged_sensor_is_reported_within_half_a_second_and_recording_resumes(
    steady: tuple[Server, Path],
) -> None:
    server, control = steady
    session_id = start_session(server, "unplug")
    with live_events(server) as events:
        time.sleep(1.5)
        unplugged_ns = write_control(control, unplugged=True)
        seen = wait_for(
            lambda: health(server)["sensor"]["status"] == "no_data" and time.monotonic_ns(),
            5,
            "health to report no data",
            poll_s=0.02,
        )
        status = wait_for(
            lambda: [
                data
                for _t, data in events.of("status", unplugged_ns)
                if data["sensor"]["status"] == "no_data"
            ],
            5,
            "a status event with no data",
        )[0]
        server_ms = (status["t_ns"] - unplugged_ns) / 1e6
        health_ms = (seen - unplugged_ns) / 1e6
        print(f"unplug: status event made {server_ms:.0f} ms, health saw {health_ms:.0f} ms")
        assert server_ms < 500, "the server took too long to notice"
        assert health_ms < 1500  # the test's own polling on a busy machine: only a bound
        assert health(server)["status"] == "degraded"

        time.sleep(2.0)
        replugged_ns = write_control(control, unplugged=False)
        wait_for(lambda: events.of("sample", replugged_ns), 10, "samples after the replug")
        wait_for(lambda: health(server)["sensor"]["status"] == "ok", 10, "status ok again")
        time.sleep(1.5)  # recording goes on after the replug
    stop_session(server, session_id)
    gaps = httpx.get(f"{server.url}/api/sessions/{session_id}").json()["gaps"]
    assert [gap["reason"] for gap in gaps] == ["sensor not answering"]
    gap = gaps[0]
    # The emulated chip looks at its fault file ten times a second: the plug comes out up to
    # 0.1 s after the file is written (which makes the 0.5 s above a conservative measure).
    assert gap["start_ns"] < unplugged_ns + 150_000_000 and gap["end_ns"] >= replugged_ns
    print(
        f"unplug: gap of {gap['duration_s']:.2f} s recorded, resumed after "
        f"{(gap['end_ns'] - replugged_ns) / 1e6:.0f} ms"
    )
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(20)
    t_ns, counts = stored_samples(server.state_dir, session_id)
    assert np.all(np.abs(counts - EXPECTED_COUNTS) < PLAUSIBLE_COUNTS), "a corrupt value"
    assert np.sum(t_ns > gap["end_ns"]) >= 80, "recording resumed after the replug"
    assert not np.any((t_ns > gap["start_ns"]) & (t_ns < gap["end_ns"]))


def matches_truth(truth: list[ConversionTruth], t_ns: np.ndarray, counts: np.ndarray) -> int:
    """How many stored samples are not exactly a settled conversion the chip produced."""
    ready = np.array([c.t_ns for c in truth], dtype=np.int64)
    index = np.searchsorted(ready, t_ns, side="right") - 1
    bad = 0
    for i, value in zip(index, counts, strict=True):
        if i < 0 or truth[i].counts != value or not truth[i].settled:
            bad += 1
    return bad


def test_mid_word_stalls_are_rejected_and_nothing_corrupt_is_stored(tmp_path: Path) -> None:
    control, truth_path = tmp_path / "faults.json", tmp_path / "truth.csv"
    control.write_text("{}")
    with running_server(
        tmp_path / "state",
        NHC_EMULATED_FORCE=str(FORCE_KG),
        NHC_EMULATED_CONTROL=str(control),
        NHC_EMULATED_TRUTH=str(truth_path),
    ) as server:
        wait_tared(server)
        session_id = start_session(server, "stalls")
        before = health(server)["sensor"]
        write_control(control, stall_rate_hz=50)
        time.sleep(8.0)
        during = health(server)["sensor"]
        write_control(control)
        time.sleep(1.5)
        stop_session(server, session_id)
    t_ns, counts = stored_samples(server.state_dir, session_id)
    truth = read_truth(truth_path)
    rejected = during["rejected"]["timing"] - before["rejected"]["timing"]
    stalls = json.loads(truth_path.with_suffix(".counters.json").read_text())["stalls_injected"]
    print(
        f"stalls: {stalls} injected, {rejected} reads rejected for timing, "
        f"{len(counts)} samples stored, {during['samples'] - before['samples']} during stalls"
    )
    assert rejected > 30 and stalls > 50
    assert during["samples"] > before["samples"], "samples still flow between stalls"
    assert len(counts) > 100
    assert matches_truth(truth, t_ns, counts) == 0, "a stored value the chip never produced"
    assert np.all(np.abs(counts - EXPECTED_COUNTS) < PLAUSIBLE_COUNTS)


def test_a_killed_sampler_is_restarted_within_two_seconds_and_the_gap_recorded(
    steady: tuple[Server, Path],
) -> None:
    server, _control = steady
    session_id = start_session(server, "sampler dies")
    with live_events(server) as events:
        time.sleep(1.5)
        victim = sampler_pid(server)
        killed_ns = time.monotonic_ns()
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: events.of("sample", killed_ns + 100_000_000), 15, "samples again")
        wait_for(lambda: health(server)["sensor"]["sampler_restarts"] == 1, 5, "the count")
        assert sampler_pid(server) != victim
        time.sleep(1.0)
    stop_session(server, session_id)
    gaps = httpx.get(f"{server.url}/api/sessions/{session_id}").json()["gaps"]
    assert [gap["reason"] for gap in gaps] == ["sampler restarted"]
    gap = gaps[0]
    restart_ms = (gap["end_ns"] - killed_ns) / 1e6
    print(
        f"sampler kill: first sample of the new sampler {restart_ms:.0f} ms after the kill; "
        f"gap {gap['duration_s']:.2f} s"
    )
    assert gap["start_ns"] <= killed_ns < gap["end_ns"]
    assert restart_ms < 2000
    samples = httpx.get(f"{server.url}/api/sessions/{session_id}/samples.csv").text
    t_s = np.loadtxt(samples.splitlines()[1:], delimiter=",", usecols=0)
    inside = (t_s > gap["start_s"] + 1e-6) & (t_s < gap["end_s"] - 1e-6)
    assert not inside.any(), "samples inside the gap"
    assert np.sum(t_s >= gap["end_s"] - 1e-6) > 40


# ----- the server -------------------------------------------------------------------------------


def test_a_sigkilled_server_keeps_every_rep_and_all_but_the_last_second(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with running_server(state, NHC_EMULATED_SEED="5") as server:
        events = Events(server.url)
        try:
            wait_for(lambda: len(events.of("rep")) >= 2, 120, "two reps", poll_s=0.2)
            time.sleep(random.uniform(1.1, 3.0))
            samples_seen = events.of("sample")
            sampler = sampler_pid(server)
            killed_ns = time.monotonic_ns()
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(10)
        finally:
            events.close()
        reps = events.of("rep")
    # No orphan: the sampler dies with its parent (PR_SET_PDEATHSIG).
    wait_for(lambda: not Path(f"/proc/{sampler}").exists(), 10, "the sampler to go")
    db = state / "nhc-scale.db"
    assert integrity(db) == ["ok"]
    session_id = reps[0][1]["session_id"]
    t_ns, _counts = stored_samples(state, session_id)
    newest_live = max(t for _, data in samples_seen for t, _kg in data["samples"])
    lost_s = (killed_ns - int(t_ns[-1])) * 1e-9
    print(
        f"SIGKILL: {len(reps)} reps shown, last stored sample {lost_s:.3f} s before the kill "
        f"(the live view's newest was {(killed_ns - newest_live) * 1e-9:.3f} s before)"
    )
    assert lost_s <= 1.15  # one commit a second, plus one block and the wake-up's slack
    due = [data["rep"] for t, data in reps if killed_ns - t >= 1_000_000_000]
    assert due, "no rep completed a second before the kill"
    with running_server(state, NHC_EMULATED_SEED="5") as again:
        detail = httpx.get(f"{again.url}/api/sessions/{session_id}").json()
    assert detail["session"]["active"] is False  # closed on restart, up to its last sample
    stored = {rep["number"]: rep for rep in detail["reps"]}
    for rep in due:
        assert stored.get(rep["number"]) == rep, f"rep {rep['number']} lost or changed"
    assert integrity(db) == ["ok"]


def serve(state: Path, port: int, **env: str) -> subprocess.Popen:
    """`nhc-scale serve` on the emulated sensor, not waited for."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    environment.update(
        NHC_PINS="emulated",
        NHC_STATE_DIR=str(state),
        NHC_REALTIME_PRIORITY="0",
        NHC_ADMIN_TOKEN=ADMIN_TOKEN,
        **env,
    )
    return subprocess.Popen(
        [str(NHC_SCALE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hammer(url: str, stop: threading.Event, commits: list[int]) -> None:
    """State changes as fast as they go, each one a commit of its own, from the moment the
    server answers until it is killed."""
    client = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=2
    )
    units = ("kg", "lb", "N")
    i = 0
    while not stop.is_set():
        i += 1
        try:
            client.put("/api/settings", json={"units": units[i % 3], "body_mass_kg": 50 + i % 90})
            commits.append(1)
            created = client.post("/api/sessions", json={"name": f"burst {i}"})
            if created.status_code == 201:
                sid = created.json()["id"]
                client.patch(f"/api/sessions/{sid}", json={"notes": "x" * (i % 4000)})
                client.post(f"/api/sessions/{sid}/stop")
                commits.append(3)
                if i % 3 == 0:
                    client.delete(f"/api/sessions/{sid}")
        except httpx.HTTPError:
            time.sleep(0.02)
    client.close()


def test_power_loss_at_random_moments_never_corrupts_the_database(tmp_path: Path) -> None:
    """Ten SIGKILLs at random moments: two while the server starts (schema creation, first
    tare), eight in a burst of commits from requests and the recorder."""
    state = tmp_path / "state"
    state.mkdir()
    rng = random.Random(11)
    in_burst = 0
    for cycle in range(10):
        port = free_port()
        process = serve(state, port, NHC_EMULATED_FORCE="zero")
        stop, commits = threading.Event(), []
        hammer = threading.Thread(
            target=_hammer, args=(f"http://127.0.0.1:{port}", stop, commits), daemon=True
        )
        hammer.start()
        if cycle < 2:
            time.sleep(rng.uniform(0.5, 2.0))  # most likely while it starts up
        else:
            wait_for(lambda c=commits: c, 30, "the server to take commits", poll_s=0.01)
            time.sleep(rng.uniform(0.05, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        stop.set()
        hammer.join(10)
        in_burst += bool(commits)
        db = state / "nhc-scale.db"
        assert not db.exists() or integrity(db) == ["ok"], f"cycle {cycle}"
    with running_server(state, NHC_EMULATED_FORCE="zero") as server:  # still ours, still opens
        sessions = httpx.get(server.url + "/api/sessions").json()["sessions"]
        assert all(not s["active"] for s in sessions)
        assert httpx.get(server.url + "/api/settings").json()["units"] in ("kg", "lb", "N")
    print(
        f"power loss: 10 SIGKILLs ({in_burst} amid a burst of commits), "
        f"{len(sessions)} sessions survive, integrity ok every time"
    )
    assert in_burst >= 8


# ----- the disk and the database file -------------------------------------------------------


def test_a_full_disk_is_reported_the_live_view_goes_on_and_recording_resumes(
    tmp_path: Path, small_disk: Path
) -> None:
    with running_server(
        tmp_path / "logs", NHC_STATE_DIR=str(small_disk), NHC_EMULATED_FORCE=str(FORCE_KG)
    ) as server:
        wait_tared(server)
        session_id = start_session(server, "disk full")
        with live_events(server) as events:
            time.sleep(1.5)
            filler = fill(small_disk)
            full_ns = time.monotonic_ns()
            wait_for(lambda: health(server)["store"]["status"] == "error", 10, "a store error")
            message = health(server)["store"]["message"]
            assert "full" in message, message
            assert health(server)["status"] == "error"
            status = wait_for(
                lambda: [
                    d for _t, d in events.of("status", full_ns) if d["store"]["status"] == "error"
                ],
                10,
                "a status event with the store's error",
            )[0]
            assert "full" in status["store"]["message"]
            start = time.monotonic_ns()
            time.sleep(3.0)
            live = sum(len(d["samples"]) for _t, d in events.of("sample", start))
            assert live > 3.0 * 80 * 0.8, f"only {live} live samples in 3 s of a full disk"
            assert health(server)["store"]["buffered_samples"] > 160
            assert status["store"]["full"] is True
            # A 503 changes nothing: the settings stay as they were.
            before = httpx.get(server.url + "/api/settings").json()
            refused = httpx.put(
                server.url + "/api/settings", json={"units": "lb"}, headers=server.auth
            )
            assert refused.status_code == 503, refused.text
            assert httpx.get(server.url + "/api/settings").json() == before
            filler.unlink()
            freed_ns = time.monotonic_ns()
            wait_for(lambda: health(server)["store"]["status"] == "ok", 10, "writing again")
            wait_for(
                lambda: [
                    d for _t, d in events.of("status", freed_ns) if d["store"]["status"] == "ok"
                ],
                10,
                "a status event saying the store is fine",
            )
            print(
                f"disk full: store error after {(status['t_ns'] - full_ns) / 1e6:.0f} ms; "
                f"{live} live samples in 3 s while full"
            )
            time.sleep(1.0)  # recording goes on once there is room: some of it, then stop
        stop_session(server, session_id)
        detail = httpx.get(f"{server.url}/api/sessions/{session_id}").json()
    assert detail["gaps"] == []  # the buffer held everything: no hole to record
    t_ns, counts = stored_samples(small_disk, session_id)
    intervals = np.diff(t_ns) * 1e-9
    assert intervals.max() < 0.2, f"a hole of {intervals.max():.2f} s in the stored samples"
    assert np.all(np.abs(counts - EXPECTED_COUNTS) < PLAUSIBLE_COUNTS)
    assert t_ns[0] < full_ns - 1e9 and t_ns[-1] > freed_ns + 5e8


def test_a_stop_on_a_full_disk_says_it_stopped_and_saves_the_end_once_there_is_room(
    tmp_path: Path, small_disk: Path
) -> None:
    """The one 503 that cannot mean "nothing changed": a session asked to stop does stop; the
    answer says so, and its end is written when the disk has room again."""
    env = {"NHC_STATE_DIR": str(small_disk), "NHC_EMULATED_FORCE": str(FORCE_KG)}
    with running_server(tmp_path / "logs", **env) as server:
        wait_tared(server)
        session_id = start_session(server, "stopped while full")
        time.sleep(1.0)
        filler = fill(small_disk)
        wait_for(lambda: health(server)["store"]["status"] == "error", 10, "a store error")
        answer = httpx.post(
            f"{server.url}/api/sessions/{session_id}/stop", headers=server.auth, timeout=10
        )
        assert answer.status_code == 503, answer.text
        detail = answer.json()["detail"]
        assert f"Session {session_id} stopped" in detail and "full" in detail, detail
        shown = httpx.get(f"{server.url}/api/sessions/{session_id}").json()["session"]
        assert shown["active"] is False
        filler.unlink()
        wait_for(lambda: health(server)["store"]["status"] == "ok", 10, "writing again")
    conn = sqlite3.connect(small_disk / "nhc-scale.db")
    try:
        (ended_at,) = conn.execute(
            "SELECT ended_at FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
    finally:
        conn.close()
    assert ended_at is not None


def _foreign_files(tmp_path: Path) -> dict[str, bytes]:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('someone')")
    conn.commit()
    conn.close()
    ours = tmp_path / "ours"
    ours.mkdir()
    with Store.open(ours) as store:
        sid = store.create_session("x", 1.7e9, 0, True)
        store.append_samples(sid, np.arange(4000) * 12_500_000, np.arange(4000), 0.0, 1e4)
    damaged = bytearray((ours / "nhc-scale.db").read_bytes())
    page = 4096
    damaged[2 * page : 3 * page] = random.Random(3).randbytes(page)  # a torn page mid-file
    return {
        "text": b"these are my notes, not a database\n" * 40,
        "other program": other.read_bytes(),
        "damaged": bytes(damaged),
        "truncated": (ours / "nhc-scale.db").read_bytes()[:5000],
    }


def test_a_database_that_is_not_ours_or_is_damaged_is_refused_untouched(tmp_path: Path) -> None:
    for kind, content in _foreign_files(tmp_path).items():
        state = tmp_path / kind.replace(" ", "-")
        state.mkdir()
        db = state / "nhc-scale.db"
        db.write_bytes(content)
        process = serve(state, free_port())
        _out, err = process.communicate(timeout=60)
        lines = err.strip().splitlines()
        assert process.returncode != 0, kind
        assert len(lines) == 1 and "Traceback" not in err, err
        assert str(db) in lines[0] and "untouched" in lines[0], lines[0]
        assert db.read_bytes() == content, f"{kind}: the file was changed"
        assert sorted(p.name for p in state.iterdir()) == ["nhc-scale.db"], kind
        print(f"refused ({kind}): {lines[0]}")


# ----- clients ----------------------------------------------------------------------------------


def stalled_client(url: str) -> socket.socket:
    """Asks for the live stream and never reads it, with a tiny window so the server's
    buffers fill up within seconds rather than minutes."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /api/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return sock


def sample_rate(server: Server, seconds: float) -> tuple[float, int]:
    """Live sample events a second seen by a client that reads, and the sampler's misses."""
    missed_before = health(server)["sensor"]["missed_conversions"]
    events = Events(server.url)
    try:
        wait_for(lambda: events.of("sample"), 20, "live samples")
        start = time.monotonic_ns()
        time.sleep(seconds)
        rate = len(events.of("sample", start)) / seconds
    finally:
        events.close()
    return rate, health(server)["sensor"]["missed_conversions"] - missed_before


def test_stalled_and_vanishing_clients_slow_neither_the_sampler_nor_other_clients(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path / "state", NHC_EMULATED_FORCE="zero") as server:
        baseline, missed_baseline = sample_rate(server, 3.0)
        stalled = [stalled_client(server.url) for _ in range(20)]
        try:
            time.sleep(4.0)  # long enough for their socket buffers and queues to fill
            rate, missed = sample_rate(server, 5.0)
            # Twenty clients that vanish mid-stream: connection reset, no goodbye.
            for _ in range(20):
                gone = stalled_client(server.url)
                time.sleep(0.02)
                gone.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                gone.close()
            after, missed_after = sample_rate(server, 3.0)
            assert health(server)["status"] == "ok"
        finally:
            for sock in stalled:
                sock.close()
    print(
        f"stalled clients: baseline {baseline:.1f} events/s ({missed_baseline} missed); "
        f"with 20 stalled {rate:.1f}/s ({missed} missed); after 20 vanished "
        f"{after:.1f}/s ({missed_after} missed)"
    )
    assert rate >= 0.8 * baseline and after >= 0.8 * baseline
    assert missed <= missed_baseline + 2 and missed_after <= missed_baseline + 2


def test_a_client_that_never_reads_costs_the_publisher_a_bounded_queue_and_nothing_else() -> None:
    """What the stalled sockets above lead to once the kernel's buffers are full (which takes
    minutes on loopback): its queue keeps the newest events, the others get every one."""
    import asyncio

    from nhc_scale.appliance.live import QUEUE_EVENTS, LiveHub

    async def run() -> tuple[int, int, int, float]:
        hub = LiveHub()
        hub.bind(asyncio.get_running_loop())
        stalled, reader = hub.subscribe(), hub.subscribe()
        received = 0
        start = time.perf_counter()
        for i in range(5000):
            hub.publish("sample", {"i": i})
            await asyncio.sleep(0)  # the loop delivers; the reader takes its share
            while not reader.queue.empty():
                reader.queue.get_nowait()
                received += 1
        elapsed = time.perf_counter() - start
        return stalled.queue.qsize(), stalled.dropped, received, elapsed

    size, dropped, received, elapsed = asyncio.run(run())
    assert size == QUEUE_EVENTS and dropped == 5000 - QUEUE_EVENTS
    assert received == 5000
    assert elapsed < 30  # a bound, not a benchmark: publishing never waited for the reader
