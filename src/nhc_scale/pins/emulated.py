"""The emulated backend: the port wired straight to an EmulatedHX711 in this process."""

from __future__ import annotations

import csv
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nhc_scale.pins.emulated_chip import ConversionTruth, EmulatedHX711, Faults
from nhc_scale.pins.loadcell import ConstantForce, ForceSource, LoadCell
from nhc_scale.pins.port import poll_until_low


@dataclass(frozen=True)
class EmulatedSpec:
    """Everything needed to build the emulated sensor inside the sampler process (picklable).

    ``force`` is what the chip measures, handed in by whoever configures the sensor (a constant,
    or the synthetic athlete of the demo: see nhc_scale/sensor.py); the pins know nothing of it.
    """

    force: ForceSource = field(default_factory=ConstantForce)
    seed: int = 1
    rate_sps: int = 80
    faults: Faults = field(default_factory=Faults)
    load_cell: LoadCell = field(default_factory=LoadCell)
    rate_error_ppm: float = 0.0
    truth_path: str | None = None  # where the chip's truth is written when the port closes
    control_path: str | None = None  # a JSON file of faults to apply while running (tests)

    def build_chip(self) -> EmulatedHX711:
        return EmulatedHX711(
            self.force,
            rate_sps=self.rate_sps,
            load_cell=self.load_cell,
            faults=self.faults,
            seed=self.seed,
            rate_error_ppm=self.rate_error_ppm,
        )


class EmulatedPins:
    backend = "emulated"

    def __init__(
        self, chip: EmulatedHX711, truth_path: str | None = None, control_path: str | None = None
    ) -> None:
        self.chip = chip
        self._truth_path = truth_path
        self.set_sck = chip.set_sck  # bound once: this is the hot path of every bit
        self.read_dout = chip.dout
        if control_path:
            self._control = FaultControl(Path(control_path), chip)
            self.read_dout = self._read_dout_with_control

    def _read_dout_with_control(self) -> int:
        self._control.poll()
        return self.chip.dout()

    def wait_dout_low(self, timeout_s: float) -> bool:
        return poll_until_low(self, timeout_s)

    def close(self) -> None:
        self.chip.set_sck(False)
        if self._truth_path:
            write_truth(self.chip, Path(self._truth_path))


class FaultControl:
    """Faults switched at run time through a small JSON file, so a test can unplug the
    emulated sensor of a running server: ``{"unplugged": true, "stall_rate_hz": 2.0}``.
    The file is looked at ten times a second, not on every pin read."""

    INTERVAL_NS = 100_000_000

    def __init__(self, path: Path, chip: EmulatedHX711) -> None:
        self.path = path
        self.chip = chip
        self._next_ns = 0
        self._mtime_ns: int | None = None

    def poll(self) -> None:
        now = time.monotonic_ns()
        if now < self._next_ns:
            return
        self._next_ns = now + self.INTERVAL_NS
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime == self._mtime_ns:
            return
        self._mtime_ns = mtime
        try:
            faults = json.loads(self.path.read_text()) if mtime is not None else {}
        except (OSError, ValueError):
            return  # half-written: the next look will see the whole file
        self.chip.set_unplugged(bool(faults.get("unplugged", False)))
        self.chip.set_stall_rate(float(faults.get("stall_rate_hz", 0.0)))


def write_truth(chip: EmulatedHX711, path: Path) -> None:
    """Every conversion as CSV, and the chip's counters beside it as JSON."""
    counters_path(path).write_text(json.dumps(asdict(chip.counters)))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["index", "t_ns", "counts", "gain", "settled", "spike", "started", "read", "force_kg"]
        )
        for c in chip.truth:
            writer.writerow(
                [
                    c.index,
                    c.t_ns,
                    c.counts,
                    c.gain,
                    int(c.settled),
                    int(c.spike),
                    int(c.started),
                    int(c.read),
                    f"{c.force_kg:.6f}",
                ]
            )


def counters_path(truth_path: Path) -> Path:
    return truth_path.with_suffix(".counters.json")


def read_truth(path: Path) -> list[ConversionTruth]:
    """Every conversion the chip produced, in order."""
    with path.open(newline="") as handle:
        return [
            ConversionTruth(
                index=int(row["index"]),
                t_ns=int(row["t_ns"]),
                force_kg=float(row["force_kg"]),
                counts=int(row["counts"]),
                gain=int(row["gain"]),
                settled=row["settled"] == "1",
                spike=row["spike"] == "1",
                started=row["started"] == "1",
                read=row["read"] == "1",
            )
            for row in csv.DictReader(handle)
        ]
