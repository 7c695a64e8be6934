"""Bytes on disk for one hour of samples in the session store.

Writes one hour at 80 S/s (288,000 samples) the way the appliance does, one flush a second,
into a fresh database, with realistic data: counts = offset + force * counts_per_kg + noise
(~120 counts sd), force a slow sequence of reps, timestamps with ±50 µs jitter. Checkpoints the
WAL and prints the file size; the last line is JSON. Floor: hour_mb <= 3.

    .venv/bin/python benchmarks/store_size.py [--seconds 3600] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from nhc_scale.store import Store

SPS = 80
OFFSET_COUNTS = 84_000
COUNTS_PER_KG = 10_000.0
NOISE_SD_COUNTS = 120.0
JITTER_NS = 50_000
HOUR_MB_FLOOR = 3.0


def synthetic_hour(seconds: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps and counts of a workout: reps of ~8 s every ~20 s, rest in between."""
    rng = np.random.default_rng(seed)
    n = seconds * SPS
    i = np.arange(n)
    t_ns = 1_000_000_000_000 + i * (1_000_000_000 // SPS) + rng.integers(-JITTER_NS, JITTER_NS, n)
    t_s = i / SPS
    phase = t_s % 20.0
    rep = (phase < 8.0) * (25.0 - 2.0 * phase + 3.0 * np.sin(7.0 * phase))
    counts = OFFSET_COUNTS + rep * COUNTS_PER_KG + rng.normal(0.0, NOISE_SD_COUNTS, n)
    return t_ns.astype(np.int64), np.round(counts).astype(np.int32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()

    t_ns, counts = synthetic_hour(args.seconds)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "store_size.db"
        path.unlink(missing_ok=True)
        store = Store.open(path)
        session = store.create_session("benchmark", time.time(), int(t_ns[0]), True)
        started = time.perf_counter()
        flushes = 0
        for lo in range(0, t_ns.size, SPS):
            store.append_samples(
                session, t_ns[lo : lo + SPS], counts[lo : lo + SPS], OFFSET_COUNTS, COUNTS_PER_KG
            )
            store.flush()
            flushes += 1
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        back = store.samples(session)
        read_s = time.perf_counter() - started
        assert np.array_equal(back.t_ns, t_ns) and np.array_equal(back.counts, counts)
        store.close()
        with sqlite3.connect(path) as conn:  # no-op if close() already checkpointed the WAL
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
    n = t_ns.size
    hour_mb = size / 1e6 * (3600 * SPS / n)  # the whole file: schema and indexes included
    print(f"{n} samples in {flushes} flushes: {size / 1e6:.3f} MB on disk")
    print(f"write {write_s:.2f} s ({write_s / flushes * 1e3:.2f} ms a flush), read {read_s:.3f} s")
    print(
        json.dumps(
            {
                "hour_mb": round(hour_mb, 3),
                "bytes_per_sample": round(size / n, 3),
                "flushes": flushes,
            }
        )
    )
    return 0 if hour_mb <= HOUR_MB_FLOOR else 1


if __name__ == "__main__":
    raise SystemExit(main())
