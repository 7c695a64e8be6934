"""From settings to a running sampler: the one place that wires config to acquisition."""

from __future__ import annotations

from nhc_scale.config import Settings
from nhc_scale.pins.emulated import EmulatedSpec
from nhc_scale.pins.loadcell import ConstantForce, ForceSource
from nhc_scale.pins.select import PortSpec, resolve_backend
from nhc_scale.sampler import SamplerConfig


def emulated_force(setting: str, seed: int) -> ForceSource:
    """What the emulated sensor measures: the demo's synthetic athlete, an empty pad, or a
    constant mass. The lab (``sim``) is wired in here, never inside the pins."""
    if setting == "demo":
        from nhc_scale.sim.demo import DemoAthlete

        return DemoAthlete(seed=seed)
    return ConstantForce(0.0 if setting == "zero" else float(setting))


def sampler_config(settings: Settings) -> tuple[SamplerConfig, str | None]:
    """The sampler's configuration, and a notice to show loudly if no real sensor is used."""
    backend, notice = resolve_backend(settings.pins)
    port = PortSpec(
        backend=backend,
        dout_pin=settings.dout_pin,
        sck_pin=settings.sck_pin,
        gpiochip=settings.gpiochip,
        emulated=EmulatedSpec(
            force=emulated_force(settings.emulated_force, settings.emulated_seed),
            seed=settings.emulated_seed,
            rate_sps=settings.rate_sps,
            control_path=str(settings.emulated_control) if settings.emulated_control else None,
            truth_path=str(settings.emulated_truth) if settings.emulated_truth else None,
        )
        if backend == "emulated"
        else None,
    )
    config = SamplerConfig(
        port=port,
        gain=settings.gain,
        rate_sps=settings.rate_sps,
        realtime_priority=settings.realtime_priority,
        cpu=settings.sampler_cpu,
    )
    return config, notice
