"""The force on the pad over time: one Nordic rep (or a tap of the pad) at a time.

A rep is planned as parameters (times, levels, shapes), then evaluated at any times, so that a
recording evaluates it on a fine grid and the demo athlete evaluates it one instant at a time.

The force is split in two:
- ``clean``: what the hands sustain (landing onto the hold, the effort's fall as knee torque
  builds up, the minimum, the push-off and release, slow sway). The true minimum assistance is
  defined on it alone.
- ``transients``: impact, ringing, a bounce, hands shifting, tremor. Real force, but nothing a
  needle would show as the minimum.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from nhc_scale.sim.athlete import Athlete

SUSTAIN_S = 0.3  # docs/measurement.md: the minimum is what the hands sustain for 0.3 s
_TRUTH_DT = 0.001


def _smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _tapered(t: np.ndarray, center: float, width: float, edge: float) -> np.ndarray:
    """1 over the middle of ``width`` and 0 outside it, with cosine edges that together take
    ``edge`` of it (a Tukey window): 1 eases all the way (a raised cosine), 0.2 is nearly flat."""
    u = np.abs(t - center) / width
    flat = 0.5 * (1.0 - edge)
    x = np.clip((u - flat) / max(0.5 * edge, 1e-9), 0.0, 1.0)
    return np.where(u < 0.5, 0.5 * (1.0 + np.cos(np.pi * x)), 0.0)


@dataclass(frozen=True)
class Dip:
    """A hand shifting on the pad: a short dip, and the catch that follows it."""

    center_s: float
    width_s: float  # whole dip, under 0.3 s
    depth_kg: float
    rebound: float  # share of the dip's impulse given back just after it
    # share of the width the hand takes to come off and to go back: a hand may ease off and
    # back the whole time (1) or come off and land within a few tens of milliseconds (0.2)
    edge: float = 1.0

    def unloading(self, t: np.ndarray) -> np.ndarray:
        """The dip itself: the hand coming off the pad (negative force)."""
        return -self.depth_kg * _tapered(t, self.center_s, self.width_s, self.edge)

    def catch(self, t: np.ndarray) -> np.ndarray:
        """The catch that follows it: the hand taking the load back, a little overshoot."""
        return (
            self.rebound
            * self.depth_kg
            * _tapered(t, self.center_s + self.width_s, self.width_s, self.edge)
        )


@dataclass(frozen=True)
class RepPlan:
    """One rep, all times absolute (seconds on the session's clock)."""

    t_touch: float  # first contact (the bounce's, if any)
    bounce_s: float  # length of the bounce's first contact (0: no bounce)
    bounce_kg: float
    t_land: float  # the landing that stays
    land_rise_s: float
    hold_kg: float
    impact_kg: float  # landing peak (total force)
    impact_tau_s: float
    ring_hz: float
    ring_kg: float
    ring_tau_s: float
    t_effort: float  # the fall off the hold begins
    t_bottom: float  # the fall ends (for an unassisted rep: lift-off, where it crosses zero)
    fall_s: float  # span of the fall's shape (longer than t_bottom - t_effort if unassisted)
    decline_power: float  # shape of the fall: <1 fast early, >1 slow early
    decline_smooth: float  # 0: V (sharp bottom) ... 1: rounded bottom
    bottom_kg: float  # where the fall heads (negative if unassisted: torque beats gravity)
    plateau_s: float
    plateau_slope_kg_s: float
    push_rise_s: float
    push_two_stage: float  # 0: one rise; >0 pauses at this share of the way up
    push_peak_kg: float
    push_hold_s: float
    release_s: float
    unassisted: bool
    near_zero: bool
    dips: tuple[Dip, ...] = ()
    tremor_kg: float = 0.0
    tremor_hz: float = 10.0
    tremor_phase: float = 0.0
    sway_kg: float = 0.0
    sway_hz: float = 0.5
    sway_phase: float = 0.0
    strength_used: float = 0.0  # peak torque / gravity torque in this rep

    @property
    def t_push(self) -> float:
        return self.t_bottom + self.plateau_s

    @property
    def t_end(self) -> float:
        """Hands leave the pad."""
        if self.unassisted:
            return self.t_bottom
        return self.t_push + self.push_rise_s + self.push_hold_s + self.release_s

    @property
    def minimum_window(self) -> tuple[float, float]:
        """Where the minimum assistance is sought: from the start of the effort up to the top of
        the push-off, with the averaging window ending there (not reaching into the release,
        where the hands are leaving)."""
        top = self.t_push + self.push_rise_s + self.push_hold_s - SUSTAIN_S / 2
        return self.t_effort, max(self.t_push, top)

    # -- the sustained force ---------------------------------------------------------------
    def clean(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        out = np.zeros_like(t)
        landed = (t >= self.t_land) & (t < self.t_end)
        if not landed.any():
            return out
        tt = t[landed]
        level = self.hold_kg * _smoothstep((tt - self.t_land) / self.land_rise_s)
        u = np.clip((tt - self.t_effort) / self.fall_s, 0.0, 1.0)
        shape = (1.0 - self.decline_smooth) * u**self.decline_power + self.decline_smooth * (
            _smoothstep(u)
        )
        falling = tt >= self.t_effort
        level = np.where(falling, self.hold_kg - (self.hold_kg - self.bottom_kg) * shape, level)
        if not self.unassisted:
            plateau = (tt >= self.t_bottom) & (tt < self.t_push)
            level = np.where(
                plateau, self.bottom_kg + self.plateau_slope_kg_s * (tt - self.t_bottom), level
            )
            start = self.bottom_kg + self.plateau_slope_kg_s * self.plateau_s
            rising = tt >= self.t_push
            v = (tt - self.t_push) / self.push_rise_s
            if self.push_two_stage > 0:
                # up to part of the way, a pause, then the rest: a "grinding" push-off
                part = self.push_two_stage
                first = part * _smoothstep(v / 0.4)
                second = part + (1 - part) * _smoothstep((v - 0.6) / 0.4)
                progress = np.where(v < 0.6, first, second)
            else:
                progress = _smoothstep(v)
            push = start + (self.push_peak_kg - start) * progress
            top_end = self.t_push + self.push_rise_s + self.push_hold_s
            push = np.where(
                tt >= top_end,
                self.push_peak_kg * (1.0 - _smoothstep((tt - top_end) / self.release_s)),
                push,
            )
            level = np.where(rising, push, level)
        sway = self.sway_kg * np.sin(2 * np.pi * self.sway_hz * tt + self.sway_phase)
        level = level + sway * np.clip(level / max(self.hold_kg, 1e-6), 0.0, 1.0)
        out[landed] = np.maximum(level, 0.0)
        return out

    # -- what a needle would not show --------------------------------------------------------
    def transients(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        out = np.zeros_like(t)
        if self.bounce_s > 0:
            first = (t >= self.t_touch) & (t < self.t_touch + self.bounce_s)
            u = (t[first] - self.t_touch) / self.bounce_s
            out[first] = self.bounce_kg * np.sin(np.pi * u)
        after = (t >= self.t_land) & (t < self.t_end + 0.5)
        if after.any():
            dt = t[after] - self.t_land
            x = dt / self.impact_tau_s
            pulse = (self.impact_kg - self.hold_kg) * x * np.exp(1.0 - x)
            ring = (
                self.ring_kg
                * np.exp(-dt / self.ring_tau_s)
                * np.sin(2 * np.pi * self.ring_hz * dt)
                * _smoothstep(dt / 0.02)
            )
            out[after] += pulse + ring
        for dip in self.dips:
            near = np.abs(t - dip.center_s) < 1.5 * dip.width_s + 0.01
            if near.any():
                out[near] += dip.unloading(t[near]) + dip.catch(t[near])
        on_pad = np.clip(clean / 2.0, 0.0, 1.0)
        tremor = self.tremor_kg * np.sin(
            2 * np.pi * self.tremor_hz * t + self.tremor_phase + 0.8 * np.sin(1.3 * t)
        )
        return out + tremor * on_pad

    def force(self, t: np.ndarray) -> np.ndarray:
        """The true force on the pad (never negative: the pad cannot pull the hands)."""
        clean = self.clean(t)
        total = clean + self.transients(t, clean)
        total = np.where((clean > 0) | (np.asarray(t) < self.t_land), total, 0.0)
        return np.maximum(total, 0.0)

    # -- the truth ---------------------------------------------------------------------------
    def true_minimum(self) -> tuple[float, float]:
        """(minimum assistance, when): the lowest centred 0.3 s average of the clean force between
        the start of the effort and the top of the push-off; 0 at lift-off if unassisted."""
        if self.unassisted:
            return 0.0, self.t_bottom
        lo, hi = self.minimum_window
        grid = np.arange(lo - SUSTAIN_S, hi + SUSTAIN_S, _TRUTH_DT)
        clean = self.clean(grid)
        n = round(SUSTAIN_S / _TRUTH_DT)
        kernel = np.ones(n + 1)
        kernel[0] = kernel[-1] = 0.5
        kernel /= n
        level = np.convolve(clean, kernel, mode="same")
        inside = (grid >= lo) & (grid <= hi)
        k = int(np.argmin(np.where(inside, level, np.inf)))
        return float(level[k]), float(grid[k])

    def summary(self, athlete: Athlete) -> dict[str, Any]:
        minimum, at = self.true_minimum()
        return {
            "start_s": round(self.t_touch, 4),
            "end_s": round(self.t_end, 4),
            "min_assistance_kg": round(minimum, 4),
            "min_at_s": round(at, 4),
            "unassisted": self.unassisted,
            "knee_torque_at_min_nm": round(athlete.knee_torque_nm(minimum), 2),
            "hold_kg": round(self.hold_kg, 3),
            "landing_peak_kg": round(self.impact_kg, 3),
            "push_off_peak_kg": None if self.unassisted else round(self.push_peak_kg, 3),
            "effort_s": round(self.t_bottom - self.t_effort, 3),
            "traps": {
                "bounce": self.bounce_s > 0,
                "hand_shifts": len(self.dips),
                "near_zero_before_push_off": self.near_zero,
                "v_shaped": self.plateau_s < 0.05 and self.decline_smooth < 0.5,
            },
            "strength_used": round(self.strength_used, 4),
        }


@dataclass(frozen=True)
class TouchPlan:
    """A tap of the pad between reps: brief and light, not a rep."""

    t_touch: float
    duration_s: float
    peak_kg: float

    @property
    def t_end(self) -> float:
        return self.t_touch + self.duration_s

    def force(self, t: np.ndarray) -> np.ndarray:
        u = (np.asarray(t, dtype=np.float64) - self.t_touch) / self.duration_s
        return np.where((u > 0) & (u < 1), self.peak_kg * np.sin(np.pi * np.clip(u, 0, 1)), 0.0)

    def summary(self) -> dict[str, Any]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def plan_rep(
    rng: np.random.Generator, athlete: Athlete, t_touch: float, strength: float
) -> RepPlan:
    """Plan a rep starting at ``t_touch`` for an athlete whose strength is now ``strength``."""
    relaxed = athlete.relaxed_kg
    used = strength * float(rng.uniform(0.88, 1.0))
    hold_kg = relaxed * (
        1.0 - athlete.hold_support * min(used, 0.95) * float(rng.uniform(0.7, 1.0))
    )
    hold_kg *= float(rng.uniform(0.95, 1.05))  # not quite horizontal, not quite the same each time
    near_zero = False
    if used < 1.0 and rng.random() < athlete.near_zero_prob * 0.5:
        near_zero = True
        bottom = float(rng.uniform(0.0, 1.0))
        used = 1.0 - bottom / relaxed
    else:
        bottom = relaxed * (1.0 - used)
    unassisted = used >= 1.0
    bottom = min(bottom, 0.9 * hold_kg)

    bounce = rng.random() < athlete.bounce_prob
    bounce_s = float(rng.uniform(0.04, 0.15)) if bounce else 0.0
    t_land = t_touch + (bounce_s + float(rng.uniform(0.05, 0.6)) if bounce else 0.0)
    hold_s = float(rng.uniform(0.5, 4.0))
    effort_s = float(rng.uniform(1.0, 5.0))
    t_effort = t_land + hold_s
    decline_power = float(np.exp(rng.uniform(np.log(0.5), np.log(2.5))))
    decline_smooth = float(rng.uniform(0.0, 1.0))
    if unassisted:
        # the torque keeps building past the gravity torque: the force crosses zero before the
        # fall would have bottomed out, and the hands leave there (lift-off)
        bottom = relaxed * (1.0 - used)
        u = np.linspace(0.0, 1.0, 2001)
        shape = (1 - decline_smooth) * u**decline_power + decline_smooth * _smoothstep(u)
        level = hold_kg - (hold_kg - bottom) * shape
        cross = float(u[np.argmax(level <= 0.0)])
        t_bottom = t_effort + effort_s * max(cross, 0.05)
    else:
        t_bottom = t_effort + effort_s
    plateau = rng.random() < athlete.plateau_prob or near_zero
    plateau_s = float(rng.uniform(0.3, 1.5)) if plateau else float(rng.uniform(0.0, 0.1))
    if near_zero:
        decline_smooth = max(decline_smooth, 0.5)
    slope = float(rng.uniform(-0.3, 1.5)) if plateau else 0.0
    if bottom + slope * plateau_s < 0:
        slope = 0.0
    style = rng.choice(["explosive", "steady", "grind"])
    rise_s = {"explosive": (0.2, 0.45), "steady": (0.4, 1.0), "grind": (0.8, 1.6)}[str(style)]
    push_rise = float(rng.uniform(*rise_s))
    two_stage = float(rng.uniform(0.3, 0.7)) if style == "grind" else 0.0
    push_peak = max(hold_kg * float(rng.uniform(0.6, 1.4)), bottom + 0.15 * hold_kg)

    rep = RepPlan(
        t_touch=t_touch,
        bounce_s=bounce_s,
        bounce_kg=hold_kg * float(rng.uniform(0.5, 1.8)),
        t_land=t_land,
        land_rise_s=float(rng.uniform(0.02, 0.08)),
        hold_kg=hold_kg,
        impact_kg=hold_kg * athlete.impact_ratio * float(rng.uniform(0.9, 1.1)),
        impact_tau_s=float(rng.uniform(0.02, 0.06)),
        ring_hz=athlete.ring_hz * float(rng.uniform(0.9, 1.1)),
        ring_kg=hold_kg * athlete.ring_frac * float(rng.uniform(0.7, 1.3)),
        ring_tau_s=athlete.ring_tau_s,
        t_effort=t_effort,
        t_bottom=t_bottom,
        fall_s=effort_s,
        decline_power=decline_power,
        decline_smooth=decline_smooth,
        bottom_kg=bottom,
        plateau_s=plateau_s,
        plateau_slope_kg_s=slope,
        push_rise_s=push_rise,
        push_two_stage=two_stage,
        push_peak_kg=push_peak,
        push_hold_s=float(rng.uniform(0.0, 0.5)),
        release_s=float(rng.uniform(0.08, 0.4)),
        unassisted=unassisted,
        near_zero=near_zero,
        tremor_kg=athlete.tremor_kg * float(rng.uniform(0.7, 1.3)),
        tremor_hz=athlete.tremor_hz + float(rng.uniform(-0.5, 0.5)),
        tremor_phase=float(rng.uniform(0, 2 * np.pi)),
        sway_kg=hold_kg * athlete.sway_frac,
        sway_hz=float(rng.uniform(0.2, 1.0)),
        sway_phase=float(rng.uniform(0, 2 * np.pi)),
        strength_used=used,
    )
    return _with_dips(rng, athlete, rep)


def _with_dips(rng: np.random.Generator, athlete: Athlete, rep: RepPlan) -> RepPlan:
    dips: list[Dip] = []
    if rng.random() < athlete.dip_prob:
        for _ in range(int(rng.integers(1, 3))):
            width = float(rng.uniform(0.08, 0.28))
            if rng.random() < 0.6 and not rep.unassisted:
                # the trap: near the minimum, where it would matter
                center = float(rng.uniform(rep.t_bottom - 0.3, rep.t_push + 0.1))
            else:
                center = float(rng.uniform(rep.t_land + 0.4, rep.t_bottom - 0.2))
            local = float(rep.clean(np.array([center]))[0])
            if local < 2.0 or any(abs(center - other.center_s) < 0.6 for other in dips):
                # one hand shift at a time: two within 0.6 s would be one long dip
                continue
            depth = local * float(rng.uniform(0.15, 0.6))
            rebound = float(rng.uniform(0.0, 0.8))
            dips.append(Dip(center, width, depth, rebound, edge=float(rng.uniform(0.2, 1.0))))
    return replace(rep, dips=tuple(dips))
