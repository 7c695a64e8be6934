"""Knee-flexor strength from the minimum assistance: the lever about the knee
(docs/measurement.md, "The lever").

With the body straight and horizontal, pivoting about the knees, the hands on the pad carry what
the knee flexors do not hold up::

    F_hands * g * d_hands = m_above * g * d_com - T_knee
    T_knee = m_above * g * d_com - F_min * g * d_hands

``m_above`` and ``d_com`` come from a published anthropometric table scaled by body mass and
height; ``d_hands`` from the same table's landmark heights unless the user measured it. A relaxed
reading (hamstrings relaxed at the bottom, ``T = 0``) measures ``m_above * d_com / d_hands``
directly and removes the table from the estimate: ``T = (F_relaxed - F_min) * g * d_hands``.

The torque is also given as the force per leg at a NordBord-style ankle brace,
``T / (2 * d_ankle)``, the unit of the published injury-risk thresholds. Those thresholds are
ECCENTRIC forces (lowering); ours is a CONCENTRIC estimate (the pull from the bottom): see
:data:`CAVEAT` and docs/strength.md.

Table: Winter DA, Biomechanics and Motor Control of Human Movement, 4th ed., Wiley 2009,
Table 4.1 (segment mass fractions and centre-of-mass locations, after Dempster 1955) and
Figure 4.1 (landmark heights as fractions of standing height, after Drillis & Contini 1966).

numpy only: no web, no hardware, nothing at import time but constants.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

G = 9.80665

# -- Winter 2009, Table 4.1 (Dempster 1955): fractions of body mass; centre of mass as a fraction
#    of the segment's length from its first-named end ---------------------------------------------
FOOT_AND_LEG_MASS = 0.061  # one side, femoral condyles / medial malleolus: stays below the knee
THIGH_MASS = 0.100  # one side, greater trochanter / femoral condyles
THIGH_COM_FROM_HIP = 0.433
TRUNK_HEAD_NECK_MASS = 0.578  # greater trochanter / glenohumeral joint
TRUNK_HEAD_NECK_COM_FROM_HIP = 0.66
TOTAL_ARM_MASS = 0.050  # one side, glenohumeral joint / ulnar styloid, hand included
TOTAL_ARM_COM_FROM_SHOULDER = 0.53
ABOVE_KNEE_MASS = 1.0 - 2 * FOOT_AND_LEG_MASS  # 0.878: thighs, trunk, head and neck, arms

# -- Winter 2009, Figure 4.1 (Drillis & Contini 1966): landmark heights / standing height --------
SHOULDER_H = 0.818  # glenohumeral joint
HIP_H = 0.530  # greater trochanter
KNEE_H = 0.285  # knee joint
ANKLE_H = 0.039  # ankle joint (malleolus)

#: Hands under the shoulder joints (the tutorial puts the scale "under your shoulders"):
#: knee -> hands = shoulder height - knee height, 0.533 of height.
HANDS_FRAC = SHOULDER_H - KNEE_H
#: Plausible hand placements when not measured: under the chest (nipple line, 0.720 H in
#: Figure 4.1 -> 0.435 H from the knee, rounded up: hands rarely go that far back) to a hand's
#: breadth in front of the shoulders.
HANDS_RANGE_FRAC = (0.47, 0.60)
#: Knee joint -> centre of a NordBord-style brace, which sits just above the lateral malleolus:
#: a few centimetres short of the knee-to-ankle-joint length (0.285 - 0.039 = 0.246 H).
ANKLE_ANCHOR_FRAC = 0.23
ANKLE_ANCHOR_RANGE_FRAC = (0.215, 0.246)

# -- the uncertainty band --------------------------------------------------------------------
#: Share of body mass above the knees: Dempster 0.878; de Leva 1996 (adjusted Zatsiorsky-
#: Seluyanov) 0.886 for men (shank 0.0433 + foot 0.0137 per side), 0.878 for women.
ABOVE_KNEE_RANGE = (0.870, 0.890)
#: Centre of mass of trunk + head + neck along trochanter -> shoulder. Dempster's 0.66 puts the
#: standing whole-body centre of mass at 0.582 of height (these fractions, arms hanging): high for
#: living adults, commonly put at about 0.55 of height. 0.44 gives 0.546, 0.70 gives 0.588: the
#: band spans both, the point estimate stays the table's.
TRUNK_COM_RANGE = (0.44, 0.70)
#: Landmark heights of one person vs the table: +-0.01 H each (about +-2 cm).
LANDMARK_SPREAD_H = 0.01
#: A measured distance is still a tape on skin over a joint centre; the hands' centre of pressure
#: is somewhere on a palm.
MEASURED_HANDS_SPREAD_M = 0.03
MEASURED_ANKLE_SPREAD_M = 0.015
BAND_PERCENTILES = (10.0, 90.0)
_SAMPLES = 4000
_SEED = 20_240_501  # fixed: the same inputs always give the same band

# -- what the CLI (and later the API) accepts ------------------------------------------------
MASS_RANGE_KG = (25.0, 250.0)
HEIGHT_RANGE_M = (1.0, 2.3)
DISTANCE_RANGE_M = (0.2, 1.5)

CAVEAT = (
    "Concentric estimate: knee-flexor torque while pulling up from the bottom, from the minimum "
    "hand assistance. The injury-risk thresholds are eccentric NordBord forces (peak force while "
    "lowering, per leg); eccentric force exceeds concentric force in the same muscle, so compare "
    "trends, not a pass/fail against the thresholds."
)

#: Published Nordic injury-risk thresholds: per-leg ECCENTRIC force at the ankle brace (NordBord),
#: below which hamstring strain injury risk was higher. Checked against the abstracts.
THRESHOLDS: list[dict[str, Any]] = [
    {
        "value_n": 256.0,
        "contraction": "eccentric",
        "population": "elite Australian footballers (n=210)",
        "timing": "start of preseason",
        "risk": "relative risk 2.7 (95% CI 1.3-5.5) of a hamstring strain injury",
        "citation": "Opar DA, Williams MD, Timmins RG, Hickey J, Duhig SJ, Shield AJ. Eccentric "
        "hamstring strength and hamstring injury risk in Australian footballers. Med Sci Sports "
        "Exerc. 2015;47(4):857-865.",
        "doi": "10.1249/MSS.0000000000000465",
    },
    {
        "value_n": 279.0,
        "contraction": "eccentric",
        "population": "elite Australian footballers (n=210)",
        "timing": "end of preseason",
        "risk": "relative risk 4.3 (95% CI 1.7-11.0) of a hamstring strain injury",
        "citation": "Opar DA, Williams MD, Timmins RG, Hickey J, Duhig SJ, Shield AJ. Eccentric "
        "hamstring strength and hamstring injury risk in Australian footballers. Med Sci Sports "
        "Exerc. 2015;47(4):857-865.",
        "doi": "10.1249/MSS.0000000000000465",
    },
    {
        "value_n": 337.0,
        "contraction": "eccentric",
        "population": "elite soccer players (n=152)",
        "timing": "start of preseason",
        "risk": "relative risk 4.4 (95% CI 1.1-17.5) of a hamstring strain injury",
        "citation": "Timmins RG, Bourne MN, Shield AJ, Williams MD, Lorenzen C, Opar DA. Short "
        "biceps femoris fascicles and eccentric knee flexor weakness increase the risk of "
        "hamstring injury in elite football (soccer): a prospective cohort study. Br J Sports "
        "Med. 2016;50(24):1524-1535.",
        "doi": "10.1136/bjsports-2015-095362",
    },
]

Method = Literal["anthropometric", "relaxed-reference"]


class RelaxedLevelError(ValueError):
    """The segment holds no steady relaxed level (too short, moving, or no load)."""


def _check(name: str, value: float, bounds: tuple[float, float], unit: str) -> float:
    value = float(value)
    if not (np.isfinite(value) and bounds[0] <= value <= bounds[1]):
        raise ValueError(
            f"{name} {value:g} {unit} is implausible (expected {bounds[0]:g}-{bounds[1]:g} {unit})"
        )
    return value


def _gravity_moment(
    above_share: np.ndarray | float,
    trunk_com: np.ndarray | float,
    shoulder: np.ndarray | float,
    hip: np.ndarray | float,
    d_hands: np.ndarray | float,
) -> np.ndarray | float:
    """``m_above * d_com`` per kilogram of body mass (m), body straight and horizontal.

    Distances are horizontal from the knee; ``shoulder`` and ``hip`` are knee -> joint in
    metres. The arms reach from the shoulders to the hands on the pad, so their centre of mass
    moves with the hands. The Dempster masses are scaled to the sampled above-knee share.
    """
    thigh = 2 * THIGH_MASS * (1.0 - THIGH_COM_FROM_HIP) * hip
    trunk = TRUNK_HEAD_NECK_MASS * (hip + trunk_com * (shoulder - hip))
    arms = 2 * TOTAL_ARM_MASS * (shoulder + TOTAL_ARM_COM_FROM_SHOULDER * (d_hands - shoulder))
    return (thigh + trunk + arms) * (above_share / ABOVE_KNEE_MASS)


@dataclass(frozen=True)
class Anthropometry:
    """One person's lever: body mass, height and the two distances that matter.

    Use :meth:`from_body`; distances not given are derived from height (Winter 2009, Fig. 4.1).
    """

    mass_kg: float
    height_m: float
    knee_to_hands_m: float
    knee_to_ankle_m: float
    hands_measured: bool = False
    ankle_measured: bool = False

    @classmethod
    def from_body(
        cls,
        mass_kg: float,
        height_m: float,
        knee_to_hands_m: float | None = None,
        knee_to_ankle_m: float | None = None,
    ) -> Anthropometry:
        """Raises ValueError for implausible values (the ranges in this module)."""
        mass = _check("body mass", mass_kg, MASS_RANGE_KG, "kg")
        height = _check("height", height_m, HEIGHT_RANGE_M, "m")
        hands = (
            HANDS_FRAC * height
            if knee_to_hands_m is None
            else _check("knee-to-hands distance", knee_to_hands_m, DISTANCE_RANGE_M, "m")
        )
        ankle = (
            ANKLE_ANCHOR_FRAC * height
            if knee_to_ankle_m is None
            else _check("knee-to-ankle distance", knee_to_ankle_m, DISTANCE_RANGE_M, "m")
        )
        if ankle >= hands:
            raise ValueError(
                f"knee-to-ankle distance {ankle:.2f} m is not shorter than knee-to-hands "
                f"{hands:.2f} m: swapped?"
            )
        return cls(
            mass_kg=mass,
            height_m=height,
            knee_to_hands_m=hands,
            knee_to_ankle_m=ankle,
            hands_measured=knee_to_hands_m is not None,
            ankle_measured=knee_to_ankle_m is not None,
        )

    @property
    def above_knee_kg(self) -> float:
        return ABOVE_KNEE_MASS * self.mass_kg

    @property
    def gravity_moment_kgm(self) -> float:
        """``m_above * d_com`` in kg·m (times g: the knee torque that holds the body up)."""
        h = self.height_m
        per_kg = _gravity_moment(
            ABOVE_KNEE_MASS,
            TRUNK_HEAD_NECK_COM_FROM_HIP,
            (SHOULDER_H - KNEE_H) * h,
            (HIP_H - KNEE_H) * h,
            self.knee_to_hands_m,
        )
        return float(per_kg) * self.mass_kg

    @property
    def com_m(self) -> float:
        """Knee -> centre of mass of everything above the knees."""
        return self.gravity_moment_kgm / self.above_knee_kg

    @property
    def predicted_relaxed_kg(self) -> float:
        """What the table predicts the pad reads with the hamstrings relaxed."""
        return self.gravity_moment_kgm / self.knee_to_hands_m

    def samples(self, n: int = _SAMPLES) -> dict[str, np.ndarray]:
        """Plausible values of the uncertain quantities (fixed seed): ``moment`` (kg·m),
        ``hands`` and ``ankle`` (m)."""
        rng = np.random.default_rng(_SEED)
        h = self.height_m
        spread = LANDMARK_SPREAD_H * h
        knee = KNEE_H * h + rng.uniform(-spread, spread, n)
        shoulder = SHOULDER_H * h + rng.uniform(-spread, spread, n) - knee
        hip = HIP_H * h + rng.uniform(-spread, spread, n) - knee
        if self.hands_measured:
            s = MEASURED_HANDS_SPREAD_M
            hands = self.knee_to_hands_m + rng.uniform(-s, s, n)
        else:
            hands = rng.uniform(*HANDS_RANGE_FRAC, n) * h
        if self.ankle_measured:
            s = MEASURED_ANKLE_SPREAD_M
            ankle = self.knee_to_ankle_m + rng.uniform(-s, s, n)
        else:
            ankle = rng.uniform(*ANKLE_ANCHOR_RANGE_FRAC, n) * h
        moment = self.mass_kg * np.asarray(
            _gravity_moment(
                rng.uniform(*ABOVE_KNEE_RANGE, n),
                rng.uniform(*TRUNK_COM_RANGE, n),
                shoulder,
                hip,
                hands,
            )
        )
        return {"moment": moment, "hands": hands, "ankle": ankle}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in asdict(self).items()
        }
        out["above_knee_kg"] = round(self.above_knee_kg, 2)
        out["knee_to_com_m"] = round(self.com_m, 4)
        out["predicted_relaxed_kg"] = round(self.predicted_relaxed_kg, 2)
        out["table"] = "Winter 2009 Table 4.1 (Dempster 1955) and Fig. 4.1 (Drillis & Contini 1966)"
        return out


@dataclass(frozen=True)
class StrengthEstimate:
    """Knee-flexor torque at the minimum, as ankle force per leg, with a band (10th-90th
    percentile over the assumptions). Concentric: see :data:`CAVEAT`."""

    #: What a rep gains (``analyze --json`` with --body-mass/--height, the API's reps).
    REP_KEYS: ClassVar[tuple[str, ...]] = (
        "torque_nm",
        "torque_low_nm",
        "torque_high_nm",
        "ankle_force_per_leg_n",
        "ankle_force_per_leg_low_n",
        "ankle_force_per_leg_high_n",
        "n_per_kg",
        "hamstring_share",
    )

    method: Method
    min_assistance_kg: float
    torque_nm: float
    torque_low_nm: float
    torque_high_nm: float
    ankle_force_per_leg_n: float
    ankle_force_per_leg_low_n: float
    ankle_force_per_leg_high_n: float
    n_per_kg: float  # ankle force per leg / body mass
    hamstring_share: float | None = None  # 1 - F_min / F_relaxed, only with a relaxed reading
    relaxed_kg: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def rep_keys(self) -> dict[str, Any]:
        """The :attr:`REP_KEYS` this estimate has (no hamstring share without a relaxed one)."""
        found = self.to_dict()
        return {key: found[key] for key in self.REP_KEYS if found[key] is not None}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if isinstance(value, float):
                out[key] = round(value, 3 if key in ("hamstring_share", "n_per_kg") else 1)
            elif isinstance(value, tuple):
                out[key] = list(value)
            else:
                out[key] = value
        return out


def knee_torque_nm(min_assistance_kg: float, moment_kgm: float, knee_to_hands_m: float) -> float:
    """The lever equation: ``T = g * (m_above * d_com - F_min * d_hands)``."""
    return G * (moment_kgm - min_assistance_kg * knee_to_hands_m)


def relaxed_torque_nm(min_assistance_kg: float, relaxed_kg: float, knee_to_hands_m: float) -> float:
    """With the relaxed reading, ``m_above * d_com = F_relaxed * d_hands``, so
    ``T = g * (F_relaxed - F_min) * d_hands``: no segment masses, no centre of mass."""
    return G * (relaxed_kg - min_assistance_kg) * knee_to_hands_m


def ankle_force_per_leg_n(torque_nm: float, knee_to_ankle_m: float) -> float:
    """The force one leg would put on a NordBord-style brace for this torque (two legs)."""
    return torque_nm / (2.0 * knee_to_ankle_m)


def hamstring_share(min_assistance_kg: float, relaxed_kg: float) -> float:
    """Share of the relaxed load the knee flexors took over: needs no anthropometry."""
    return 1.0 - min_assistance_kg / relaxed_kg


def estimate(
    min_assistance_kg: float, anthro: Anthropometry, relaxed_kg: float | None = None
) -> StrengthEstimate:
    """Strength at a rep's minimum: anthropometric, or corrected by a relaxed reading."""
    f_min = float(min_assistance_kg)
    if not (np.isfinite(f_min) and f_min >= 0):
        raise ValueError(f"minimum assistance {f_min:g} kg must be >= 0")
    draws = anthro.samples()
    notes: list[str] = []
    share = None
    if relaxed_kg is None:
        method: Method = "anthropometric"
        torque = knee_torque_nm(f_min, anthro.gravity_moment_kgm, anthro.knee_to_hands_m)
        torques = G * (draws["moment"] - f_min * draws["hands"])
        notes.append(
            "segment masses and centres of mass from Winter 2009 Table 4.1 (Dempster 1955); "
            "a relaxed reading removes them from the estimate"
        )
    else:
        relaxed = float(relaxed_kg)
        if not (np.isfinite(relaxed) and relaxed > 0):
            raise ValueError(f"relaxed reading {relaxed:g} kg must be > 0")
        method = "relaxed-reference"
        torque = relaxed_torque_nm(f_min, relaxed, anthro.knee_to_hands_m)
        torques = G * (relaxed - f_min) * draws["hands"]
        share = hamstring_share(f_min, relaxed)
        ratio = relaxed / anthro.mass_kg
        if not 0.40 <= ratio <= 0.75:
            notes.append(
                f"relaxed reading is {100 * ratio:.0f} % of body mass (expected about "
                f"{100 * anthro.predicted_relaxed_kg / anthro.mass_kg:.0f} %): check the posture "
                "and the hands' position"
            )
    if not anthro.hands_measured:
        notes.append("knee-to-hands distance derived from height (hands under the shoulders)")
    if not anthro.ankle_measured:
        notes.append("knee-to-ankle-brace distance derived from height")
    if f_min == 0.0:
        notes.append("no assistance: the torque needed to hold the body, a lower bound")
    if torque <= 0.0:
        notes.append("the minimum is at or above the relaxed load: no knee-flexor torque found")
    torque = max(torque, 0.0)
    forces = np.maximum(torques, 0.0) / (2.0 * draws["ankle"])
    torques = np.maximum(torques, 0.0)
    t_lo, t_hi = np.percentile(torques, BAND_PERCENTILES)
    f_lo, f_hi = np.percentile(forces, BAND_PERCENTILES)
    force = ankle_force_per_leg_n(torque, anthro.knee_to_ankle_m)
    return StrengthEstimate(
        method=method,
        min_assistance_kg=f_min,
        torque_nm=torque,
        torque_low_nm=min(float(t_lo), torque),
        torque_high_nm=max(float(t_hi), torque),
        ankle_force_per_leg_n=force,
        ankle_force_per_leg_low_n=min(float(f_lo), force),
        ankle_force_per_leg_high_n=max(float(f_hi), force),
        n_per_kg=force / anthro.mass_kg,
        hamstring_share=share,
        relaxed_kg=None if relaxed_kg is None else float(relaxed_kg),
        notes=(*notes, CAVEAT),
    )


# -- the relaxed reading ---------------------------------------------------------------------
RELAXED_MIN_S = 2.0
RELAXED_SMOOTH_S = 0.3  # averages out tremor (8-12 Hz) before judging steadiness
RELAXED_TOLERANCE_KG = 0.5
RELAXED_TOLERANCE_SHARE = 0.03
RELAXED_MIN_KG = 2.0


@dataclass(frozen=True)
class RelaxedLevel:
    level_kg: float  # median of the raw samples over the stretch
    start_s: float
    end_s: float
    spread_kg: float  # max - min of the smoothed force over the stretch


def find_relaxed_level(
    t_s: np.ndarray, force_kg: np.ndarray, min_duration_s: float = RELAXED_MIN_S
) -> RelaxedLevel:
    """The relaxed level in a recording segment: the median of the longest steady stretch of at
    least ``min_duration_s``, grown from the steadiest window.

    Steady: the force, smoothed over 0.3 s, stays within max(0.5 kg, 3 %) of its level (max -
    min). Raises :class:`RelaxedLevelError` when no such stretch exists: the person moved,
    pulled, or was not on the pad long enough.
    """
    t = np.asarray(t_s, dtype=np.float64)
    f = np.asarray(force_kg, dtype=np.float64)
    if t.shape != f.shape or t.ndim != 1 or t.size < 3:
        raise RelaxedLevelError("need matching 1-D time and force arrays")
    if t[-1] - t[0] < min_duration_s:
        raise RelaxedLevelError(
            f"segment is {t[-1] - t[0]:.1f} s long: hold the relaxed position for at least "
            f"{min_duration_s:g} s"
        )
    dt = float(np.median(np.diff(t)))
    k = max(1, round(RELAXED_SMOOTH_S / dt))
    smooth = np.convolve(f, np.ones(k) / k, mode="same") if f.size > k else f.copy()
    edge = k // 2
    n = max(2, round(min_duration_s / dt) + 1)  # samples in one window
    usable = slice(edge, f.size - edge)
    s = smooth[usable]
    offset = edge
    if s.size < n:
        raise RelaxedLevelError("segment too short once the smoothing edges are dropped")
    windows = np.lib.stride_tricks.sliding_window_view(s, n)
    spread = windows.max(axis=1) - windows.min(axis=1)
    sums = np.concatenate(([0.0], np.cumsum(s)))
    level = (sums[n:] - sums[:-n]) / n
    tolerance = np.maximum(RELAXED_TOLERANCE_KG, RELAXED_TOLERANCE_SHARE * level)
    ok = (spread <= tolerance) & (level >= RELAXED_MIN_KG)
    if not ok.any():
        if float(np.max(level)) < RELAXED_MIN_KG:
            raise RelaxedLevelError("no load on the pad: hands not on it?")
        raise RelaxedLevelError(
            f"the force moves by at least {float(spread.min()):.2f} kg in every "
            f"{min_duration_s:g} s window: stay still with the hamstrings relaxed"
        )
    best = int(np.argmin(np.where(ok, spread / np.maximum(level, 1e-9), np.inf)))
    lo, hi = best, best + n  # [lo, hi) in s
    tol = float(tolerance[best])
    top, bottom = float(s[lo:hi].max()), float(s[lo:hi].min())
    while True:
        grew = False
        if lo > 0 and max(top, s[lo - 1]) - min(bottom, s[lo - 1]) <= tol:
            lo -= 1
            top, bottom = max(top, s[lo]), min(bottom, s[lo])
            grew = True
        if hi < s.size and max(top, s[hi]) - min(bottom, s[hi]) <= tol:
            top, bottom = max(top, s[hi]), min(bottom, s[hi])
            hi += 1
            grew = True
        if not grew:
            break
    a, b = lo + offset, hi + offset
    return RelaxedLevel(
        level_kg=float(np.median(f[a:b])),
        start_s=float(t[a]),
        end_s=float(t[b - 1]),
        spread_kg=top - bottom,
    )
