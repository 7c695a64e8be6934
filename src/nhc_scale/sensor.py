"""From settings to a running sampler: the one place that wires config to acquisition."""

from __future__ import annotations

from nhc_scale.config import Settings
from nhc_scale.pins.emulated import EmulatedSpec
from nhc_scale.pins.select import PortSpec, resolve_backend
from nhc_scale.sampler import SamplerConfig


def sampler_config(settings: Settings) -> tuple[SamplerConfig, str | None]:
    """The sampler's configuration, and a notice to show loudly if no real sensor is used."""
    backend, notice = resolve_backend(settings.pins)
    force: str | float = settings.emulated_force
    if force not in ("demo", "zero"):
        force = float(force)
    port = PortSpec(
        backend=backend,
        dout_pin=settings.dout_pin,
        sck_pin=settings.sck_pin,
        gpiochip=settings.gpiochip,
        emulated=EmulatedSpec(
            force=force,
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
