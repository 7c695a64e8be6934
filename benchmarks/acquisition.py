"""Acquisition benchmark: our sampler beside the PyPI `hx711` package on the emulated HX711.

Both read the same emulated chip at 80 S/s (the peer through the stand-in RPi.GPIO, exactly
as it would run on a Pi 1-4), each in a process of its own, in two scenarios: clean, and with
mid-word stalls of 0.1-5 ms about once a second. Every delivered value is checked against the
chip's truth: a value is correct only if it is what the chip held when it was read.

    python benchmarks/acquisition.py [--seconds S]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import bisect
import json
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nhc_scale.pins.emulated_chip import Faults

ROOT = Path(__file__).resolve().parents[1]
STANDINS = ROOT / "tests" / "standins"

FORCE_KG = 20.0
STALLS_PER_S = 1.0


@dataclass
class Delivery:
    before_ns: int  # when the reader asked for the value
    after_ns: int  # when it had it
    counts: int


def faults_for(scenario: str) -> Faults:
    from nhc_scale.pins.emulated_chip import Faults

    if scenario == "stalls":
        return Faults(stall_rate_hz=STALLS_PER_S, stall_min_s=100e-6, stall_max_s=5e-3)
    return Faults()


@dataclass
class Run:
    deliveries: list[Delivery]
    cpu_s: float
    start_ns: int  # the measurement window, on CLOCK_MONOTONIC
    end_ns: int


def run_ours(scenario: str, seconds: float, truth_path: Path) -> Run:
    from nhc_scale.pins.emulated import EmulatedSpec
    from nhc_scale.pins.loadcell import ConstantForce
    from nhc_scale.pins.select import PortSpec
    from nhc_scale.sampler import Sampler, SamplerConfig

    spec = EmulatedSpec(
        force=ConstantForce(FORCE_KG),
        seed=7,
        faults=faults_for(scenario),
        truth_path=str(truth_path),
    )
    sampler = Sampler(SamplerConfig(PortSpec("emulated", emulated=spec)))
    sampler.start()
    deliveries: list[Delivery] = []
    cpu_start = cpu_end = None
    end = None
    try:
        while True:
            block = sampler.receive(timeout_s=1.0)
            if block is None or not len(block):
                continue
            if cpu_start is None:  # start measuring once data flows: start-up is not acquisition
                cpu_start = block.stats.cpu_s
                end = block.t_ns[-1] + int(seconds * 1e9)
                continue
            deliveries.extend(
                Delivery(t, t, c) for t, c in zip(block.t_ns, block.counts, strict=True)
            )
            cpu_end = block.stats.cpu_s
            if block.t_ns[-1] >= end:
                deliveries = [d for d in deliveries if d.after_ns <= end]
                stats = block.stats
                print(
                    f"         ours: sampler counted missed {stats.missed_conversions}, "
                    f"rejected {stats.rejected}, restarts {stats.restarts}, {stats.realtime}"
                )
                break
    finally:
        sampler.stop()
    assert end is not None, "the sampler delivered nothing"
    return Run(deliveries, (cpu_end or 0.0) - (cpu_start or 0.0), end - int(seconds * 1e9), end)


def _peer_process(scenario: str, seconds: float, result_path: str, truth_path: str) -> None:
    sys.path.insert(0, str(STANDINS))
    import RPi.GPIO as GPIO

    from nhc_scale.pins.emulated import write_truth
    from nhc_scale.pins.emulated_chip import EmulatedHX711
    from nhc_scale.pins.loadcell import ConstantForce

    chip = EmulatedHX711(ConstantForce(FORCE_KG), seed=7, faults=faults_for(scenario))
    GPIO.attach(chip, 5, 6)
    from hx711 import HX711

    hx = HX711(dout_pin=5, pd_sck_pin=6, gain=128, channel="A")
    deliveries = []
    start = time.monotonic_ns()
    end = start + int(seconds * 1e9)
    cpu_start = time.process_time()
    while True:
        before = time.monotonic_ns()
        if before >= end:
            break
        value = hx._read()
        after = time.monotonic_ns()
        if value is not False:
            deliveries.append((before, after, value))
    cpu = time.process_time() - cpu_start
    write_truth(chip, Path(truth_path))
    result = {"deliveries": deliveries, "cpu_s": cpu, "start_ns": start, "end_ns": end}
    Path(result_path).write_text(json.dumps(result))


def run_peer(scenario: str, seconds: float, truth_path: Path) -> Run:
    result = truth_path.with_suffix(".peer.json")
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_peer_process, args=(scenario, seconds, str(result), str(truth_path))
    )
    process.start()
    process.join()
    data = json.loads(result.read_text())
    deliveries = [Delivery(*row) for row in data["deliveries"]]
    return Run(deliveries, data["cpu_s"], data["start_ns"], data["end_ns"])


def score(run: Run, truth_path: Path) -> dict:
    """Figures for one side. ``missed``: conversions the chip produced (settled) during the
    run that no reader even began to shift out; ``rejected``: begun (perhaps cut short by a
    power-down) but not delivered; ``corrupt_delivered``: delivered values the chip never held
    when they were read."""
    from nhc_scale.pins.emulated import read_truth

    deliveries = run.deliveries
    seconds = (run.end_ns - run.start_ns) * 1e-9
    truth = read_truth(truth_path)
    times = [c.t_ns for c in truth]
    corrupt = 0
    for d in deliveries:
        # Candidates: the conversion latched when the read began, and any that came after
        # while the reader waited for DOUT.
        first = max(0, bisect.bisect_right(times, d.before_ns) - 1)
        last = bisect.bisect_right(times, d.after_ns)
        if d.counts not in {c.counts for c in truth[first:last] if c.settled}:
            corrupt += 1
    if len(deliveries) < 2:
        return {
            "delivered_sps": 0.0,
            "missed": None,
            "rejected": None,
            "corrupt_delivered": corrupt,
            "cpu_us_per_sample": None,
            "samples": len(deliveries),
        }
    window = [c for c in truth if run.start_ns <= c.t_ns <= run.end_ns and c.settled]
    started = sum(c.started for c in window)
    return {
        "delivered_sps": round(len(deliveries) / seconds, 2),
        "missed": len(window) - started,
        "rejected": max(0, started - len(deliveries)),
        "corrupt_delivered": corrupt,
        "cpu_us_per_sample": round(run.cpu_s / len(deliveries) * 1e6, 1),
        "samples": len(deliveries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from nhc_scale.pins.emulated import counters_path

    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in ("clean", "stalls"):
            results[scenario] = {}
            for side, runner in (("ours", run_ours), ("peer_hx711", run_peer)):
                truth_path = Path(tmp) / f"{scenario}-{side}.csv"
                figures = score(runner(scenario, args.seconds, truth_path), truth_path)
                if scenario == "stalls":
                    counters = json.loads(counters_path(truth_path).read_text())
                    figures["faults_injected"] = counters["stalls_injected"]
                results[scenario][side] = figures
                print(
                    f"{scenario:>6} {side:<11} "
                    + "  ".join(f"{k} {v}" for k, v in figures.items()),
                    flush=True,
                )
    stalls = results["stalls"]
    stalls["faults_injected"] = stalls["ours"].pop("faults_injected")
    stalls["faults_injected_peer"] = stalls["peer_hx711"].pop("faults_injected")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
