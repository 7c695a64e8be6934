"""``nhc-scale calibrate``: tare, place a known mass, type its mass, save.

Interactive by default; ``--mass-kg`` (with ``--no-tare`` when the pad was tared already)
makes it scriptable.
"""

from __future__ import annotations

import argparse
import math

from nhc_scale import calibration as cal
from nhc_scale.cli import CommandError
from nhc_scale.config import load_settings

from ._sensor import collect, running_sampler

WINDOW_SECONDS = 2.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate", help="scale the readings with a known mass (a wizard, or flags for scripts)"
    )
    parser.add_argument("--mass-kg", type=float, help="the reference mass; skips the prompts")
    parser.add_argument(
        "--no-tare", action="store_true", help="keep the saved zero instead of taring first"
    )
    parser.set_defaults(handler=run)


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        raise CommandError("no answer on standard input; use --mass-kg for scripts") from None


def _ask_mass() -> float:
    while True:
        answer = _ask("Mass on the pad in kg (e.g. 20): ").strip().replace(",", ".")
        try:
            mass = float(answer)
        except ValueError:
            print(f"'{answer}' is not a number of kilograms")
            continue
        if math.isfinite(mass) and mass > 0:
            return mass
        print("the mass must be a positive number of kilograms")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    calibration = cal.load(settings.state_dir, settings.gain)
    interactive = args.mass_kg is None
    try:
        with running_sampler(settings) as sampler:
            if not args.no_tare:
                if interactive:
                    _ask("1/3  Clear the pad and keep it still, then press Enter ")
                calibration = cal.tare(calibration, *_readings(sampler))
                print(f"     tared at {calibration.zero_counts:.0f} counts")
            if interactive:
                _ask("2/3  Place the known mass in the middle of the pad, then press Enter ")
                counts, t_ns = _readings(sampler)
                mass = _ask_mass()
            else:
                counts, t_ns = _readings(sampler)
                mass = args.mass_kg
            calibration = cal.calibrate(calibration, counts, t_ns, mass)
    except cal.CalibrationError as error:
        raise CommandError(str(error)) from error
    path = cal.save(calibration, settings.state_dir)
    print(f"3/3  {calibration.counts_per_kg:.1f} counts per kg; saved to {path}")
    return 0


def _readings(sampler: object) -> tuple[list[int], list[int]]:
    window = collect(sampler, WINDOW_SECONDS, skip_s=0.3)  # type: ignore[arg-type]
    return window.counts, window.t_ns
