"""The systemd notification protocol (sd_notify), in a few lines of our own.

The unit is ``Type=notify`` with ``WatchdogSec=``: systemd counts the service as started only
when it sends ``READY=1``, and restarts it when ``WATCHDOG=1`` stops arriving. Both are one
datagram on the AF_UNIX socket named by ``$NOTIFY_SOCKET``; a library (and its C dependency)
for that would be more code to trust than the protocol itself. Outside systemd (tests, a shell,
``nhc-scale serve`` on a laptop) there is no socket and every call is a harmless no-op.
"""

from __future__ import annotations

import os
import socket


def _address(value: str) -> str | bytes | None:
    if value.startswith("@"):  # an abstract socket: a leading NUL byte instead of the '@'
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # vsock addresses ("vsock:...") and relative paths are not for us


def notify(message: str) -> bool:
    """Send ``message`` (e.g. ``"READY=1"``) to systemd; True if it was sent.

    Never raises: a service must not die because its supervisor went away.
    """
    address = _address(os.environ.get("NOTIFY_SOCKET", ""))
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError:
        return False
    return True


def watchdog_interval_s() -> float | None:
    """The watchdog timeout systemd expects pings within, in seconds; None if there is none.

    ``$WATCHDOG_PID``, when set, names the process the watchdog is meant for: a child that
    inherited the environment (the sampler) must not ping on the server's behalf.
    """
    watchdog_pid = os.environ.get("WATCHDOG_PID")
    if watchdog_pid is not None:
        try:
            if int(watchdog_pid) != os.getpid():
                return None
        except ValueError:
            return None
    try:
        usec = int(os.environ["WATCHDOG_USEC"])
    except (KeyError, ValueError):
        return None
    return usec / 1_000_000 if usec > 0 else None
