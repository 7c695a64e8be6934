"""What the Pi's set-up gives the appliance: GPIO access, real-time rights, a synchronised
clock. Read from the kernel directly (no shell-outs), for ``doctor`` and the service."""

from __future__ import annotations

import ctypes
import glob
import grp
import os
from dataclasses import dataclass

TIME_ERROR = 5  # adjtimex(2): the clock is not synchronised to a reliable source
TIMEX_BYTES = 512  # larger than struct timex on every ABI; only the return value is used


@dataclass(frozen=True)
class Finding:
    name: str
    level: str  # ok | warn | fail
    message: str


def clock_synchronized() -> bool | None:
    """True once NTP (or an RTC) has disciplined the clock, False before, None if unknown.

    A Pi has no battery clock: until the network is up its wall clock can be days off, so
    sessions record whether the time they carry can be trusted.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        buffer = ctypes.create_string_buffer(TIMEX_BYTES)  # modes = 0: only read
        state = libc.adjtimex(buffer)
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return state != TIME_ERROR


def gpio_access(backend: str) -> Finding:
    """Can this user open what the backend needs, and is it in the gpio group?"""
    if backend == "emulated":
        return Finding("gpio", "ok", "emulated sensor: no GPIO device needed")
    devices = sorted(glob.glob("/dev/gpiochip*")) if backend == "lgpio" else ["/dev/gpiomem"]
    missing = [d for d in devices if not os.path.exists(d)]
    if not devices or missing:
        return Finding(
            "gpio",
            "fail",
            f"{backend}: no {' '.join(missing) or '/dev/gpiochip*'} "
            "device (is this a Raspberry Pi?)",
        )
    denied = [d for d in devices if not os.access(d, os.R_OK | os.W_OK)]
    in_group = _in_group("gpio")
    if denied:
        hint = "" if in_group else "; add the user to group gpio (the installer does)"
        return Finding("gpio", "fail", f"no read/write access to {', '.join(denied)}{hint}")
    group = "in group gpio" if in_group else "not in group gpio, but the devices are accessible"
    return Finding("gpio", "ok", f"{', '.join(devices)} accessible; {group}")


def _in_group(name: str) -> bool:
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError:
        return False
    return gid in os.getgroups() or gid == os.getgid()


def clock_finding() -> Finding:
    synced = clock_synchronized()
    if synced is None:
        return Finding("clock", "warn", "cannot tell whether the clock is synchronised")
    if synced:
        return Finding("clock", "ok", "wall clock synchronised")
    return Finding(
        "clock",
        "warn",
        "wall clock NOT synchronised (no network time yet): "
        "sessions are marked, and a phone that opens the page sets the time",
    )
