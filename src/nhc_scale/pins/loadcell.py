"""What the emulated HX711 measures: a force on the pad through a load-cell bridge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# Four 50 kg bathroom-scale half-bridges (about 1 mV/V at 200 kg) excited at ~3 V read
# ~15 µV/kg; at gain 128 the HX711's ±0.5*AVDD/128 input span gives ~700 counts/µV, so
# ~10,000 counts/kg. Used as the emulated cell and as the uncalibrated default scale.
NOMINAL_COUNTS_PER_KG = 10_000.0


class ForceSource(Protocol):
    """The true force on the pad, in kg, at ``t_s`` seconds of the chip's own clock."""

    def force_kg(self, t_s: float) -> float: ...


@dataclass(frozen=True)
class ConstantForce:
    kg: float = 0.0

    def force_kg(self, t_s: float) -> float:
        return self.kg


@dataclass(frozen=True)
class LoadCell:
    """The bridge as the ADC sees it at gain 128 (other gains scale it)."""

    counts_per_kg: float = NOMINAL_COUNTS_PER_KG
    offset_counts: int = 84_213  # an unloaded bridge is never balanced exactly
    noise_kg: float = 0.012  # HX711 at 80 S/s on a bathroom-scale pad: ~10-20 g RMS
