"""Who is on the pad: body, lever geometry, strength and habits, drawn from realistic ranges.

The lever (docs/measurement.md): with the body straight and horizontal, pivoting about the knees,
``F_hands * d_hands = m_above * g * d_com - T_knee``. With the hamstrings relaxed the hands carry
``m_above * d_com / d_hands`` (the "relaxed" load, 43-69 % of body mass over these ranges,
around the 55-60 % docs/measurement.md gives); every newton-metre of knee-flexor torque takes
``1 / (g * d_hands)`` kilograms off the pad. Strength is expressed as the share of the gravity
torque the hamstrings can produce: at 1 or more the athlete comes up unassisted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

G = 9.80665


@dataclass(frozen=True)
class Athlete:
    mass_kg: float
    height_m: float
    above_knee_frac: float  # share of body mass above the knees (shanks and feet stay put)
    com_frac: float  # knee -> centre of mass of that part, as a share of height
    hands_frac: float  # knee -> hands on the pad, as a share of height (hand placement)
    strength: float  # peak knee-flexor torque / gravity torque, fresh
    fatigue_per_rep: float  # strength lost per rep within a set
    hold_support: float  # share of the peak torque already used while holding
    tremor_kg: float  # physiological tremor amplitude on the pad
    tremor_hz: float  # 8-12 Hz
    impact_ratio: float  # landing peak / hold, 1.3-2.2
    ring_hz: float  # ringing of pad and arms after landing, 5-25 Hz
    ring_frac: float  # ringing amplitude / hold
    ring_tau_s: float
    bounce_prob: float
    dip_prob: float  # chance per rep of a hand shifting on the pad
    near_zero_prob: float  # chance the force sits near zero just before the push-off
    plateau_prob: float  # chance of a plateau-shaped (vs V-shaped) minimum
    sway_frac: float  # slow sway of the sustained force (part of the real force)

    @property
    def above_knee_kg(self) -> float:
        return self.mass_kg * self.above_knee_frac

    @property
    def d_com_m(self) -> float:
        return self.com_frac * self.height_m

    @property
    def d_hands_m(self) -> float:
        return self.hands_frac * self.height_m

    @property
    def relaxed_kg(self) -> float:
        """What the pad reads with the hamstrings relaxed."""
        return self.above_knee_kg * self.d_com_m / self.d_hands_m

    def knee_torque_nm(self, pad_kg: float) -> float:
        """Knee-flexor torque implied by ``pad_kg`` on the pad (the lever equation)."""
        return G * (self.above_knee_kg * self.d_com_m - pad_kg * self.d_hands_m)

    def to_dict(self) -> dict[str, Any]:
        out = {key: round(value, 4) for key, value in asdict(self).items()}
        out["relaxed_kg"] = round(self.relaxed_kg, 3)
        return out


def draw_athlete(rng: np.random.Generator) -> Athlete:
    """A random athlete: 45-120 kg, 1.50-2.00 m with a plausible BMI, any strength from a
    beginner's (a third of the gravity torque) to one who comes up unassisted."""
    while True:
        mass = float(rng.uniform(45.0, 120.0))
        height = float(rng.uniform(1.50, 2.00))
        if 16.5 <= mass / height**2 <= 38.0:
            break
    return Athlete(
        mass_kg=mass,
        height_m=height,
        above_knee_frac=float(rng.uniform(0.85, 0.90)),
        com_frac=float(rng.uniform(0.31, 0.37)),
        hands_frac=float(rng.uniform(0.47, 0.62)),
        strength=float(rng.uniform(0.35, 1.2)),
        fatigue_per_rep=float(rng.uniform(0.0, 0.04)),
        hold_support=float(rng.uniform(0.0, 0.5)),
        tremor_kg=float(rng.uniform(0.05, 1.0)),
        tremor_hz=float(rng.uniform(8.0, 12.0)),
        impact_ratio=float(rng.uniform(1.3, 2.2)),
        ring_hz=float(rng.uniform(5.0, 25.0)),
        ring_frac=float(rng.uniform(0.03, 0.3)),
        ring_tau_s=float(rng.uniform(0.05, 0.35)),
        bounce_prob=float(rng.uniform(0.0, 0.35)),
        dip_prob=float(rng.uniform(0.0, 0.5)),
        near_zero_prob=float(rng.uniform(0.0, 0.4)),
        plateau_prob=float(rng.uniform(0.2, 0.8)),
        sway_frac=float(rng.uniform(0.0, 0.03)),
    )
