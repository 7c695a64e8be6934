"""Hub benchmark: a team of 60 athletes with 2 years of weekly sessions, on SQLite and on a real
PostgreSQL, everything through the sync API of a real `nhc-scale hub` process on loopback.

Measures, per engine:
- the time for a pad's sync worker (nhc_scale.sync, the real client) to send a backlog of 100
  sessions, each with 10 minutes of 80 S/s samples, from a SQLite outbox (heartbeats and the
  roster exchange included);
- the latency of the team table (GET /api/team) and of an athlete's progress
  (GET /api/athletes/{uuid}/progress), p50 and p99 over many requests on one keep-alive client;
  and the team table's first answer (every row computed) and its first after the backlog
  arrived (the rows of the 10 athletes it brought sessions for recomputed).

    python benchmarks/hub.py [--athletes 60] [--weeks 104] [--requests 200]
                             [--engines sqlite,postgresql]

Floors: the backlog in under 10 s; team table p99 under 200 ms on both engines.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import hub_payloads as payloads  # the tests' payload builders
from hub_server import Hub  # the tests' real-hub helper
from outbox_sqlite import SqliteOutbox  # the tests' SyncStore
from postgres import MISSING, shared_server

from nhc_scale.sync.worker import SyncConfig, SyncWorker

BACKLOG = 100
SEED_BATCH = 100
BACKLOG_SAMPLES_S = 600.0
FLOOR_BACKLOG_S = 10.0
FLOOR_TEAM_P99_MS = 200.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed_gets(client: httpx.Client, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        start = time.perf_counter()
        answer = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    return out


def run_engine(engine: str, athletes: int, weeks: int, requests: int) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix=f"nhc-hub-bench-{engine}-"))
    url = None if engine == "sqlite" else shared_server().create_database("bench")
    hub = Hub(state, url)
    hub.start()
    try:
        hub.add_coach()
        coach = hub.login()
        seed_pad = hub.pair(coach, "Seed pad")
        team = [payloads.athlete(f"Athlete {i:02d}", seed=i) for i in range(athletes)]
        history = [s for i, a in enumerate(team) for s in payloads.weekly_history(a, weeks, seed=i)]
        start = time.perf_counter()
        with httpx.Client(base_url=hub.url, headers=seed_pad, timeout=120) as client:
            for first in range(0, len(history), SEED_BATCH):
                body = payloads.push_body(history[first : first + SEED_BATCH])
                client.post("/api/sync/v1/sessions", json=body).raise_for_status()
        seed_s = time.perf_counter() - start
        with httpx.Client(base_url=hub.url, headers=coach, timeout=60) as client:
            cold_team_ms = timed_gets(client, ["/api/team"])[0]

        token = httpx.post(
            hub.url + "/api/pads", json={"name": "Backlog pad"}, headers=coach
        ).json()["token"]
        outbox = SqliteOutbox(state / "pad-outbox.db")
        rng = random.Random(7)
        for a in team[:10]:
            outbox.add_athlete(a)
        for n in range(BACKLOG):
            athlete = team[n % 10]
            outbox.queue(
                payloads.session(
                    900_000 + n,
                    athlete,
                    payloads.START_UNIX + (weeks + n // 10) * 7 * payloads.DAY_S,
                    max(0.0, 8.0 - rng.uniform(0, 2)),
                    with_samples=True,
                    samples_s=BACKLOG_SAMPLES_S,
                )
            )
        backlog_bytes = sum(len(s.model_dump_json()) for s in outbox.pending_sessions(BACKLOG))
        worker = SyncWorker(outbox, SyncConfig(hub_url=hub.url, pad_token=token, timeout_s=60))
        start = time.perf_counter()
        ok = worker.sync_once()
        backlog_s = time.perf_counter() - start
        if not ok or outbox.queued_count():
            raise RuntimeError(f"the backlog did not sync: {worker.state().last_error}")

        with httpx.Client(base_url=hub.url, headers=coach, timeout=60) as client:
            after_sync_team_ms = timed_gets(client, ["/api/team"])[0]
            team_ms = timed_gets(client, ["/api/team"] * requests)
            rows = client.get("/api/team").json()["athletes"]
            uuids = [row["athlete"]["uuid"] for row in rows]
            paths = [f"/api/athletes/{rng.choice(uuids)}/progress" for _ in range(requests)]
            progress_ms = timed_gets(client, paths)
            sessions_at_hub = sum(row["session_count"] for row in rows)
    finally:
        hub.stop()
    return {
        "engine": engine,
        "athletes": athletes,
        "sessions_at_hub": sessions_at_hub,
        "seed_sessions_per_s": round(len(history) / seed_s, 1),
        "backlog_sessions": BACKLOG,
        "backlog_mb": round(backlog_bytes / 1e6, 1),
        "backlog_s": round(backlog_s, 2),
        "team_first_ms": round(cold_team_ms, 1),
        "team_after_backlog_ms": round(after_sync_team_ms, 1),
        "team_p50_ms": round(statistics.median(team_ms), 1),
        "team_p99_ms": round(percentile(team_ms, 99), 1),
        "progress_p50_ms": round(statistics.median(progress_ms), 1),
        "progress_p99_ms": round(percentile(progress_ms, 99), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=60)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        try:
            figures = run_engine(engine, args.athletes, args.weeks, args.requests)
        except FileNotFoundError:
            print(f"{engine}: skipped, {MISSING}")
            continue
        results[engine] = figures
        print(
            f"{engine}: {figures['sessions_at_hub']} sessions at the hub "
            f"(seeded at {figures['seed_sessions_per_s']}/s); backlog of {BACKLOG} sessions "
            f"({figures['backlog_mb']} MB with samples) synced in {figures['backlog_s']} s; "
            f"team table p50 {figures['team_p50_ms']} ms, p99 {figures['team_p99_ms']} ms "
            f"(first answer {figures['team_first_ms']} ms, first after the backlog "
            f"{figures['team_after_backlog_ms']} ms); athlete progress p50 "
            f"{figures['progress_p50_ms']} ms, p99 {figures['progress_p99_ms']} ms"
        )
    floors = {
        engine: {
            "backlog_under_10_s": figures["backlog_s"] < FLOOR_BACKLOG_S,
            "team_p99_under_200_ms": figures["team_p99_ms"] < FLOOR_TEAM_P99_MS,
        }
        for engine, figures in results.items()
    }
    print(json.dumps({"benchmark": "hub", "results": results, "floors_met": floors}))
    return 0 if all(all(f.values()) for f in floors.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
