"""The service as systemd runs it: READY, watchdog pings, and a clean stop on SIGTERM."""

from __future__ import annotations

import signal
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server import running_server

pytestmark = pytest.mark.integration


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, Path]]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.5)
    yield sock, path
    sock.close()


def messages_until(sock: socket.socket, wanted: str, seconds: float) -> list[str]:
    received: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            received.append(sock.recv(4096).decode())
        except TimeoutError:
            continue
        if wanted in received[-1]:
            break
    return received


def test_ready_watchdog_and_a_clean_stop_on_sigterm(
    tmp_path: Path, notify_socket: tuple[socket.socket, Path]
) -> None:
    sock, path = notify_socket
    state = tmp_path / "state"
    # WATCHDOG_USEC of 2 s: the service must ping every second. WATCHDOG_PID is not set, as
    # systemd leaves it out when the main process is the one started.
    with running_server(
        state, NOTIFY_SOCKET=str(path), WATCHDOG_USEC="2000000", NHC_EMULATED_FORCE="zero"
    ) as server:
        assert "READY=1" in messages_until(sock, "READY=1", 10)
        pings = [m for m in messages_until(sock, "never", 3.5) if m == "WATCHDOG=1"]
        assert len(pings) >= 2, "a watchdog ping every half interval"
        started = httpx.post(
            server.url + "/api/sessions", json={"name": "sigterm"}, headers=server.auth
        )
        assert started.status_code == 201
        time.sleep(2.0)  # samples in the session, some not yet committed
        server.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught: systemd counts
        # an exit by SIGTERM as a clean stop.
        assert server.process.wait(20) in (0, -signal.SIGTERM)
        assert "STOPPING=1" in messages_until(sock, "STOPPING=1", 2)
    with sqlite3.connect(state / "nhc-scale.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ended = db.execute("SELECT ended_at FROM sessions WHERE name = 'sigterm'").fetchone()[0]
    assert ended is not None, "SIGTERM closed the session"
    log = (state / "server.log").read_text()
    assert "Application shutdown complete" in log
    assert "Traceback" not in log and "leaked" not in log
