"""How long this machine takes the CPU away from a real-time process: the floor under every
acquisition figure.

A pinned SCHED_FIFO process works as the sampler does: it sleeps ~10 ms, then reads the
monotonic clock in a tight loop for 2.5 ms, recording every gap, over S seconds. (A loop that
never sleeps would measure the kernel's real-time throttling instead, 50 ms of every second.)
A gap over 60 µs while PD_SCK is high powers an HX711 down mid-word; an oversleep beyond one
conversion period (12.5 ms at 80 S/s) loses a conversion whatever the code does.

    python benchmarks/jitter.py [--seconds S]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import time

SLEEP_S = 0.010
SPIN_NS = 2_500_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    scheduling = "default"
    try:
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))
        scheduling = "SCHED_FIFO 50, pinned"
    except OSError as error:
        scheduling = f"default ({error.strerror})"
    clock = time.monotonic_ns
    gaps: list[int] = []
    oversleeps: list[int] = []
    end = clock() + int(args.seconds * 1e9)
    loops = 0
    while clock() < end:
        asked = clock()
        time.sleep(SLEEP_S)
        last = clock()
        oversleeps.append(last - asked - int(SLEEP_S * 1e9))
        spin_end = last + SPIN_NS
        while last < spin_end:
            now = clock()
            if now - last > 20_000:
                gaps.append(now - last)
            last = now
            loops += 1
    spun_s = len(oversleeps) * SPIN_NS * 1e-9
    over_60us = sum(g > 60_000 for g in gaps)
    over_period = sum(g > 12_500_000 for g in gaps + oversleeps)
    figures = {
        "seconds": args.seconds,
        "scheduling": scheduling,
        "loops": loops,
        "gaps_over_20us": len(gaps),
        "spinning_s": round(spun_s, 2),
        "gaps_over_60us_per_spinning_s": round(over_60us / spun_s, 2),
        "max_gap_ms": round(max(gaps, default=0) / 1e6, 3),
        "max_oversleep_ms": round(max(oversleeps, default=0) / 1e6, 3),
        "stalls_over_12_5ms": over_period,
    }
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
