"""The port the HX711 driver talks through: drive PD_SCK, read DOUT, wait for DOUT to fall."""

from __future__ import annotations

import time
from typing import Protocol

# How often a waiting port looks at DOUT once it has spun for SPIN_S. Linux sleeps rarely
# shorter than ~60 µs, so the ready edge is noticed within ~0.1-0.2 ms: a small fraction of
# the 12.5 ms conversion period.
POLL_INTERVAL_S = 50e-6
# The sampler wakes just before the edge is due and spins for it: a CPU that has just woken
# from a sleep is the likeliest to be paused again (interrupts, a hypervisor), and such a
# pause during the first clock pulse would cost the word.
SPIN_S = 1e-3


class PinsUnavailable(Exception):
    """The chosen GPIO backend cannot be opened (missing library, no access, wrong chip)."""


class TwoPinPort(Protocol):
    """What the driver needs of the hardware, and nothing more."""

    backend: str

    def set_sck(self, high: bool) -> None: ...

    def read_dout(self) -> int: ...

    def wait_dout_low(self, timeout_s: float) -> bool:
        """Return True as soon as DOUT reads low, False if it stays high for ``timeout_s``."""
        ...

    def close(self) -> None: ...


def poll_until_low(port: TwoPinPort, timeout_s: float, interval_s: float = POLL_INTERVAL_S) -> bool:
    """Wait for DOUT low by polling: works identically on every backend.

    Edge interrupts (RPi.GPIO ``wait_for_edge``, lgpio alerts) race with a level that is
    already low and cost a thread; the sampler sleeps until just before the expected edge
    and then polls, which is both simpler and as prompt.
    """
    now = time.monotonic()
    deadline = now + timeout_s
    spin_until = now + min(SPIN_S, timeout_s)
    read_dout = port.read_dout
    while True:
        if read_dout() == 0:
            return True
        now = time.monotonic()
        if now >= deadline:
            return False
        if now >= spin_until:
            time.sleep(interval_s)
