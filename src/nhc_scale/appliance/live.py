"""Fan-out of live events to any number of Server-Sent-Event clients.

The pipeline thread publishes; each client has a bounded queue on the event loop. A client that
stalls loses its oldest events, never anyone else's, and never slows the pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

QUEUE_EVENTS = 256  # ~5 s of events at 50 a second


@dataclass(eq=False)  # identity: each client is its own subscriber
class Subscriber:
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_EVENTS))
    dropped: int = 0


def format_event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class LiveHub:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self.published = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber()
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    @property
    def client_count(self) -> int:
        return len(self._subscribers)

    def publish(self, name: str, data: Any) -> None:
        """Thread-safe: encode once, deliver on the event loop."""
        loop = self._loop
        if loop is None or loop.is_closed() or not self._subscribers:
            return
        self.published += 1
        message = format_event(name, data)
        with contextlib.suppress(RuntimeError):  # the loop closed since the check above
            loop.call_soon_threadsafe(self._deliver, message)

    def _deliver(self, message: str) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            queue = subscriber.queue
            if queue.full():
                queue.get_nowait()
                subscriber.dropped += 1
            queue.put_nowait(message)
