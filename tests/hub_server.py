"""A real ``nhc-scale hub`` process on loopback, its database (SQLite by default, or the URL of
a real PostgreSQL database), and the coach's CLI commands against the same settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

NHC_SCALE = Path(sys.executable).with_name("nhc-scale")
COACH = "coach"
COACH_PASSWORD = "a long coach password"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_environment(state_dir: Path, database_url: str | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NHC_")}
    environment["NHC_HUB_STATE_DIR"] = str(state_dir)
    if database_url is not None:
        environment["NHC_HUB_DATABASE_URL"] = database_url
    return environment


def hub_cli(
    state_dir: Path, database_url: str | None, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NHC_SCALE), "hub", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=hub_environment(state_dir, database_url),
        timeout=60,
    )


@dataclass
class Hub:
    state_dir: Path
    database_url: str | None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.state_dir / f"hub-{time.monotonic_ns()}.log"
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [str(NHC_SCALE), "hub", "--host", "127.0.0.1", "--port", str(self.port)],
                env=hub_environment(self.state_dir, self.database_url),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}):\n{self.log()}")
            try:
                if httpx.get(self.url + "/api/sync", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not answer in 30 s:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as a power cut would leave it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return hub_cli(self.state_dir, self.database_url, *args, stdin=stdin)

    def add_coach(self, username: str = COACH, password: str = COACH_PASSWORD) -> None:
        result = self.cli("user", "add", username, "--password-stdin", stdin=password + "\n")
        assert result.returncode == 0, result.stderr

    def login(self, username: str = COACH, password: str = COACH_PASSWORD) -> dict[str, str]:
        """The header a coach's script sends."""
        answer = httpx.post(
            self.url + "/api/login", json={"username": username, "password": password}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def pair(self, coach: dict[str, str], name: str) -> dict[str, str]:
        """Pair a pad through the API; the header that pad sends."""
        answer = httpx.post(self.url + "/api/pads", json={"name": name}, headers=coach)
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}


@contextmanager
def running_hub(state_dir: Path, database_url: str | None = None) -> Iterator[Hub]:
    hub = Hub(state_dir, database_url)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()
