"""The pad's side of a sync, from its own database: a pad that was away from its hub holds a
backlog of 100 sessions of 10 minutes each (80 S/s, written as the appliance writes them: a
block a second, reps found by the real detector), and the real sync worker sends it, through
the pad's store adapter (appliance/sync_store.py), to a real `nhc-scale hub` process (SQLite)
on loopback.

Measures:
- the time to sync the backlog, reading and encoding every session from the pad's sample blocks
  (heartbeats and the roster exchange included), and the bytes sent;
- what the pipeline feels meanwhile: a thread doing what the pipeline thread does with the
  store (a block of samples every 20 ms, a flush every second, for a session that is being
  recorded) times each of its store calls, during the sync and for as long with no sync.

    python benchmarks/pad_backlog.py [--sessions 100] [--minutes 10]

Floor (issue 21): the backlog of 100 sessions synced in under 10 s. The last line printed is
one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hub_server import Hub  # the tests' real-hub helper

from nhc_scale.analysis import analyze
from nhc_scale.appliance.sync_store import PadSyncStore
from nhc_scale.sim.recording import generate_recording
from nhc_scale.store import Store
from nhc_scale.sync.worker import SyncConfig, SyncWorker

RATE = 80
ZERO_COUNTS = 84_000.0
COUNTS_PER_KG = 21_000.0
FLOOR_BACKLOG_S = 10.0
START_UNIX = 1_735_689_600.0


def recorded_force(seconds: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``seconds`` of the synthetic athlete's sets through the sensor model, in kg and as the
    HX711's counts at 80 S/s."""
    recording = generate_recording(seed, nominal_sps=RATE, duration_s=seconds)
    force = recording.force_kg[: int(seconds * RATE)]
    counts = np.round(ZERO_COUNTS + force * COUNTS_PER_KG).astype(np.int32)
    return force, counts


def fill(store: Store, sessions: int, minutes: float) -> int:
    force, counts = recorded_force(minutes * 60, seed=11)
    t_s = np.arange(force.size) / RATE
    reps = analyze(t_s, force).to_dict()["reps"]
    athlete = store.create_athlete(
        {"name": "Backlog athlete", "body_mass_kg": 74.0, "height_m": 1.8}, START_UNIX
    )
    store.set_active_athlete(athlete.id)
    for n in range(sessions):
        start_ns = 10_000_000_000 + n * 10**13
        started = START_UNIX + n * 86400.0
        session_id = store.create_session(None, started, start_ns, True)
        t_ns = start_ns + np.arange(force.size, dtype=np.int64) * (1_000_000_000 // RATE)
        for first in range(0, force.size, RATE):  # a block a second, as the pipeline flushes
            store.append_samples(
                session_id,
                t_ns[first : first + RATE],
                counts[first : first + RATE],
                ZERO_COUNTS,
                COUNTS_PER_KG,
            )
            store.flush()
        for number, rep in enumerate(reps, start=1):
            store.add_rep(session_id, {"number": number, **rep})
        store.end_session(session_id, started + minutes * 60)
    return len(reps)


class TimedLock:
    """The store's lock, timing how long each thread holds it (outermost holds only)."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._mine = threading.local()
        self.holds_ms: dict[str, list[float]] = {}

    def __enter__(self) -> TimedLock:
        self._lock.acquire()
        depth = getattr(self._mine, "depth", 0)
        if depth == 0:
            self._mine.since = time.perf_counter()
        self._mine.depth = depth + 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._mine.depth -= 1
        if self._mine.depth == 0:
            held = (time.perf_counter() - self._mine.since) * 1000
            self.holds_ms.setdefault(threading.current_thread().name, []).append(held)
        self._lock.release()


class PipelineProbe:
    """Times the store calls the pipeline thread makes, in a thread of its own."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._stop = threading.Event()
        self.calls_ms: list[float] = []
        self._session = store.create_session("live", time.time(), 0, True)
        self._thread = threading.Thread(target=self._run, name="pipeline", daemon=True)

    def __enter__(self) -> PipelineProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        t = 0
        last_flush = time.monotonic()
        while not self._stop.wait(0.02):
            t_ns = np.arange(t, t + 2, dtype=np.int64) * 12_500_000
            t += 2
            counts = np.full(2, int(ZERO_COUNTS), dtype=np.int32)
            start = time.perf_counter()
            self._store.append_samples(self._session, t_ns, counts, ZERO_COUNTS, COUNTS_PER_KG)
            if time.monotonic() - last_flush >= 1.0:
                self._store.flush()
                last_flush = time.monotonic()
            self.calls_ms.append((time.perf_counter() - start) * 1000)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "calls": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="nhc-pad-backlog-"))
    (root / "pad").mkdir()
    store = Store.open(root / "pad")
    started = time.perf_counter()
    reps = fill(store, args.sessions, args.minutes)
    fill_s = time.perf_counter() - started
    hub = Hub(root / "hub", None)
    hub.start()
    try:
        hub.add_coach()
        coach = hub.login()
        token = httpx.post(
            hub.url + "/api/pads", json={"name": "Backlog pad"}, headers=coach
        ).json()["token"]
        sync_store = PadSyncStore(store)
        worker = SyncWorker(sync_store, SyncConfig(hub_url=hub.url, pad_token=token, timeout_s=60))
        timed = TimedLock(store._lock)
        store._lock = timed  # type: ignore[assignment]
        outcome: list[bool] = []
        sync = threading.Thread(target=lambda: outcome.append(worker.sync_once()), name="sync")
        with PipelineProbe(store) as probe:
            started = time.perf_counter()
            sync.start()
            sync.join()
            backlog_s = time.perf_counter() - started
            during = list(probe.calls_ms)
            probe.calls_ms.clear()
            time.sleep(backlog_s)
            idle = list(probe.calls_ms)
        if outcome != [True] or sync_store.queued_count():
            raise RuntimeError(f"the backlog did not sync: {worker.state().last_error}")
        pads = httpx.get(hub.url + "/api/pads", headers=coach).json()["pads"]
        at_hub = next(p["session_count"] for p in pads if p["name"] == "Backlog pad")
    finally:
        hub.stop()
        store.close()
    db_mb = sum(f.stat().st_size for f in (root / "pad").iterdir()) / 1e6
    figures: dict[str, Any] = {
        "sessions": args.sessions,
        "minutes_each": args.minutes,
        "reps_each": reps,
        "pad_db_mb": round(db_mb, 1),
        "fill_s": round(fill_s, 1),
        "backlog_s": round(backlog_s, 2),
        "sessions_at_hub": at_hub,
        "pipeline_store_calls_during_sync": summary(during),
        "pipeline_store_calls_idle": summary(idle),
        "store_lock_held_by_sync": summary(timed.holds_ms.get("sync", [0.0])),
    }
    print(
        f"backlog of {args.sessions} sessions of {args.minutes:g} min ({reps} reps each, pad "
        f"database {figures['pad_db_mb']} MB) synced from the pad's store in "
        f"{figures['backlog_s']} s; the pipeline's store calls meanwhile: "
        f"{figures['pipeline_store_calls_during_sync']}, with no sync: "
        f"{figures['pipeline_store_calls_idle']}; the store's lock held by the sync: "
        f"{figures['store_lock_held_by_sync']}"
    )
    floors = {"backlog_under_10_s": backlog_s < FLOOR_BACKLOG_S}
    print(json.dumps({"benchmark": "pad_backlog", "results": figures, "floors_met": floors}))
    return 0 if all(floors.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
