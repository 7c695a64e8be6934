"""``nhc-scale read``: live readings in the terminal, or every sample as CSV."""

from __future__ import annotations

import argparse
import sys
import time

from nhc_scale import calibration as cal
from nhc_scale.config import load_settings
from nhc_scale.sampler import SamplerDied
from nhc_scale.sampler.blocks import STATUS_OK

from ._sensor import check_block_status, running_sampler

DISPLAY_INTERVAL_NS = 100_000_000  # ten lines a second: readable, and averages out noise


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("read", help="show live readings from the sensor")
    parser.add_argument(
        "--csv", action="store_true", help="print every sample as t_s,force_kg,counts"
    )
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    calibration = cal.load(settings.state_dir, settings.gain)
    unit = settings.units
    if not calibration.tared:
        print("note: not tared yet; run `nhc-scale tare` with the pad empty", file=sys.stderr)
    out = sys.stdout
    if args.csv:
        out.write("t_s,force_kg,counts\n")
    start_ns: int | None = None
    shown_ns = 0
    window: list[int] = []
    status = ""
    stop_at = time.monotonic() + args.seconds if args.seconds else None
    with running_sampler(settings) as sampler:
        try:
            while stop_at is None or time.monotonic() < stop_at:
                block = sampler.receive(timeout_s=0.25)
                if block is None:
                    continue
                check_block_status(block.stats)
                if block.stats.status != status:
                    status = block.stats.status
                    if status != STATUS_OK:
                        print(f"sensor status: {status}", file=sys.stderr)
                for t_ns, counts in zip(block.t_ns, block.counts, strict=True):
                    start_ns = t_ns if start_ns is None else start_ns
                    kg = calibration.kg(counts)
                    if args.csv:
                        out.write(f"{(t_ns - start_ns) * 1e-9:.4f},{kg:.3f},{counts}\n")
                        continue
                    window.append(counts)
                    if t_ns - shown_ns >= DISPLAY_INTERVAL_NS:
                        mean = sum(window) / len(window)
                        value = cal.to_unit(calibration.kg(mean), unit)
                        rate = block.stats.measured_sps
                        out.write(
                            f"{value:8.2f} {unit:<2}  counts {round(mean):>9}  "
                            f"{rate or 0:5.1f} S/s  missed {block.stats.missed_conversions}  "
                            f"rejected {block.stats.rejected_reads}\n"
                        )
                        window.clear()
                        shown_ns = t_ns
                out.flush()
        except (KeyboardInterrupt, BrokenPipeError):
            pass
        except SamplerDied as error:
            print(f"nhc-scale read: the sampler stopped: {error}", file=sys.stderr)
            return 1
    return 0
