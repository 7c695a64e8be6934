"""sd_notify against a real AF_UNIX datagram socket, as systemd would hold it."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from nhc_scale import sdnotify


@pytest.fixture
def path_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(2)
        yield sock, path


@pytest.fixture
def abstract_socket() -> Iterator[tuple[socket.socket, str]]:
    name = f"nhc-scale-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2)
        yield sock, "@" + name


def test_ready_reaches_a_path_socket(path_socket, monkeypatch):
    sock, path = path_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    assert sdnotify.notify("READY=1") is True
    assert sock.recv(4096) == b"READY=1"


def test_abstract_socket_named_with_at_sign(abstract_socket, monkeypatch):
    sock, name = abstract_socket
    monkeypatch.setenv("NOTIFY_SOCKET", name)
    assert sdnotify.notify("WATCHDOG=1") is True
    assert sock.recv(4096) == b"WATCHDOG=1"


def test_each_message_is_one_datagram(path_socket, monkeypatch):
    sock, path = path_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    for message in ("READY=1", "WATCHDOG=1", "STATUS=sampling at 80 S/s\nWATCHDOG=1", "STOPPING=1"):
        assert sdnotify.notify(message)
    received = [sock.recv(4096) for _ in range(4)]
    assert received == [
        b"READY=1",
        b"WATCHDOG=1",
        b"STATUS=sampling at 80 S/s\nWATCHDOG=1",
        b"STOPPING=1",
    ]


def test_without_notify_socket_it_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.notify("READY=1") is False


@pytest.mark.parametrize("value", ["", "relative/path", "vsock:2:1234"])
def test_unusable_addresses_are_ignored(value, monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", value)
    assert sdnotify.notify("READY=1") is False


def test_a_vanished_socket_returns_false_instead_of_raising(tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert sdnotify.notify("WATCHDOG=1") is False


def test_watchdog_interval_from_watchdog_usec(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval_s() == 30.0


def test_watchdog_without_pid_applies_to_us(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "1500000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert sdnotify.watchdog_interval_s() == 1.5


def test_watchdog_meant_for_another_process_is_not_ours(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert sdnotify.watchdog_interval_s() is None


@pytest.mark.parametrize("usec", [None, "", "0", "soon"])
def test_no_or_bad_watchdog_means_none(usec, monkeypatch):
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    if usec is None:
        monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    else:
        monkeypatch.setenv("WATCHDOG_USEC", usec)
    assert sdnotify.watchdog_interval_s() is None
