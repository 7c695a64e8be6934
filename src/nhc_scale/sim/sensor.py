"""What an HX711 on a load-cell pad makes of the true force: the recording path's artefacts.

Separate from the physics on purpose: the demo feeds the true force to the emulated chip, which
adds its own artefacts; a synthetic recording adds these instead. Modelled:
- the conversion rate: 10 or 80 S/s nominal, a few per cent off (internal oscillator);
- each conversion averages the input over (most of) its period, as the HX711's sinc filter does,
  which is also what turns tremor and 50/60 Hz mains pickup into aliases at 80 and 10 S/s;
- white noise, a tare that was off by up to ±2 kg and drifts;
- spikes (single wild conversions), lost conversions (single and bursts), and chip resets:
  a hole of 50-500 ms followed by a few unsettled junk conversions;
- host timestamps with a little jitter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

ForceFunction = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SensorParams:
    nominal_sps: int
    rate_hz: float
    integrate_frac: float  # share of the period the conversion averages over
    noise_kg: float
    mains_hz: float
    mains_kg: float  # pickup amplitude at the input, before the chip's averaging
    mains_third: float  # third harmonic share
    tare_offset_kg: float
    drift_kg_per_min: float
    wander_kg: float  # random-walk drift scale per sqrt(minute)
    spikes_per_min: float
    resets_per_10min: float
    loss_prob: float
    loss_bursts_per_10min: float
    jitter_s: float

    def to_dict(self) -> dict[str, Any]:
        return {key: round(value, 5) for key, value in asdict(self).items()}


def draw_sensor(rng: np.random.Generator, nominal_sps: int | None = None) -> SensorParams:
    nominal = int(rng.choice([10, 80])) if nominal_sps is None else nominal_sps
    quiet = 0.5 if nominal == 10 else 1.0  # longer conversions average more noise away
    return SensorParams(
        nominal_sps=nominal,
        rate_hz=nominal * float(rng.uniform(0.95, 1.07)),
        integrate_frac=float(rng.uniform(0.5, 1.0)),
        noise_kg=quiet * float(np.exp(rng.uniform(np.log(0.005), np.log(0.2)))),
        mains_hz=float(rng.choice([50.0, 60.0])) * float(rng.uniform(0.998, 1.002)),
        mains_kg=float(rng.uniform(0.0, 1.0)),
        mains_third=float(rng.uniform(0.0, 0.3)),
        tare_offset_kg=float(rng.uniform(-2.0, 2.0)),
        drift_kg_per_min=float(rng.uniform(-0.15, 0.15)),
        wander_kg=float(rng.uniform(0.0, 0.05)),
        spikes_per_min=float(rng.uniform(0.0, 4.0)),
        resets_per_10min=float(rng.uniform(0.0, 2.0)),
        loss_prob=float(rng.uniform(0.0, 0.02)),
        loss_bursts_per_10min=float(rng.uniform(0.0, 3.0)),
        jitter_s=float(rng.uniform(0.0, 0.002)),
    )


def _boxcar_sine(
    t_end: np.ndarray, width: float, hz: float, amp: float, phase: float
) -> np.ndarray:
    """Mean of amp*sin(2*pi*hz*t + phase) over [t_end - width, t_end], exactly."""
    return amp * np.sinc(hz * width) * np.sin(2 * np.pi * hz * (t_end - width / 2) + phase)


def convert(
    force: ForceFunction, duration_s: float, params: SensorParams, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Sample ``force`` over ``[0, duration_s)`` as the sensor would: (t_s, kg, event log)."""
    period = 1.0 / params.rate_hz
    start = float(rng.uniform(0.0, period))
    t_conv = np.arange(start, duration_s, period)
    width = params.integrate_frac * period
    sub = 6 if params.nominal_sps == 80 else 24
    offsets = (np.arange(sub) + 0.5) / sub * width - width
    grid = (t_conv[:, None] + offsets[None, :]).reshape(-1)
    value = force(grid).reshape(t_conv.size, sub).mean(axis=1)

    phase = float(rng.uniform(0, 2 * np.pi))
    value += _boxcar_sine(t_conv, width, params.mains_hz, params.mains_kg, phase)
    value += _boxcar_sine(
        t_conv, width, 3 * params.mains_hz, params.mains_kg * params.mains_third, 2 * phase
    )
    value += rng.normal(0.0, params.noise_kg, t_conv.size)
    minutes = t_conv / 60.0
    walk = np.cumsum(rng.normal(0.0, 1.0, t_conv.size)) * np.sqrt(period / 60.0)
    value += params.tare_offset_kg + params.drift_kg_per_min * minutes + params.wander_kg * walk

    n = t_conv.size
    keep = np.ones(n, dtype=bool)
    log: dict[str, Any] = {"spikes": [], "resets": [], "lost": 0}
    n_spikes = rng.poisson(params.spikes_per_min * duration_s / 60.0)
    for index in rng.integers(0, n, n_spikes).tolist():
        size = float(np.exp(rng.uniform(np.log(4.0), np.log(400.0)))) * rng.choice([-1.0, 1.0])
        value[index] += size
        log["spikes"].append(round(float(t_conv[index]), 4))

    keep &= rng.random(n) >= params.loss_prob
    for _ in range(rng.poisson(params.loss_bursts_per_10min * duration_s / 600.0)):
        at = int(rng.integers(0, n))
        keep[at : at + int(rng.integers(2, 11))] = False

    for _ in range(rng.poisson(params.resets_per_10min * duration_s / 600.0)):
        at = int(rng.integers(0, n))
        hole = max(1, round(float(rng.uniform(0.05, 0.5)) / period))
        keep[at : at + hole] = False
        junk_at = np.arange(at + hole, min(n, at + hole + int(rng.integers(1, 5))))
        kind = str(rng.choice(["random", "zero-counts", "settling"]))
        if kind == "random":
            value[junk_at] = rng.uniform(-80.0, 250.0, junk_at.size)
        elif kind == "zero-counts":
            value[junk_at] = -float(rng.uniform(5.0, 60.0))
        else:
            first = float(rng.uniform(-60.0, 120.0))
            decay = 0.15 ** np.arange(1, junk_at.size + 1)
            value[junk_at] = value[junk_at] + (first - value[junk_at]) * decay
        log["resets"].append({"t_s": round(float(t_conv[min(at, n - 1)]), 4), "kind": kind})
    log["lost"] = int((~keep).sum())

    jitter = np.abs(rng.normal(0.0, params.jitter_s, n)) if params.jitter_s > 0 else 0.0
    t_host = t_conv + jitter
    return t_host[keep], value[keep], log
