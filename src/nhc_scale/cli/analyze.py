"""``nhc-scale analyze FILE.csv``: find every rep in a recording and its minimum assistance.

The same detector as the live service, fed the whole file at once, so the numbers here are the
numbers the phone showed. numpy, scipy and matplotlib are imported inside the handler.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nhc_scale.cli import CommandError

if TYPE_CHECKING:
    import numpy as np

    from nhc_scale.analysis.rep import Analysis


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="find the reps in a recording (CSV with t_s,force_kg) and their minimum assistance",
        description="Find every rep in a force recording and its minimum assistance. The CSV "
        "needs a header row with t_s and force_kg (other columns are ignored; lines starting "
        "with # are comments): the format of the session export.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.csv", help="recording to analyse")
    parser.add_argument(
        "--json", action="store_true", help='print {"reps": [...], "summary": {...}} as JSON'
    )
    parser.add_argument(
        "--plot", type=Path, metavar="OUT.png", help="also draw the trace and the reps (PNG)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nhc_scale.analysis.detector import analyze
    from nhc_scale.analysis.recording import RecordingError, read_recording

    if args.plot is not None:
        _require_matplotlib()
    try:
        t_s, force_kg = read_recording(args.file)
    except RecordingError as error:
        raise CommandError(str(error), code=2) from None
    result = analyze(t_s, force_kg)
    if args.json:
        json.dump(result.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(result, str(args.file)))
    if args.plot is not None:
        plot(result, t_s, force_kg, args.plot)
        if not args.json:
            print(f"plot written to {args.plot}")
    return 0


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandError(
            "--plot needs matplotlib, which is not installed: pip install 'nhc-scale[plot]'",
            code=2,
        ) from None


def _kg(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table(result: Analysis, name: str) -> str:
    """A table a person can read at a glance: one line per rep, then the session."""
    summary: dict[str, Any] = result.summary
    rate = summary.get("sample_rate_hz")
    lines = [
        f"{name}: {summary['samples']} samples over {summary['duration_s']:.1f} s"
        + (f" at {rate:.1f} S/s" if rate else ""),
        "",
    ]
    if not result.reps:
        lines.append("no reps found")
        return "\n".join(lines) + "\n"
    set_of: dict[float, int] = {}
    for group in summary["sets"]:
        for rep in result.reps:
            if group["start_s"] <= round(rep.start_s, 3) <= group["end_s"]:
                set_of[rep.start_s] = group["set"]
    header = (
        f"{'rep':>3} {'set':>3} {'start s':>9} {'end s':>9} {'min kg':>7} {'at s':>9} "
        f"{'hold kg':>7} {'landing':>7} {'push-off':>8} {'effort s':>8}"
    )
    lines += [header, "-" * len(header)]
    for number, rep in enumerate(result.reps, start=1):
        minimum = "0 (u)" if rep.unassisted else f"{rep.min_assistance_kg:.2f}"
        lines.append(
            f"{number:>3} {set_of.get(rep.start_s, 0):>3} {rep.start_s:>9.2f} {rep.end_s:>9.2f} "
            f"{minimum:>7} {rep.min_at_s:>9.2f} {rep.hold_kg:>7.2f} {rep.landing_peak_kg:>7.2f} "
            f"{_kg(rep.push_off_peak_kg):>8} {rep.effort_s:>8.2f}"
        )
    lines += [
        "",
        f"reps: {summary['rep_count']} in {summary['set_count']} set(s), "
        f"{summary['unassisted_count']} unassisted (u)",
        f"best minimum: {_kg(summary['best_min_kg'])} kg, "
        f"median minimum: {_kg(summary['median_min_kg'])} kg",
    ]
    for group in summary["sets"]:
        lines.append(
            f"  set {group['set']}: {group['reps']} reps, best {_kg(group['best_min_kg'])} kg, "
            f"median {_kg(group['median_min_kg'])} kg"
        )
    return "\n".join(lines) + "\n"


def plot(result: Analysis, t_s: np.ndarray, force_kg: np.ndarray, out: Path) -> None:
    """The trace, each rep shaded, its minimum marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(max(8.0, min(40.0, (t_s[-1] - t_s[0]) / 15)), 4.5))
    axes.plot(t_s, force_kg, lw=0.6, color="0.25", label="force")
    for number, rep in enumerate(result.reps, start=1):
        color = "tab:green" if rep.unassisted else "tab:blue"
        axes.axvspan(rep.start_s, rep.end_s, color=color, alpha=0.15, lw=0)
        axes.plot(rep.min_at_s, rep.min_assistance_kg, "v", color="tab:red", ms=7)
        label = "0 (u)" if rep.unassisted else f"{rep.min_assistance_kg:.1f}"
        axes.annotate(
            f"{number}: {label}",
            (rep.min_at_s, rep.min_assistance_kg),
            textcoords="offset points",
            xytext=(0, -14),
            ha="center",
            fontsize=7,
            color="tab:red",
        )
    axes.set_xlabel("t (s)")
    axes.set_ylabel("force (kg)")
    best = result.summary.get("best_min_kg")
    axes.set_title(
        f"{len(result.reps)} reps, best minimum {_kg(best)} kg "
        "(shaded: reps, green unassisted; triangles: minimum)"
    )
    figure.tight_layout()
    try:
        figure.savefig(out, dpi=110)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}", code=2) from None
    finally:
        plt.close(figure)
