"""``nhc-scale tare``: zero the scale on the empty pad."""

from __future__ import annotations

import argparse

from nhc_scale import calibration as cal
from nhc_scale.cli import CommandError
from nhc_scale.config import load_settings

from ._sensor import collect, running_sampler

TARE_SECONDS = 1.5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tare", help="zero the scale (the pad must be empty and still)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    calibration = cal.load(settings.state_dir, settings.gain)
    with running_sampler(settings) as sampler:
        window = collect(sampler, TARE_SECONDS, skip_s=0.2)
    try:
        calibration = cal.tare(calibration, window.counts, window.t_ns)
    except cal.CalibrationError as error:
        raise CommandError(str(error)) from error
    path = cal.save(calibration, settings.state_dir)
    print(
        f"tared: zero at {calibration.zero_counts:.0f} counts ({len(window.counts)} samples); "
        f"saved to {path}"
    )
    return 0
