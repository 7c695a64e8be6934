"""A stopping scale (SIGTERM) ends its live streams at once, so every phone says it lost the scale
instead of showing a stopping server's numbers for the graceful wait; over real HTTP."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx
import pytest
from server import running_server

pytestmark = pytest.mark.integration

GRACEFUL_WAIT_SAMPLES = 250  # 5 s of sample events (~50 a second): the wait uvicorn allows


def test_sigterm_ends_the_live_stream_before_the_graceful_wait(tmp_path: Path) -> None:
    with running_server(tmp_path, NHC_EMULATED_FORCE="zero") as server:
        lines: list[str] = []
        flowing = threading.Event()
        ended = threading.Event()
        signalled: list[int] = []  # how many lines had arrived when SIGTERM was sent

        def read() -> None:
            with httpx.stream("GET", server.url + "/api/live", timeout=30) as response:
                try:
                    for line in response.iter_lines():
                        lines.append(line)
                        if line == "event: sample" and len(lines) > 40:
                            flowing.set()
                except httpx.HTTPError:
                    pass  # the connection closed under the reader: that is the end too
            ended.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert flowing.wait(20), "no sample events"
        signalled.append(len(lines))
        server.process.send_signal(signal.SIGTERM)
        assert ended.wait(20), "the stream did not end"
        after = sum(line == "event: sample" for line in lines[signalled[0] :])
        # A few events were on their way; the graceful wait would have sent ~250 more.
        assert after < GRACEFUL_WAIT_SAMPLES / 10, f"{after} sample events after SIGTERM"
        assert server.process.wait(20) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
