"""uvicorn's httptools protocol with the limits it lacks: header size, read timeouts, a cap.

Stock uvicorn with httptools buffers a request line and headers of any size (memory for anyone
on the network to take), waits for ever for a request sent a byte at a time, and accepts
connections until the process runs out of file descriptors, after which nobody is served. This
protocol, passed to uvicorn as ``http=``, adds:

- ``HEADER_LIMIT_BYTES`` for the request line and headers together (and for what a client sends
  while its request is being answered: pipelined requests): beyond, 431 and close.
- ``HEADER_TIMEOUT_S`` from the connection's start (or the end of its previous answer) to the
  end of the headers, and ``BODY_TIMEOUT_S`` from the headers to the end of the body: beyond,
  408 and close. A request that has arrived whole has no time limit (the live stream is one).
- the cap of web/connections.py: at the cap, the connection waiting longest for its request is
  shed (503) to make room; a new one is refused (503) only when all are being served.
- on shutdown, live streams are closed at once (the other answers may finish).

After a refusal the connection reads and discards for a moment before closing, so the client
sees the answer instead of a reset. What was refused is counted in a log line every 30 s.
"""

from __future__ import annotations

import asyncio
import logging
import math
import resource
import time
from collections.abc import Callable
from typing import Any, ClassVar, cast

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from nhc_scale.web.connections import FD_RESERVE, MAX_CONNECTIONS, ConnectionTable, connection_cap

HEADER_LIMIT_BYTES = 16 * 1024  # a phone's request is under 1 KB; a big cookie jar is a few KB
HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 15.0  # the largest body (64 KB) at 4 KB/s, a poor Wi-Fi link
LINGER_S = 2.0  # reading and discarding after a refusal, so the answer is not lost to a reset
LINGER_BYTES = 1 << 20
LOG_INTERVAL_S = 30.0
LIVE_STREAMS = frozenset({"/api/live"})  # answers that never complete (web/routes/live.py)

log = logging.getLogger(__name__)


class _Log:
    """What the edge refused: the first refusal at once, then one line of counts at most every
    ``LOG_INTERVAL_S`` (a flood of a thousand slow connections is a few lines, not a thousand)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._last = -math.inf
        self._pending: asyncio.TimerHandle | None = None

    def refused(self, what: str, cap: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1
        if self._pending is not None:
            return
        wait = self._last + LOG_INTERVAL_S - time.monotonic()
        if wait <= 0:
            self._write(cap)
        else:
            self._pending = asyncio.get_running_loop().call_later(wait, self._write, cap)

    def _write(self, cap: int) -> None:
        self._pending = None
        self._last = time.monotonic()
        summary = ", ".join(f"{count} {name}" for name, count in sorted(self.counts.items()))
        log.warning("HTTP connections refused (cap %d connections): %s", cap, summary)
        self.counts.clear()


class _CountedParseErrors(logging.LoggerAdapter):
    """uvicorn's logger for a connection, except that its one line per unparseable request
    (a port scan, TLS sent to port 80) is counted with the other refusals instead."""

    PARSE_ERROR = "Invalid HTTP request received."

    def __init__(self, logger: logging.Logger, refusals: _Log, cap: int) -> None:
        super().__init__(logger, {})
        self.refusals = refusals
        self.cap = cap

    @property
    def level(self) -> int:  # uvicorn reads it to skip its trace messages cheaply
        return self.logger.level

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if msg == self.PARSE_ERROR:
            self.refusals.refused("unparseable (400)", self.cap)
            return
        super().log(level, msg, *args, **kwargs)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One connection. Made by uvicorn; ``for_server`` gives each server its own table."""

    table: ClassVar[ConnectionTable[GuardedHttpToolsProtocol]]
    refusals: ClassVar[_Log]

    @classmethod
    def for_server(cls, cap: int) -> type[GuardedHttpToolsProtocol]:
        """A subclass sharing one connection table of ``cap`` among its connections."""
        attributes = {"table": ConnectionTable(cap), "refusals": _Log()}
        return cast(type[GuardedHttpToolsProtocol], type(cls.__name__, (cls,), attributes))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logger = _CountedParseErrors(self.logger, self.refusals, self.table.cap)  # type: ignore[assignment]
        self._phase = "head"  # head -> body -> served -> head ...; or closing, at the end
        self._head_bytes = 0  # of the request line and headers being received
        self._timer: asyncio.TimerHandle | None = None
        self._lingered = 0

    # -- the connection ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else "(unknown)"
        admitted, shed = self.table.admit(self, host)
        for victim in shed:
            victim.shed()
        if not admitted:
            self.refusals.refused("refused with every connection busy (503)", self.table.cap)
            self._answer(503, "The scale is serving as many connections as it can; try again.")
            self._phase = "closing"
            self._close()  # nothing was read yet: no reset to fear, no need to linger
            return
        self._arm(HEADER_TIMEOUT_S, self._too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.table.forget(self)
        super().connection_lost(exc)

    def shutdown(self) -> None:
        """The server stops (SIGTERM): answers under way may finish, but a live stream never
        does, so it is closed at once. Each phone then says at once that it lost the scale,
        instead of showing a stopping server's numbers as live for the graceful wait."""
        streaming = self.cycle is not None and not self.cycle.response_complete
        if streaming and self.scope is not None and self.scope.get("path") in LIVE_STREAMS:
            self.transport.close()
            return
        super().shutdown()

    def data_received(self, data: bytes) -> None:
        if self._phase == "closing":  # lingering after a refusal: read, discard
            self._lingered += len(data)
            if self._lingered > LINGER_BYTES:
                self._close()
            return
        if self._phase == "body":  # BodyLimit (web/security.py) judges bodies
            super().data_received(data)
            return
        # A request line and headers; while "served", a pipelined request behind the answer.
        room = HEADER_LIMIT_BYTES - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
            return
        # The limit falls inside this read: parse up to it, and go on only if the headers
        # ended there (the rest is the body, or the next request).
        self._head_bytes = HEADER_LIMIT_BYTES
        super().data_received(data[:room])
        if self.transport.is_closing() or self._phase == "closing":
            return
        if self._phase == "body" or self._head_bytes < HEADER_LIMIT_BYTES:
            self.data_received(data[room:])  # headers complete (or a whole request: reset)
            return
        self.refusals.refused("headers too large (431)", self.table.cap)
        self._refuse(
            431,
            f"The request line and headers are larger than {HEADER_LIMIT_BYTES // 1024} KB; "
            "nothing was read.",
        )

    # -- the parser's events, in order ---------------------------------------------------
    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self._phase == "head":
            self._phase = "body"
            self._arm(BODY_TIMEOUT_S, self._too_slow)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self._phase not in ("head", "body"):
            return  # a pipelined request: uvicorn queues it behind the one being served
        self._disarm()
        self._head_bytes = 0
        if self.cycle is not None and self.cycle.response_complete:
            self._wait_for_a_request()  # answered before its body ended (a 401, a 413)
        else:
            self._phase = "served"
            self.table.serving(self)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._phase == "served" and not self.pipeline and not self.transport.is_closing():
            self._wait_for_a_request()

    def _wait_for_a_request(self) -> None:
        self._phase = "head"
        self._head_bytes = 0
        self.table.waiting(self)
        self._arm(HEADER_TIMEOUT_S, self._too_slow)

    # -- refusals ------------------------------------------------------------------------
    def shed(self) -> None:
        """Make room: answer 503 if a request was begun and can still be answered, and close
        at once."""
        self._disarm()
        if self._phase != "closing":
            self.refusals.refused("shed to make room (503)", self.table.cap)
            begun = self._head_bytes or self._phase == "body"
            if begun and self._can_answer():
                self._answer(503, "The scale has too many connections open; try again.")
        self._phase = "closing"
        self._close()

    def _too_slow(self) -> None:
        self._timer = None
        if self._phase == "head" and self._head_bytes == 0:
            self._close()  # nothing asked: an idle connection, closed as keep-alive is
            return
        what = "headers" if self._phase == "head" else "body"
        self.refusals.refused(f"{what} too slow (408)", self.table.cap)
        self._refuse(408, f"The request's {what} arrived too slowly; nothing was changed.")

    def _refuse(self, status: int, sentence: str) -> None:
        """Answer, stop the request in progress, and close after a short lingering read.

        The connection stays in the table meanwhile (waiting: the first to be shed)."""
        self._disarm()
        if self._can_answer():
            self._answer(status, sentence)
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self._arm(LINGER_S, self._close)
        else:
            self._close()  # an answer is under way: a second one cannot be sent
        self._phase = "closing"

    def _can_answer(self) -> bool:
        """No answer of this connection's is under way (in "head", the cycle is the last one's,
        answered in full)."""
        if self._phase == "head" or self.cycle is None:
            return True
        return not self.cycle.response_started

    def _answer(self, status: int, sentence: str) -> None:
        if self._phase in ("body", "served") and self.cycle is not None:
            # The app may be waiting for the rest of the body: it hears a disconnect, and
            # whatever it answers is dropped (uvicorn writes nothing to a disconnected cycle).
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        body = sentence.encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)

    def _close(self) -> None:
        """Close now: what the client did not take is dropped, so the descriptor is free at
        once even if it never reads."""
        if self.transport.get_write_buffer_size():
            self.transport.abort()
        else:
            self.transport.close()

    # -- the one timer of a connection ---------------------------------------------------
    def _arm(self, seconds: float, then: Callable[[], object]) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, then)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def protocol_for_this_process() -> type[GuardedHttpToolsProtocol]:
    """The protocol class for uvicorn's ``http=``, its cap sized to this process's file limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = MAX_CONNECTIONS + FD_RESERVE if soft == resource.RLIM_INFINITY else soft
    cap = connection_cap(limit)
    log.info(
        "HTTP: at most %d connections (open files limit %d), headers up to %d KB within %g s, "
        "bodies within %g s",
        cap,
        limit,
        HEADER_LIMIT_BYTES // 1024,
        HEADER_TIMEOUT_S,
        BODY_TIMEOUT_S,
    )
    return GuardedHttpToolsProtocol.for_server(cap)
