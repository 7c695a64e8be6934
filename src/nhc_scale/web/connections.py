"""The cap on open connections, and whom to drop when a new one arrives at the cap.

Each connection costs the server a file descriptor, and past ``RLIMIT_NOFILE`` it can accept
no one (systemd gives a service 1024 unless the unit says otherwise). So the server keeps the
count below its limit, and at the cap it sheds the connection that has waited longest without
being served (a request still arriving, or an idle keep-alive) before it turns anyone away: a
slow or stalled client loses its place to a new one, while a phone being served (a page being
sent, a live stream) keeps its own. Only when every connection is being served is the new one
refused. One address may hold ``MAX_PER_ADDRESS`` connections.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

MAX_CONNECTIONS = 1024  # a Pi Zero 2 W holds these in ~20 MB; 50 live phones is a busy gym
# A browser opens at most 6 connections to a host; a laptop with many tabs of the page a few
# dozen. One address beyond this loses its own oldest connection, whatever it is doing, so a
# single machine cannot fill the table with connections that are served (live streams).
MAX_PER_ADDRESS = 64
# Descriptors kept back from the cap: the server's own (~25: database, sampler pipes, event
# loop) and a burst of connections accepted before the cap judges them (the event loop accepts
# everything waiting at once, and past the limit the kernel's backlog is dropped unread).
FD_RESERVE = 128
MIN_CONNECTIONS = 16

Connection = TypeVar("Connection")


def connection_cap(open_files_limit: int) -> int:
    """Connections to allow with this many file descriptors."""
    return max(MIN_CONNECTIONS, min(MAX_CONNECTIONS, open_files_limit - FD_RESERVE))


class ConnectionTable(Generic[Connection]):
    """Open connections by address; those not being served in the order they began to wait."""

    def __init__(self, cap: int, per_address: int = MAX_PER_ADDRESS) -> None:
        self.cap = cap
        self.per_address = per_address
        self._address: dict[Connection, str] = {}
        self._by_address: dict[str, OrderedDict[Connection, None]] = {}
        self._waiting: OrderedDict[Connection, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._address)

    def admit(self, new: Connection, address: str) -> tuple[bool, list[Connection]]:
        """A new connection: (admitted, the connections to shed for it).

        Refused (False) only when the table is full and every other connection is served."""
        shed = []
        mine = self._by_address.get(address)
        if mine is not None and len(mine) >= self.per_address:
            shed.append(next(iter(mine)))
            self.forget(shed[-1])
        if len(self._address) >= self.cap:
            victim = next(iter(self._waiting), None)
            if victim is None:
                return False, shed
            self.forget(victim)
            shed.append(victim)
        self._address[new] = address
        self._by_address.setdefault(address, OrderedDict())[new] = None
        self._waiting[new] = None
        return True, shed

    def serving(self, connection: Connection) -> None:
        """Its request has arrived whole: it is no longer a candidate for shedding at the cap."""
        self._waiting.pop(connection, None)

    def waiting(self, connection: Connection) -> None:
        """It is waiting for a request again (after an answer, on a kept-alive connection)."""
        if connection in self._address:
            self._waiting[connection] = None
            self._waiting.move_to_end(connection)

    def forget(self, connection: Connection) -> None:
        """Closed (or shed, its descriptor released): it no longer counts."""
        address = self._address.pop(connection, None)
        if address is None:
            return
        self._waiting.pop(connection, None)
        mine = self._by_address[address]
        mine.pop(connection, None)
        if not mine:
            del self._by_address[address]
