"""``nhc-scale analyze FILE.csv``: find every rep in a recording and its minimum assistance.

The same detector as the live service, fed the file block by block as it is read (memory stays
bounded whatever the file's size), so the numbers here are the numbers the phone showed. With
``--body-mass`` and ``--height`` each assisted rep also gets a knee-flexor torque estimate and
the equivalent ankle force per leg (analysis/strength.py): a concentric estimate, not the
eccentric NordBord force the published thresholds use. numpy, scipy and matplotlib are
imported inside the handler; the plot is cli/analyze_plot.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nhc_scale.cli import CommandError

if TYPE_CHECKING:
    from nhc_scale.analysis.rep import Analysis
    from nhc_scale.analysis.strength import Anthropometry


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
    strength = parser.add_argument_group(
        "strength estimate",
        "give both --body-mass and --height to add each assisted rep's knee-flexor torque and "
        "ankle force per leg (a CONCENTRIC estimate; published NordBord thresholds are eccentric)",
    )
    strength.add_argument("--body-mass", type=float, metavar="KG", help="body mass, 25-250 kg")
    strength.add_argument("--height", type=float, metavar="M", help="standing height, 1.0-2.3 m")
    strength.add_argument(
        "--knee-to-hands",
        type=float,
        metavar="M",
        help="knee joint to the hands on the pad, body horizontal (default: from height, hands "
        "under the shoulders)",
    )
    strength.add_argument(
        "--knee-to-ankle",
        type=float,
        metavar="M",
        help="knee joint to just above the ankle bone, where a NordBord brace sits (default: "
        "from height)",
    )
    strength.add_argument(
        "--relaxed-kg",
        type=float,
        metavar="KG",
        help="pad reading lying at the bottom with the hamstrings relaxed: replaces the "
        "segment-mass assumptions",
    )
    parser.set_defaults(handler=run)


def _anthropometry(args: argparse.Namespace) -> Anthropometry | None:
    """The lever from the flags, or None when no strength estimate was asked for."""
    extras = {
        "--knee-to-hands": args.knee_to_hands,
        "--knee-to-ankle": args.knee_to_ankle,
        "--relaxed-kg": args.relaxed_kg,
    }
    if args.body_mass is None and args.height is None:
        given = [flag for flag, value in extras.items() if value is not None]
        if given:
            raise CommandError(f"{', '.join(given)} needs --body-mass and --height", code=2)
        return None
    if args.body_mass is None or args.height is None:
        raise CommandError("give both --body-mass and --height, or neither", code=2)
    from nhc_scale.analysis.strength import Anthropometry

    try:
        anthro = Anthropometry.from_body(
            args.body_mass, args.height, args.knee_to_hands, args.knee_to_ankle
        )
    except ValueError as error:
        raise CommandError(str(error), code=2) from None
    relaxed = args.relaxed_kg
    if relaxed is not None and not (1.0 <= relaxed <= anthro.mass_kg):
        raise CommandError(
            f"--relaxed-kg {relaxed:g} is implausible (expected 1 kg up to the body mass, "
            f"{anthro.mass_kg:g} kg)",
            code=2,
        )
    return anthro


def strength_of(
    result: Analysis, anthro: Anthropometry, relaxed_kg: float | None
) -> tuple[list[dict[str, Any] | None], dict[str, Any]]:
    """Per rep, the strength keys (None for an unassisted rep); and the session's strength
    block: method, lever, caveat and the published thresholds."""
    from nhc_scale.analysis.strength import CAVEAT, THRESHOLDS, estimate

    per_rep: list[dict[str, Any] | None] = []
    method = "relaxed-reference" if relaxed_kg is not None else "anthropometric"
    for rep in result.reps:
        if rep.unassisted:
            per_rep.append(None)
            continue
        per_rep.append(estimate(rep.min_assistance_kg, anthro, relaxed_kg=relaxed_kg).rep_keys())
    block = {
        "method": method,
        "contraction": "concentric",
        "relaxed_kg": relaxed_kg,
        "anthropometry": anthro.to_dict(),
        "band": "10th-90th percentile over the anthropometric assumptions",
        "caveat": CAVEAT,
        "thresholds": THRESHOLDS,
    }
    return per_rep, block


def run(args: argparse.Namespace) -> int:
    from nhc_scale.analysis.recording import RecordingError, analyze_recording

    anthro = _anthropometry(args)
    trace = None
    if args.plot is not None:
        _require_matplotlib()
        from nhc_scale.cli.analyze_plot import TraceEnvelope

        trace = TraceEnvelope()
    try:
        result = analyze_recording(args.file, on_block=None if trace is None else trace.add)
    except RecordingError as error:
        raise CommandError(str(error), code=2) from None
    strength: tuple[list[dict[str, Any] | None], dict[str, Any]] | None = None
    if anthro is not None:
        strength = strength_of(result, anthro, args.relaxed_kg)
    if args.json:
        out = result.to_dict()
        if strength is not None:
            per_rep, block = strength
            for rep, extra in zip(out["reps"], per_rep, strict=True):
                rep.update(extra or {})
            out["strength"] = block
        json.dump(out, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(result, str(args.file), strength))
    if trace is not None:
        from nhc_scale.cli.analyze_plot import plot

        plot(result, trace, args.plot)
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


def kg_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _strength_cell(extra: dict[str, Any] | None) -> str:
    if extra is None:
        return "-"
    return (
        f"{extra['torque_nm']:.0f} ({extra['torque_low_nm']:.0f}-{extra['torque_high_nm']:.0f})"
        f" {extra['ankle_force_per_leg_n']:.0f}"
    )


def format_table(
    result: Analysis,
    name: str,
    strength: tuple[list[dict[str, Any] | None], dict[str, Any]] | None = None,
) -> str:
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
        + (f" {'torque Nm (band) N/leg':>24}" if strength else "")
    )
    lines += [header, "-" * len(header)]
    for number, rep in enumerate(result.reps, start=1):
        minimum = "0 (u)" if rep.unassisted else f"{rep.min_assistance_kg:.2f}"
        lines.append(
            f"{number:>3} {set_of.get(rep.start_s, 0):>3} {rep.start_s:>9.2f} {rep.end_s:>9.2f} "
            f"{minimum:>7} {rep.min_at_s:>9.2f} {rep.hold_kg:>7.2f} {rep.landing_peak_kg:>7.2f} "
            f"{kg_text(rep.push_off_peak_kg):>8} {rep.effort_s:>8.2f}"
            + (f" {_strength_cell(strength[0][number - 1]):>24}" if strength else "")
            + ("  hands moved" if rep.hands_moved else "")
        )
    moved = sum(bool(rep.hands_moved) for rep in result.reps)
    lines += [
        "",
        f"reps: {summary['rep_count']} in {summary['set_count']} set(s), "
        f"{summary['unassisted_count']} unassisted (u)",
        f"best minimum: {kg_text(summary['best_min_kg'])} kg, "
        f"median minimum: {kg_text(summary['median_min_kg'])} kg",
    ]
    for group in summary["sets"]:
        lines.append(
            f"  set {group['set']}: {group['reps']} reps, best {kg_text(group['best_min_kg'])} kg, "
            f"median {kg_text(group['median_min_kg'])} kg"
        )
    if moved:
        lines.append(
            f"hands moved: {moved} rep(s) had a hand shift at or near the minimum; it was taken "
            "out, but the number is surer with the hands kept still"
        )
    if strength:
        lines += _strength_footer(strength[1])
    return "\n".join(lines) + "\n"


def _strength_footer(block: dict[str, Any]) -> list[str]:
    lever = block["anthropometry"]
    method = (
        f"relaxed reference ({block['relaxed_kg']:g} kg)"
        if block["method"] == "relaxed-reference"
        else "anthropometric (Winter 2009, Dempster)"
    )
    lines = [
        "",
        f"strength ({method}; {lever['mass_kg']:g} kg, {lever['height_m']:g} m, knee to hands "
        f"{lever['knee_to_hands_m']:.2f} m, knee to ankle {lever['knee_to_ankle_m']:.2f} m): "
        "knee-flexor torque at the minimum, band = 10th-90th percentile of the assumptions, "
        "N/leg = ankle force per leg",
        f"  {block['caveat']}",
        "  published eccentric thresholds (per leg, NordBord):",
    ]
    for item in block["thresholds"]:
        lines.append(
            f"    < {item['value_n']:.0f} N: {item['population']}, {item['timing']} "
            f"(doi:{item['doi']})"
        )
    return lines
