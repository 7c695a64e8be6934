"""Counts to force: tare (zero) and scale from a known mass, with Klipper-style sanity checks.

Both steps refuse rather than store a bad number: a moving load, a saturated reading or a
change too small to be a real mass would silently skew every rep measured afterwards.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nhc_scale.pins.loadcell import NOMINAL_COUNTS_PER_KG

FILE_NAME = "calibration.json"
UNIT_PER_KG = {"kg": 1.0, "N": 9.80665, "lb": 1 / 0.45359237}
MIN_WINDOW_S = 1.0
# Steadiness: an HX711 on a pad reads ~0.01-0.05 kg RMS; a hand resting on it moves far more.
MAX_STEADY_SD_KG = 0.15
MAX_STEADY_DRIFT_KG = 0.3
# A real reference mass moves the reading by thousands of counts; less is a missing mass or a
# broken bridge (Klipper refuses small calibration deltas for the same reason).
MIN_DELTA_COUNTS = 1_000
MIN_DELTA_NOISE_RATIO = 20.0
SATURATION_MARGIN = 0.99 * 0x7FFFFF
# Below this a kilogram moves the reading by less than the HX711's noise: no load cell does.
MIN_COUNTS_PER_KG = 10.0
# A tared pad that reads more than this is not empty (an arm or a bag left on it): zeroing it
# would make every rep read that much too light. Zero drifts far less; a reading below zero
# (a tare taken with something on the pad) is what a new tare is for.
MAX_TARE_LOAD_KG = 2.0


class CalibrationError(Exception):
    """The reading cannot be used; the message says why and what to do. ``facts`` say it for a
    program: ``reason`` ("too_short", "saturated", "moving", "loaded") and the numbers (kg)."""

    def __init__(self, message: str, reason: str, **numbers: float) -> None:
        super().__init__(message)
        self.facts: dict[str, Any] = {"reason": reason, **numbers}


@dataclass(frozen=True)
class Calibration:
    zero_counts: float = 0.0
    counts_per_kg: float = NOMINAL_COUNTS_PER_KG
    gain: int = 128
    tared_at: str | None = None
    calibrated_at: str | None = None
    reference_mass_kg: float | None = None

    @property
    def tared(self) -> bool:
        return self.tared_at is not None

    @property
    def calibrated(self) -> bool:
        return self.calibrated_at is not None

    def kg(self, counts: float) -> float:
        return (counts - self.zero_counts) / self.counts_per_kg

    def for_gain(self, gain: int) -> Calibration:
        """The same calibration seen through another gain: counts scale with it."""
        if gain == self.gain:
            return self
        ratio = gain / self.gain
        return replace(
            self,
            zero_counts=self.zero_counts * ratio,
            counts_per_kg=self.counts_per_kg * ratio,
            gain=gain,
        )


def to_unit(kg: float, unit: str) -> float:
    return kg * UNIT_PER_KG[unit]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _steady_mean(calibration: Calibration, counts: Sequence[int], t_ns: Sequence[int]) -> float:
    if len(counts) < 2 or (t_ns[-1] - t_ns[0]) * 1e-9 < MIN_WINDOW_S * 0.95:
        raise CalibrationError(
            f"need at least {MIN_WINDOW_S:.0f} s of readings, got {len(counts)} samples",
            "too_short",
        )
    if any(abs(c) >= SATURATION_MARGIN for c in counts):
        raise CalibrationError(
            "the reading is saturated (at the ADC's limit): check the wiring, lower the gain "
            "or use a smaller mass",
            "saturated",
        )
    scale = abs(calibration.counts_per_kg)
    sd_kg = statistics.pstdev(counts) / scale
    half = len(counts) // 2
    drift_kg = abs(statistics.fmean(counts[half:]) - statistics.fmean(counts[:half])) / scale
    if sd_kg > MAX_STEADY_SD_KG or drift_kg > MAX_STEADY_DRIFT_KG:
        raise CalibrationError(
            f"the load is moving (spread {sd_kg:.2f} kg, drift {drift_kg:.2f} kg): "
            "keep the pad still and try again",
            "moving",
            spread_kg=round(sd_kg, 3),
            drift_kg=round(drift_kg, 3),
        )
    return statistics.fmean(counts)


def tare(
    calibration: Calibration,
    counts: Sequence[int],
    t_ns: Sequence[int],
    max_load_kg: float | None = None,
) -> Calibration:
    """Zero the scale on at least a second of steady readings of the empty pad. With
    ``max_load_kg``, a pad already tared that now reads more than that is refused as not empty
    (``reason`` "loaded", ``load_kg``)."""
    zero = _steady_mean(calibration, counts, t_ns)
    load_kg = calibration.kg(zero)
    if max_load_kg is not None and calibration.tared and load_kg > max_load_kg:
        raise CalibrationError(
            f"the pad reads {load_kg:.1f} kg, so it is not empty: take everything off it "
            "(an arm, a bag) and keep it still, then tare. If it is empty and its zero moved, "
            "tare anyway",
            "loaded",
            load_kg=round(load_kg, 3),
        )
    return replace(calibration, zero_counts=zero, tared_at=_now())


def zeroed_kg(before: Calibration, after: Calibration) -> float | None:
    """What a tare took away: the load the pad read, in the calibration before, when it was
    zeroed (None if it had never been tared: the old zero meant nothing)."""
    return round(before.kg(after.zero_counts), 3) if before.tared else None


def calibrate(
    calibration: Calibration, counts: Sequence[int], t_ns: Sequence[int], mass_kg: float
) -> Calibration:
    """Scale from a known mass resting on the tared pad."""
    if not math.isfinite(mass_kg) or not 0.5 <= mass_kg <= 500:
        raise CalibrationError("the reference mass must be between 0.5 and 500 kg", "mass")
    if not calibration.tared:
        raise CalibrationError("tare the empty pad first", "untared")
    loaded = _steady_mean(calibration, counts, t_ns)
    delta = loaded - calibration.zero_counts
    noise = statistics.pstdev(counts) or 1.0
    if abs(delta) < MIN_DELTA_COUNTS or abs(delta) < MIN_DELTA_NOISE_RATIO * noise:
        raise CalibrationError(
            f"the reading changed by only {delta:.0f} counts: is the mass on the pad, "
            "and the load cell wired?",
            "no_change",
        )
    return replace(
        calibration,
        counts_per_kg=delta / mass_kg,
        calibrated_at=_now(),
        reference_mass_kg=mass_kg,
    )


class _CalibrationFile(BaseModel):
    """What a calibration file must hold: a zero of 0 counts per kg would divide every
    reading by zero, a NaN would make every force NaN."""

    model_config = ConfigDict(extra="forbid")

    zero_counts: float = Field(allow_inf_nan=False, ge=-(2**23), le=2**23)
    counts_per_kg: float = Field(allow_inf_nan=False)
    gain: Literal[128, 64, 32]
    tared_at: str | None = None
    calibrated_at: str | None = None
    reference_mass_kg: float | None = Field(None, ge=0.5, le=500, allow_inf_nan=False)

    @field_validator("counts_per_kg")
    @classmethod
    def _measurable(cls, value: float) -> float:
        if abs(value) < MIN_COUNTS_PER_KG:
            raise ValueError(f"must be at least {MIN_COUNTS_PER_KG} counts per kg (not 0)")
        return value


def load(state_dir: Path, gain: int) -> Calibration:
    """The saved calibration, or the nominal one if none was saved; a damaged file is refused
    in one sentence (with the line of a JSON error), never used."""
    path = state_dir / FILE_NAME
    if not path.exists():
        return Calibration(gain=128).for_gain(gain)
    advice = (
        "it was left untouched: move it away and run `nhc-scale calibrate`, or restore a backup"
    )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CalibrationError(
            f"{path} is damaged (line {error.lineno}, column {error.colno}: {error.msg}); {advice}",
            "damaged_file",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CalibrationError(
            f"{path} cannot be read ({error}); {advice}", "damaged_file"
        ) from None
    try:
        checked = _CalibrationFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'file'}: {item['msg']}"
            for item in error.errors()
        )
        raise CalibrationError(
            f"{path} is damaged ({problems}); {advice}", "damaged_file"
        ) from None
    return Calibration(**checked.model_dump()).for_gain(gain)


def save(calibration: Calibration, state_dir: Path) -> Path:
    """Write atomically: a power cut mid-write must not lose the old calibration."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE_NAME
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(calibration), indent=2) + "\n")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path
