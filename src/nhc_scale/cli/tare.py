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
    parser.add_argument(
        "--anyway",
        action="store_true",
        help=f"zero even though the tared pad reads over {cal.MAX_TARE_LOAD_KG:g} kg "
        "(it is empty and its zero moved)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    calibration = cal.load(settings.state_dir, settings.gain)
    with running_sampler(settings) as sampler:
        window = collect(sampler, TARE_SECONDS, skip_s=0.2)
    try:
        tared = cal.tare(
            calibration,
            window.counts,
            window.t_ns,
            max_load_kg=None if args.anyway else cal.MAX_TARE_LOAD_KG,
        )
    except cal.CalibrationError as error:
        hint = " (nhc-scale tare --anyway)" if error.facts["reason"] == "loaded" else ""
        raise CommandError(f"{error}{hint}") from error
    path = cal.save(tared, settings.state_dir)
    zeroed = cal.zeroed_kg(calibration, tared)
    what = "" if zeroed is None else f", zeroing {zeroed:.2f} kg"
    print(
        f"tared: zero at {tared.zero_counts:.0f} counts ({len(window.counts)} samples{what}); "
        f"saved to {path}"
    )
    return 0
