"""The ``nhc-scale`` command: one module per subcommand, each with ``register(subparsers)``.

Subcommand modules import their heavy dependencies inside their handlers so that
``nhc-scale --help`` and ``nhc-scale read`` start fast on a Pi Zero.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from nhc_scale import __version__
from nhc_scale.calibration import CalibrationError
from nhc_scale.config import ConfigError

# Order is the order shown in --help.
SUBCOMMANDS = ("serve", "read", "tare", "calibrate", "doctor", "analyze", "pair", "hub")


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nhc-scale",
        description="Measure the minimum assistance of assisted Nordic hamstring curls.",
    )
    parser.add_argument("--version", action="version", version=f"nhc-scale {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"nhc_scale.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except (CommandError, ConfigError, CalibrationError) as error:
        print(f"nhc-scale {args.command}: {error}", file=sys.stderr)
        return getattr(error, "code", 2)
    except KeyboardInterrupt:
        return 130
