"""``nhc-scale doctor``: measure what the sensor really does, in the spirit of Klipper's
load-cell diagnostic: configured vs measured rate, losses, rejections, noise."""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys

from nhc_scale import calibration as cal
from nhc_scale.admin_token import TokenError, read_token
from nhc_scale.cli import CommandError
from nhc_scale.config import Settings, load_settings
from nhc_scale.system import Finding as Check
from nhc_scale.system import clock_finding, clock_synchronized, gpio_access

from ._sensor import SensorInUse, Window, collect, running_sampler

OK, WARN, FAIL = "ok", "warn", "fail"
NOISY_KG = 0.05  # a still pad on a good HX711 reads ~0.01-0.03 kg RMS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="measure the sensor and check the set-up")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def noise_sd(counts: list[int]) -> float:
    """RMS noise from successive differences: immune to a slow drift or a constant load."""
    if len(counts) < 3:
        return float("nan")
    diffs = [b - a for a, b in itertools.pairwise(counts)]
    return statistics.pstdev(diffs) / 2**0.5


def diagnose(settings: Settings, window: Window, calibration: cal.Calibration) -> dict:
    stats = window.stats
    assert stats is not None
    span_s = (window.t_ns[-1] - window.t_ns[0]) * 1e-9 if len(window.t_ns) > 1 else 0.0
    delivered = (len(window.counts) - 1) / span_s if span_s > 0 else 0.0
    noise_kg = noise_sd(window.counts) / abs(calibration.counts_per_kg)
    measured = stats.measured_sps
    checks = [
        Check(
            "backend",
            WARN if stats.backend == "emulated" else OK,
            "emulated sensor: no HX711 is wired, readings are synthetic"
            if stats.backend == "emulated"
            else f"{stats.backend} GPIO backend",
        ),
        gpio_access(stats.backend),
        Check("realtime", OK if stats.realtime.startswith("SCHED_FIFO") else WARN, stats.realtime),
        clock_finding(),
    ]
    if measured is None:
        checks.append(Check("rate", WARN, "too few readings to measure the rate"))
    elif measured < 20:
        checks.append(
            Check(
                "rate",
                WARN,
                f"the HX711 runs at {measured:.1f} samples/s: its RATE pin is low. Tie RATE high "
                "for 80 samples/s (see hardware/wiring.md)",
            )
        )
    elif abs(measured - settings.rate_sps) / settings.rate_sps > 0.1:
        checks.append(
            Check("rate", WARN, f"measured {measured:.1f} S/s but rate_sps = {settings.rate_sps}")
        )
    else:
        checks.append(Check("rate", OK, f"{measured:.1f} samples/s"))
    lost = stats.missed_conversions + stats.rejected_reads
    checks.append(
        Check(
            "losses",
            OK if lost == 0 else WARN,
            f"{stats.missed_conversions} missed, {stats.rejected_reads} rejected "
            f"({', '.join(f'{k} {v}' for k, v in stats.rejected.items() if v) or 'none'})",
        )
    )
    checks.append(
        Check(
            "noise",
            OK if noise_kg <= NOISY_KG else WARN,
            f"{noise_kg * 1000:.0f} g RMS"
            + ("" if noise_kg <= NOISY_KG else ": check grounding and cable"),
        )
    )
    checks.append(
        Check(
            "calibration",
            OK if calibration.calibrated and calibration.tared else WARN,
            "tared and calibrated"
            if calibration.calibrated and calibration.tared
            else (
                "not calibrated: run `nhc-scale calibrate` with a known mass"
                if calibration.tared
                else "not tared: run `nhc-scale tare` with the pad empty"
            ),
        )
    )
    return {
        "backend": stats.backend,
        "configured_sps": settings.rate_sps,
        "measured_sps": measured,
        "delivered_sps": round(delivered, 2),
        "samples": len(window.counts),
        "missed_conversions": stats.missed_conversions,
        "rejected_reads": stats.rejected_reads,
        "rejected_by_cause": stats.rejected,
        "timing_violations": stats.timing_violations,
        "restarts": stats.restarts,
        "noise_kg_sd": round(noise_kg, 4),
        "realtime": stats.realtime,
        "cpu": stats.cpu,
        "status": stats.status,
        "clock_synchronized": clock_synchronized(),
        "tared": calibration.tared,
        "calibrated": calibration.calibrated,
        "checks": [check.__dict__ for check in checks],
    }


def run(args: argparse.Namespace) -> int:
    if not 0.5 <= args.seconds <= 3600:
        raise CommandError("--seconds must be between 0.5 and 3600", code=2)
    settings = load_settings()
    calibration = cal.load(settings.state_dir, settings.gain)
    try:
        with running_sampler(settings) as sampler:
            window = collect(sampler, args.seconds, skip_s=0.0)
        report = diagnose(settings, window, calibration)
    except SensorInUse as error:
        # The service is running: the sensor is its, but the token and the set-up can still
        # be shown (the README sends people here for the token).
        report = {
            "status": "in_use",
            "checks": [Check("sensor", WARN, f"not measured: {error}").__dict__],
        }
    try:
        token, origin = read_token(settings)
    except TokenError as error:
        token, origin = None, str(error)
    report["admin_token"] = token
    report["admin_token_origin"] = origin
    if args.json:
        print(json.dumps(report))
    elif report["status"] == "in_use":
        print(f"{'admin token':>20}: {token or '-'} ({origin})")
        print()
        for check in report["checks"]:
            print(f"[{check['level'].upper():>4}] {check['name']}: {check['message']}")
    else:
        for key in (
            "backend",
            "configured_sps",
            "measured_sps",
            "delivered_sps",
            "samples",
            "missed_conversions",
            "rejected_reads",
            "timing_violations",
            "restarts",
            "noise_kg_sd",
            "realtime",
        ):
            print(f"{key:>20}: {report[key]}")
        print(f"{'admin token':>20}: {token or '-'} ({origin})")
        print()
        for check in report["checks"]:
            print(f"[{check['level'].upper():>4}] {check['name']}: {check['message']}")
    failed = any(check["level"] == FAIL for check in report["checks"])
    if any(check["level"] == WARN and check["name"] == "rate" for check in report["checks"]):
        print(
            "warning: " + next(c["message"] for c in report["checks"] if c["name"] == "rate"),
            file=sys.stderr,
        )
    return 1 if failed else 0
