"""``GET /api/live``: Server-Sent Events, one stream per phone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from nhc_scale.appliance.core import Appliance
from nhc_scale.appliance.live import format_event
from nhc_scale.web.deps import App

router = APIRouter(prefix="/api", tags=["live"])
PING_S = 10.0


async def _events(app: Appliance) -> AsyncIterator[str]:
    subscriber = app.hub.subscribe()
    try:
        yield "retry: 1000\n\n" + format_event("status", app.status.event())
        queue = subscriber.queue
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=PING_S)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            # Whatever queued up meanwhile goes in the same write: fewer sends per client.
            parts = [message]
            while not queue.empty():
                parts.append(queue.get_nowait())
            yield "".join(parts)
    finally:
        app.hub.unsubscribe(subscriber)


@router.get(
    "/live",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "events: sample, rep, status (see docs/api.md)",
        }
    },
)
def live(app: App) -> StreamingResponse:
    return StreamingResponse(
        _events(app),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
