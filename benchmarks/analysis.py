"""Speed of the rep detector: offline on a 1-hour 80 S/s recording, and streaming.

Offline: ``analyze`` on the whole hour at once (288,000 samples at the nominal 80 S/s).
Streaming: the same recording fed in 80-sample blocks, and in the sampler's 20 ms blocks (two
samples) both one by one and gathered to 0.1 s as the appliance's recorder feeds its detector
(appliance/detector_feed.py), reading the live state and running minimum after each block as
the service does, measuring CPU time per second of data. All are checked to give the same reps.
Floors on the target machine: offline <= 0.25 s, streaming <= 1 ms of CPU per second of data.
The last line is JSON.

    .venv/bin/python benchmarks/analysis.py
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from nhc_scale.analysis import RepDetector, analyze
from nhc_scale.appliance.detector_feed import BatchedDetector
from nhc_scale.sim.recording import generate_recording
from nhc_scale.sim.sensor import draw_sensor

HOUR_S = 3600.0
BLOCK = 80
LIVE_BLOCK = 2
REPEATS = 5


def streaming_cpu_ms_per_s(
    t: np.ndarray,
    force: np.ndarray,
    block: int,
    offline: tuple,
    repeats: int,
    make: Callable[[], RepDetector | BatchedDetector] = RepDetector,
) -> float:
    """CPU per second of data of the detector fed ``block`` samples at a time, its live state
    and running minimum read after each block as the service reads them for the phone."""
    cpu = []
    for _ in range(repeats):
        detector = make()
        reps = []
        start = time.process_time()
        for i in range(0, t.size, block):
            reps.extend(detector.feed(t[i : i + block], force[i : i + block]))
            _ = detector.state, detector.running_min_kg
        reps.extend(detector.flush())
        cpu.append(time.process_time() - start)
        assert reps == list(offline), "streaming and offline disagree"
    return min(cpu) / float(t[-1] - t[0]) * 1000.0


def main() -> int:
    # exactly 80 S/s and no lost conversions: 288,000 samples; noise, mains, drift, spikes kept
    sensor = replace(
        draw_sensor(np.random.default_rng(7), 80),
        rate_hz=80.0,
        loss_prob=0.0,
        loss_bursts_per_10min=0.0,
        resets_per_10min=0.0,
    )
    recording = generate_recording(7, duration_s=HOUR_S, sensor=sensor)
    t, force = recording.t_s, recording.force_kg
    data_s = float(t[-1] - t[0])
    print(
        f"recording: {t.size} samples over {data_s:.0f} s ({t.size / data_s:.1f} S/s), "
        f"{len(recording.truth['reps'])} true reps"
    )

    offline = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = analyze(t, force)
        offline.append(time.perf_counter() - start)
    best_offline = min(offline)
    print(
        f"offline analyze: best {best_offline:.3f} s, median "
        f"{sorted(offline)[len(offline) // 2]:.3f} s of {REPEATS}; {len(result.reps)} reps"
    )

    per_s = streaming_cpu_ms_per_s(t, force, BLOCK, result.reps, repeats=3)
    print(
        f"streaming in {BLOCK}-sample blocks, reading the live state and running minimum after "
        f"each: {per_s:.4f} ms CPU per second of data; reps identical to offline"
    )
    live_per_s = streaming_cpu_ms_per_s(t, force, LIVE_BLOCK, result.reps, repeats=1)
    print(
        f"streaming in {LIVE_BLOCK}-sample blocks (the sampler's 20 ms blocks at 80 S/s), the "
        f"same: {live_per_s:.4f} ms CPU per second of data"
    )
    gathered_per_s = streaming_cpu_ms_per_s(
        t, force, LIVE_BLOCK, result.reps, repeats=1, make=BatchedDetector
    )
    print(
        f"the same blocks gathered to 0.1 s before each call, as the appliance feeds its "
        f"detector: {gathered_per_s:.4f} ms CPU per second of data"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"peak RSS {peak_mb:.0f} MB (includes generating the recording)")
    print(
        json.dumps(
            {
                "offline_1h_s": round(best_offline, 4),
                "stream_cpu_ms_per_s": round(per_s, 4),
                "block_cpu_ms_per_s": round(live_per_s, 4),
                "live_cpu_ms_per_s": round(gathered_per_s, 4),
                "peak_rss_mb": round(peak_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
