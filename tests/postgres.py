"""A real PostgreSQL server for the hub's tests and benchmark, from Debian's ``postgresql``
package: ``initdb`` into a temporary directory, ``pg_ctl start`` on a free loopback port, one
fresh database per test, ``pg_ctl stop`` at exit.

initdb refuses to run as root, so as root the server runs as the ``postgres`` user the package
creates (else ``nobody``). Tests skip, saying why, only when the binaries are missing.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BIN_GLOB = "/usr/lib/postgresql/*/bin"


def find_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(
        Path("/").glob(BIN_GLOB.lstrip("/")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    found = [p for p in found if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    return found[-1] if found else None


MISSING = (
    "needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl): "
    "apt-get install -y postgresql"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    user: str | None  # the unprivileged user the server runs as, when we are root
    _process_started: bool = False
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )

    def start(self) -> None:
        result = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=50"
        )
        result = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        if result.returncode != 0:
            log = (
                (self.root / "log").read_text(errors="replace")
                if (self.root / "log").exists()
                else ""
            )
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{log}")
        self._process_started = True

    def stop(self) -> None:
        if self._process_started:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
            self._process_started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "hub") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


_shared: PostgresServer | None = None


def shared_server() -> PostgresServer:
    """One server for the whole test run (started on first use, stopped at exit); raises
    FileNotFoundError with :data:`MISSING` when PostgreSQL is not installed."""
    global _shared
    if _shared is not None:
        return _shared
    bin_dir = find_binaries()
    if bin_dir is None:
        raise FileNotFoundError(MISSING)
    root = Path(tempfile.mkdtemp(prefix="nhc-pg-"))
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            user, entry = "nobody", pwd.getpwnam("nobody")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    server = PostgresServer(bin_dir=bin_dir, root=root, port=_free_port(), user=user)
    try:
        server.start()
    except BaseException:
        with contextlib.suppress(Exception):
            server.stop()
        raise
    atexit.register(server.stop)
    _shared = server
    return server
