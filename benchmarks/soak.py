"""Soak: hours of use compressed into minutes, looking for leaks and lost reps.

Part 1, in-process: the synthetic athlete (``DemoAthlete``, sets of reps for ever) seen through
the emulated load cell's counts and noise is fed, as fast as it goes, through the real pipeline
after the sampler: the Recorder (auto-started sessions, the rep detector), the SQLite Store (a
commit per simulated second, as in service) and the LiveHub, whose 20 subscribers on an asyncio
loop keep disconnecting and reconnecting. Only the real-time sampler process is bypassed.

Part 2, a real `nhc-scale serve`: 20 SSE clients that connect, read a little and hang up, in a
loop, while the server's own RSS and open file descriptors are watched in /proc.

    python benchmarks/soak.py [--hours 4] [--server-seconds 60] [--seed 1]

Floors: RSS growth < 10 MB, no fd growth, every rep the detector reported is stored. The last
line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from nhc_scale.appliance.live import LiveHub
from nhc_scale.appliance.recorder import Chunk, Recorder
from nhc_scale.pins.loadcell import LoadCell
from nhc_scale.sim.demo import DemoAthlete
from nhc_scale.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import running_server  # the tests' real-server helper

SPS = 80
BLOCK = 4  # samples per block (the sampler sends ~2 every 20 ms; fewer, larger blocks here)
CLIENTS = 20
AUTO_STOP_S = 150.0  # shorter than the appliance's default 10 min: more sessions, more churn
WARMUP_S = 1800.0  # simulated: caches (SQLite's pages, numpy's pools) fill before the baseline


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def open_fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Subscribers:
    """20 live clients on their own event loop, each reading a random number of events, then
    leaving and coming back as a new subscriber."""

    def __init__(self, hub: LiveHub, seed: int) -> None:
        self.hub = hub
        self.loop = asyncio.new_event_loop()
        self.received = 0
        self.reconnects = 0
        self._rng = random.Random(seed)
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.hub.bind(self.loop)
        self._stop = asyncio.Event()
        self._ready.set()
        self.loop.run_until_complete(self._clients())

    async def _clients(self) -> None:
        assert self._stop is not None
        tasks = [asyncio.create_task(self._client()) for _ in range(CLIENTS)]
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _client(self) -> None:
        while True:
            subscriber = self.hub.subscribe()
            try:
                for _ in range(self._rng.randint(20, 2000)):
                    await subscriber.queue.get()
                    self.received += 1
            finally:
                self.hub.unsubscribe(subscriber)
            self.reconnects += 1

    def close(self) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        self.loop.close()


def in_process(hours: float, seed: int, state_dir: Path) -> dict[str, Any]:
    cell = LoadCell()
    rng = np.random.default_rng(seed)
    athlete = DemoAthlete(seed=seed)
    state_dir.mkdir(parents=True)
    store = Store.open(state_dir)
    hub = LiveHub()
    subscribers = Subscribers(hub, seed)
    reported: list[tuple[int, int]] = []

    def on_rep(session_id: int, rep: dict[str, Any], saved: bool) -> None:
        reported.append((session_id, rep["number"]))
        hub.publish("rep", {"session_id": session_id, "rep": rep, "saved": saved})

    recorder = Recorder(
        store, on_rep=on_rep, auto_stop_s=lambda: AUTO_STOP_S, clock_synced=lambda: True
    )
    zero = float(cell.offset_counts)
    period_ns = 1_000_000_000 // SPS
    base_ns = time.monotonic_ns()
    n_total = int(hours * 3600 * SPS)
    baseline: tuple[float, int] | None = None
    last_flush_s = last_status_s = 0.0
    started = time.perf_counter()
    for first in range(0, n_total, BLOCK):
        index = np.arange(first, min(first + BLOCK, n_total))
        t_s = index / SPS
        kg = np.array([athlete.force_kg(float(t)) for t in t_s])
        noisy = kg + rng.normal(0.0, cell.noise_kg, kg.size)
        counts = np.round(zero + noisy * cell.counts_per_kg).astype(np.int64)
        t_ns = base_ns + index * period_ns
        recorder.feed(Chunk(t_ns, counts, zero, cell.counts_per_kg))
        live_kg = (counts - zero) / cell.counts_per_kg
        hub.publish(
            "sample",
            {
                "t_ns": int(t_ns[-1]),
                "force_kg": round(float(live_kg[-1]), 3),
                "samples": [
                    [int(t), round(float(k), 3)] for t, k in zip(t_ns, live_kg, strict=True)
                ],
                "state": recorder.state,
                "running_min_kg": recorder.running_min_kg,
            },
        )
        now_s = float(t_s[-1])
        if now_s - last_flush_s >= 1.0:
            last_flush_s = now_s
            store.flush()
        if now_s - last_status_s >= 2.0:
            last_status_s = now_s
            hub.publish("status", {"session": None if recorder.session is None else 1})
        if baseline is None and now_s >= WARMUP_S:
            gc.collect()
            baseline = (rss_mb(), open_fds())
    if recorder.session is not None:
        recorder.stop()
    store.flush()
    elapsed = time.perf_counter() - started
    gc.collect()
    final_rss, final_fds = rss_mb(), open_fds()  # everything still open, as at the baseline
    time.sleep(0.5)  # the subscribers drain what is queued
    subscribers.close()
    assert baseline is not None, "--hours must exceed the warm-up"
    stored = {
        (session.id, rep["number"])
        for session in store.list_sessions()
        for rep in store.reps(session.id)
    }
    sessions = len(store.list_sessions())
    store.close()
    return {
        "simulated_hours": round(hours, 2),
        "wall_s": round(elapsed, 1),
        "speed_x": round(hours * 3600 / elapsed, 1),
        "rss_baseline_mb": round(baseline[0], 1),
        "rss_growth_mb": round(final_rss - baseline[0], 2),
        "open_fds_growth": final_fds - baseline[1],
        "sessions": sessions,
        "reps_planned": athlete.reps_planned,
        "reps_expected": len(reported),
        "reps_stored": len(stored & set(reported)),
        "reps_missing": sorted(set(reported) - stored)[:10],
        "live_events_received": subscribers.received,
        "live_reconnects": subscribers.reconnects,
        "db_mb": round((state_dir / "nhc-scale.db").stat().st_size / 1e6, 1),
    }


def against_server(seconds: float, state_dir: Path) -> dict[str, Any]:
    """20 clients connecting, reading a little and hanging up (half politely, half with a
    reset), for ``seconds``; the server's RSS and fds before and after."""
    with running_server(state_dir, NHC_EMULATED_FORCE="demo") as server:
        host, port = server.url.removeprefix("http://").split(":")
        pid = server.process.pid
        stop = threading.Event()
        connections = [0]

        def client(seed: int) -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    sock = socket.create_connection((host, int(port)), timeout=5)
                    sock.sendall(f"GET /api/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                    deadline = time.monotonic() + rng.uniform(0.05, 1.5)
                    while time.monotonic() < deadline and sock.recv(65536):
                        pass
                    if rng.random() < 0.5:  # vanish: a reset, no goodbye
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                    sock.close()
                    connections[0] += 1

        def run_clients(duration: float) -> tuple[float, int]:
            stop.clear()
            threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(20)]
            for thread in threads:
                thread.start()
            time.sleep(duration)
            stop.set()
            for thread in threads:
                thread.join(10)
            time.sleep(3.0)  # the server notices the last disconnects
            return rss_mb(pid), open_fds(pid)

        time.sleep(5.0)  # past start-up and the first tare
        before = run_clients(min(10.0, seconds / 4))  # warm: buffers and caches at their size
        after = run_clients(seconds)
    return {
        "server_seconds": seconds,
        "server_connections": connections[0],
        "server_rss_growth_mb": round(after[0] - before[0], 2),
        "server_open_fds_growth": after[1] - before[1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=4.0, help="simulated hours (default 4)")
    parser.add_argument(
        "--server-seconds", type=float, default=60.0, help="real-server part; 0 skips it"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nhc-soak-") as folder:
        result = in_process(args.hours, args.seed, Path(folder) / "state")
        print(json.dumps(result), flush=True)
        if args.server_seconds > 0:
            result.update(against_server(args.server_seconds, Path(folder) / "server"))
    floors = {
        "rss_growth_mb < 10": result["rss_growth_mb"] < 10,
        "open_fds_growth <= 0": result["open_fds_growth"] <= 0,
        "every rep stored": result["reps_stored"] == result["reps_expected"] > 0,
    }
    if "server_rss_growth_mb" in result:
        floors["server_rss_growth_mb < 10"] = result["server_rss_growth_mb"] < 10
        floors["server_open_fds_growth <= 0"] = result["server_open_fds_growth"] <= 0
    failed = [name for name, ok in floors.items() if not ok]
    if failed:
        print("floors missed: " + ", ".join(failed), file=sys.stderr)
    result["floors_met"] = not failed
    print(json.dumps(result))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
