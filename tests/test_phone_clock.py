"""The phone clock unit: what one phone time may do to this run's sessions, on any machine
(the server test in test_hardening.py needs an unsynchronised clock to run)."""

from __future__ import annotations

import pytest

from nhc_scale.appliance.phone_clock import (
    EARLIEST,
    LATEST,
    SLACK_S,
    ImplausibleTime,
    PhoneClock,
    check_plausible,
)

NOW = EARLIEST + 86_400 * 30


def test_an_unsynced_clock_takes_the_phone_offset_once_and_the_change_only() -> None:
    clock = PhoneClock(synced=lambda: False, now=lambda: NOW)
    first = clock.correct(NOW + 3600)
    assert first.change_s == pytest.approx(3600) and clock.wall_time() == NOW + 3600
    assert clock.correct(NOW + 3600 + SLACK_S / 2).change_s is None  # within the slack
    second = clock.correct(NOW + 7200)
    assert second.change_s == pytest.approx(3600)  # the change, not the whole offset again


def test_a_synced_clock_ignores_phones() -> None:
    clock = PhoneClock(synced=lambda: True, now=lambda: NOW)
    correction = clock.correct(NOW + 3600)
    assert correction.synced and correction.change_s is None and clock.offset_s is None


@pytest.mark.parametrize("phone", [0.0, 1e9, EARLIEST - 1, LATEST + 1, 1e11])
def test_times_no_phone_shows_are_refused_with_a_date(phone: float) -> None:
    with pytest.raises(ImplausibleTime, match="the phone's clock says"):
        check_plausible(phone)


def test_plausible_times_pass() -> None:
    assert check_plausible(NOW) == NOW
