"""A real `nhc-scale serve` on loopback, for tests that speak HTTP to it."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

NHC_SCALE = Path(sys.executable).with_name("nhc-scale")
ADMIN_TOKEN = "test-admin-token"  # every test server's, unless a test sets NHC_ADMIN_TOKEN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    state_dir: Path
    log_path: Path
    admin_token: str = ADMIN_TOKEN

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def auth(self) -> dict[str, str]:
        """The header every state change needs."""
        return {"Authorization": f"Bearer {self.admin_token}"}


def _limit_open_files(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


@contextmanager
def running_server(
    state_dir: Path, nofile: int | None = None, **env: str | None
) -> Iterator[Server]:
    """Start the server on the emulated sensor and wait until it answers /api/health.

    ``NAME=None`` leaves a variable unset (``NHC_ADMIN_TOKEN=None``: the server generates one).
    ``nofile``: the server's RLIMIT_NOFILE, soft and hard (systemd gives a service 1024 unless
    its unit says otherwise).
    """
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    environment.update(
        {
            "NHC_PINS": "emulated",
            "NHC_STATE_DIR": str(state_dir),
            "NHC_REALTIME_PRIORITY": "0",
            "NHC_ADMIN_TOKEN": ADMIN_TOKEN,
        }
    )
    environment.update({name: value for name, value in env.items() if value is not None})
    for name in [name for name, value in env.items() if value is None]:
        environment.pop(name, None)
    log_path = state_dir / "server.log"
    state_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(NHC_SCALE), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=None if nofile is None else lambda: _limit_open_files(nofile),
        )
    server = Server(f"http://127.0.0.1:{port}", process, state_dir, log_path)
    server.admin_token = environment.get("NHC_ADMIN_TOKEN", "")
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}):\n{server.log()}")
            try:
                if httpx.get(server.url + "/api/health", timeout=1).status_code == 200:
                    if not server.admin_token:  # generated on the first start
                        server.admin_token = (state_dir / "admin-token").read_text().strip()
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in 30 s:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def read_events(url: str, seconds: float, stop_on: str | None = None) -> list[tuple[str, str]]:
    """(event, data) pairs from an SSE stream, for ``seconds`` or until event ``stop_on``."""
    events: list[tuple[str, str]] = []
    deadline = time.monotonic() + seconds
    name, data = "message", []
    with httpx.stream("GET", url, timeout=httpx.Timeout(5.0, read=15.0)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line == "":
                if data:
                    events.append((name, "\n".join(data)))
                    if stop_on is not None and name == stop_on:
                        break
                name, data = "message", []
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            if time.monotonic() > deadline:
                break
    return events
