"""One appliance per state directory: an exclusive lock held for the life of the process.

Two processes on one state directory would both drive the HX711's pins (corrupting each
other's words on a Pi), both record, and answer for sessions the other one wrote. ``serve`` and
every command that opens the sensor take this lock first; the second one is refused in one line
that names the first one's PID. The kernel releases the lock when the process dies, however it
dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_FILE = "nhc-scale.lock"


class InstanceBusy(Exception):
    """Another process holds the state directory (the message names it), or it cannot be
    locked at all (the message says why)."""

    def __init__(self, state_dir: Path, pid: int | None, message: str | None = None) -> None:
        who = f"PID {pid}" if pid else "another process"
        super().__init__(
            message
            or f"another nhc-scale ({who}) is using the state directory {state_dir} and its "
            "sensor; stop it first (on the Pi: sudo systemctl stop nhc-scale)"
        )
        self.pid = pid


class InstanceLock:
    """``with InstanceLock(state_dir):`` or ``acquire()`` for as long as the process runs."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / LOCK_FILE
        self.created = False
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self.created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise InstanceBusy(
                self.state_dir,
                None,
                f"cannot lock the state directory {self.state_dir} ({error.strerror}): check "
                "that it belongs to the user nhc-scale runs as",
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise InstanceBusy(self.state_dir, pid) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self, tidy: bool = False) -> None:
        """Drop the lock; ``tidy`` also removes the lock file if this process made it (a
        refused start leaves a state directory as it found it)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
                if tidy and self.created:
                    self.path.unlink()
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
