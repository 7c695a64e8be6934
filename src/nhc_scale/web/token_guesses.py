"""Wrong admin tokens, per client address: a few are free, then the address is locked out.

Each address may get the token wrong ``FREE_FAILURES`` times; every further failure locks it
out for twice as long as the one before (1 s, 2 s, 4 s ... up to ``MAX_LOCKOUT_S``), during
which its token attempts are refused unread (so a lockout answers nothing about a guess). An
address that made no mistake for ``FORGET_S`` is forgotten, and the right token clears it.

Memory is bounded however many addresses send guesses (an IPv6 host may use millions): the
table holds ``CAPACITY`` addresses. When it is full of recent failures, the addresses that do
not fit share one entry, so a flood from many addresses is locked out like one address; the
addresses that presented the right token lately are remembered apart (``TRUSTED``) and never
share that lockout, so the phone that was already in use keeps working through such a flood.

Everything here runs on the event loop: no locks.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

FREE_FAILURES = 10  # more than a person mistyping makes; a script is locked out after these
FIRST_LOCKOUT_S = 1.0
MAX_LOCKOUT_S = 300.0  # at most ~290 guesses a day from one address after the first minute
FORGET_S = 900.0  # longer than any lockout: a forgotten address was quiet after its lockout
CAPACITY = 1024  # addresses with recent failures (~150 bytes each)
TRUSTED = 64  # addresses that presented the right token lately
OVERFLOW = "(addresses beyond the table)"


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


class Failure(NamedTuple):
    failures: int  # wrong tokens so far from this address (or from the addresses sharing an entry)
    lockout_s: float  # the lockout this one started; 0 while failures are still free
    shared: bool  # counted in the entry of the addresses that did not fit in the table


def client_key(host: str | None) -> str:
    """The address a client is judged by: IPv4-mapped IPv6 as IPv4, text as it came otherwise."""
    if not host:
        return "(unknown)"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


class TokenGuesses:
    """Who got the admin token wrong lately, and who must wait before trying again."""

    def __init__(
        self,
        capacity: int = CAPACITY,
        trusted: int = TRUSTED,
        free_failures: int = FREE_FAILURES,
    ) -> None:
        self.capacity = capacity
        self.free_failures = free_failures
        self._trusted_capacity = trusted
        # Oldest failure first, so forgetting is popping from the front.
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._overflow = _Failures()
        self._trusted: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        """Addresses remembered (failures and trusted): bounded by capacity + trusted."""
        return len(self._failures) + len(self._trusted)

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try a token again; 0 when it may now."""
        entry = self._entry_for(key, now, create=False)
        if entry is None:
            return 0.0
        return max(0.0, entry.locked_until - now)

    def failed(self, key: str, now: float) -> Failure:
        """Count a wrong token from ``key``."""
        entry = self._entry_for(key, now, create=True)
        assert entry is not None  # create=True always finds an entry
        entry.count += 1
        entry.last_failure = now
        if entry is not self._overflow:
            self._failures.move_to_end(key)
        beyond = entry.count - self.free_failures
        lockout = 0.0
        if beyond > 0:
            lockout = min(MAX_LOCKOUT_S, FIRST_LOCKOUT_S * 2.0 ** min(beyond - 1, 30))
            entry.locked_until = now + lockout
        return Failure(entry.count, lockout, entry is self._overflow)

    def succeeded(self, key: str) -> None:
        """The right token: forget ``key``'s failures and keep it apart from any flood."""
        self._failures.pop(key, None)
        self._trusted[key] = None
        self._trusted.move_to_end(key)
        while len(self._trusted) > self._trusted_capacity:
            self._trusted.popitem(last=False)

    def _entry_for(self, key: str, now: float, create: bool) -> _Failures | None:
        self._forget_old(now)
        entry = self._failures.get(key)
        if entry is not None:
            return entry
        trusted = key in self._trusted
        if len(self._failures) >= self.capacity and not trusted:
            return self._overflow
        if not create:
            return None
        if len(self._failures) >= self.capacity:
            self._failures.popitem(last=False)  # a trusted address is never judged with a crowd
        entry = self._failures[key] = _Failures()
        return entry

    def _forget_old(self, now: float) -> None:
        while self._failures:
            key, oldest = next(iter(self._failures.items()))
            if now - oldest.last_failure <= FORGET_S:
                break
            del self._failures[key]
        if self._overflow.count and now - self._overflow.last_failure > FORGET_S:
            self._overflow = _Failures()
