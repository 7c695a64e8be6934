"""The connection cap: whom it sheds for a newcomer, and when it turns one away."""

from __future__ import annotations

from nhc_scale.web.connections import (
    FD_RESERVE,
    MAX_CONNECTIONS,
    MIN_CONNECTIONS,
    ConnectionTable,
    connection_cap,
)


def test_the_cap_leaves_room_below_the_open_files_limit() -> None:
    assert connection_cap(1024) == 1024 - FD_RESERVE  # what systemd gives a unit by default
    assert connection_cap(2048) == MAX_CONNECTIONS  # the unit's LimitNOFILE=
    assert connection_cap(1_000_000) == MAX_CONNECTIONS
    assert connection_cap(64) == MIN_CONNECTIONS


def test_at_the_cap_the_connection_waiting_longest_is_shed_first() -> None:
    table: ConnectionTable[str] = ConnectionTable(cap=3)
    for name in ("slow-1", "slow-2", "phone"):
        assert table.admit(name, name) == (True, [])
    table.serving("phone")  # its request arrived: a page being sent, a live stream
    assert table.admit("new-1", "new-1") == (True, ["slow-1"])
    assert table.admit("new-2", "new-2") == (True, ["slow-2"])
    assert len(table) == 3


def test_a_connection_back_to_waiting_goes_to_the_end_of_the_line() -> None:
    table: ConnectionTable[str] = ConnectionTable(cap=2)
    table.admit("a", "a")
    table.admit("b", "b")
    table.serving("a")
    table.waiting("a")  # answered, now idle on keep-alive: newer than b's wait
    assert table.admit("c", "c") == (True, ["b"])


def test_a_newcomer_is_refused_only_when_every_connection_is_served() -> None:
    table: ConnectionTable[str] = ConnectionTable(cap=2)
    for name in ("stream-1", "stream-2"):
        table.admit(name, name)
        table.serving(name)
    assert table.admit("late", "late") == (False, [])
    assert len(table) == 2
    table.forget("stream-1")  # a phone left
    assert table.admit("late", "late") == (True, [])


def test_one_address_loses_its_own_oldest_connection_beyond_its_share() -> None:
    table: ConnectionTable[str] = ConnectionTable(cap=100, per_address=3)
    for number in range(3):
        table.admit(f"hog-{number}", "10.0.0.66")
        table.serving(f"hog-{number}")  # live streams: never shed at the cap
    table.admit("phone", "10.0.0.7")
    assert table.admit("hog-3", "10.0.0.66") == (True, ["hog-0"])
    assert table.admit("hog-4", "10.0.0.66") == (True, ["hog-1"])
    assert len(table) == 4


def test_forgetting_twice_or_an_unknown_connection_is_harmless() -> None:
    table: ConnectionTable[str] = ConnectionTable(cap=2)
    table.admit("a", "x")
    table.forget("a")
    table.forget("a")
    table.forget("never")
    table.waiting("a")  # a closed connection does not come back
    assert len(table) == 0 and table.admit("b", "x") == (True, [])
