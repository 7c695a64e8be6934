"""A phone's clock standing in for ours while the Pi has no network time.

A Pi has no battery clock: until NTP answers, its wall clock is wherever it stopped. The page
sends its phone's time on load; while (and only while) our clock is unsynchronised, the offset
dates new sessions and moves this run's sessions that were stamped with the wrong time, each by
the change in offset, once. The endpoint is open (the page calls it before any token is known),
so what it may do is bounded: times no phone can show are refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nhc_scale.appliance.errors import Invalid

# No phone is right before this version existed (update it with the version); nor decades on.
EARLIEST = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
LATEST = datetime(2046, 12, 1, tzinfo=UTC).timestamp()
SLACK_S = 2.0  # phones and network delays disagree by less: leave the clock be


class ImplausibleTime(Invalid):
    """A phone time no phone shows (before this version was made, or decades ahead)."""


def check_plausible(phone_unix: float) -> float:
    when = datetime.fromtimestamp(min(max(phone_unix, 0.0), 4e10), UTC).date().isoformat()
    if phone_unix < EARLIEST:
        raise ImplausibleTime(
            f"invalid request: the phone's clock says {when}, before this version of "
            "nhc-scale was made: check the phone's date and time"
        )
    if phone_unix > LATEST:
        raise ImplausibleTime(
            f"invalid request: the phone's clock says {when}, decades ahead: check the "
            "phone's date and time"
        )
    return phone_unix


@dataclass
class Correction:
    synced: bool
    change_s: float | None  # what to add to this run's unsynchronised sessions, if anything


class PhoneClock:
    def __init__(self, synced: Callable[[], bool], now: Callable[[], float] = time.time) -> None:
        self._synced = synced
        self._now = now
        self.offset_s: float | None = None  # phone time minus ours, while ours is unsynced

    def wall_time(self) -> float:
        return self._now() + (self.offset_s or 0.0)

    def status(self) -> dict[str, object]:
        return {"synced": self._synced(), "phone_offset_s": self.offset_s}

    def correct(self, phone_unix: float) -> Correction:
        """Take a phone's time (already :func:`check_plausible`); the change, if any."""
        synced = self._synced()
        offset = phone_unix - self._now()
        change = offset - (self.offset_s or 0.0)
        if synced or abs(change) <= SLACK_S:
            return Correction(synced, None)
        self.offset_s = offset
        return Correction(synced, change)
