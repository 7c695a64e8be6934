"""Memory of `nhc-scale analyze` on a large export, and how it treats files that never end.

Writes a valid recording of about ``--mb`` MB in the session export's format (t_s,force_kg,counts;
an hour of the synthetic athlete at 80 S/s repeated with the time running on), then runs the
installed command on it as a Pi would (a subprocess) and reads its peak RSS from the kernel
(``wait4``). Then a FIFO nobody writes to and /dev/zero, each with a 20 s limit.

    .venv/bin/python benchmarks/analyze_memory.py [--mb 200] [--plot]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nhc_scale.sim.recording import generate_recording
from nhc_scale.sim.sensor import draw_sensor

NHC_SCALE = Path(sys.executable).with_name("nhc-scale")
HOUR_S = 3600.0
LIMIT_S = 20.0


def write_export(path: Path, megabytes: float) -> tuple[int, int]:
    """The export of a very long session: (samples, bytes)."""
    sensor = replace(draw_sensor(np.random.default_rng(7), 80), rate_hz=80.0)
    hour = generate_recording(7, duration_s=HOUR_S, sensor=sensor)
    t0 = hour.t_s - hour.t_s[0]
    counts = np.round(hour.force_kg * 10_000 + 120_000).astype(np.int64)
    samples = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("t_s,force_kg,counts\n")
        offset = 0.0
        while handle.tell() < megabytes * 1e6:
            lines = [
                f"{t:.6f},{f:.4f},{c}\n"
                for t, f, c in zip(t0 + offset, hour.force_kg, counts, strict=True)
            ]
            handle.write("".join(lines))
            samples += len(lines)
            offset += float(t0[-1]) + 1.0 / 80.0
    return samples, path.stat().st_size


def measured(arguments: list[str], folder: Path, limit_s: float = 3600.0) -> dict:
    """Run the command; its exit code, peak RSS (MB, from wait4), wall time, output."""
    out_path, err_path = folder / "out.txt", folder / "err.txt"
    start = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen([str(NHC_SCALE), *arguments], stdout=out, stderr=err)
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > limit_s:
            process.kill()
            timed_out = True
            _, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    tail = (err_path.read_text(errors="replace") or out_path.read_text()).strip().splitlines()
    return {
        "code": process.returncode,
        "timed_out": timed_out,
        "seconds": round(time.monotonic() - start, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "last_line": tail[-1][:200] if tail else "",
        "stdout": out_path.read_text(errors="replace"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the export (MB)")
    parser.add_argument("--plot", action="store_true", help="also measure --plot")
    args = parser.parse_args()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export = folder / "long.csv"
        samples, size = write_export(export, args.mb)
        print(
            f"export: {size / 1e6:.0f} MB, {samples} samples "
            f"({samples / 80 / 3600:.1f} h at 80 S/s)"
        )
        figures |= {"file_mb": round(size / 1e6, 1), "samples": samples}

        result = measured(["analyze", str(export), "--json"], folder)
        reps = json.loads(result["stdout"])["summary"]["rep_count"] if result["code"] == 0 else None
        print(
            f"analyze --json: exit {result['code']}, peak RSS {result['peak_rss_mb']} MB, "
            f"{result['seconds']} s, {reps} reps"
        )
        figures |= {
            "json_exit": result["code"],
            "json_peak_rss_mb": result["peak_rss_mb"],
            "json_seconds": result["seconds"],
            "reps": reps,
        }
        if args.plot:
            png = folder / "long.png"
            result = measured(["analyze", str(export), "--plot", str(png)], folder)
            print(
                f"analyze --plot: exit {result['code']}, peak RSS {result['peak_rss_mb']} MB, "
                f"{result['seconds']} s"
            )
            figures |= {"plot_exit": result["code"], "plot_peak_rss_mb": result["peak_rss_mb"]}

        fifo = folder / "pipe.csv"
        os.mkfifo(fifo)
        for name, path in (("fifo", fifo), ("dev_zero", Path("/dev/zero"))):
            result = measured(["analyze", str(path)], folder, LIMIT_S)
            outcome = "still running after 20 s" if result["timed_out"] else result["last_line"]
            print(
                f"{path}: exit {result['code']}, peak RSS {result['peak_rss_mb']} MB, "
                f"{result['seconds']} s: {outcome}"
            )
            figures |= {
                f"{name}_refused": not result["timed_out"] and result["code"] == 2,
                f"{name}_seconds": result["seconds"],
                f"{name}_peak_rss_mb": result["peak_rss_mb"],
            }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
