"""Choose and open the pins backend from the settings ("auto" looks at the machine)."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

from nhc_scale.pins.emulated import EmulatedSpec
from nhc_scale.pins.port import TwoPinPort

log = logging.getLogger(__name__)

DEVICE_TREE_MODEL = Path("/proc/device-tree/model")
NO_SENSOR_NOTICE = (
    "NO HX711 IS WIRED (no GPIO backend found): running on the EMULATED sensor. "
    "Readings are synthetic. Set pins = 'lgpio' or 'rpigpio' to insist on real hardware."
)

EMULATED_NOTICE = "pins = 'emulated': running on the EMULATED sensor. Readings are synthetic."


@dataclass(frozen=True)
class PortSpec:
    """What the sampler process needs to open its port (picklable, no live objects)."""

    backend: str  # lgpio | rpigpio | emulated (never auto: resolved before)
    dout_pin: int = 5
    sck_pin: int = 6
    gpiochip: int | None = None
    emulated: EmulatedSpec | None = None


def is_raspberry_pi() -> bool:
    try:
        return "Raspberry Pi" in DEVICE_TREE_MODEL.read_text(errors="replace")
    except OSError:
        return False


def resolve_backend(requested: str) -> tuple[str, str | None]:
    """The backend to use, and a notice to show loudly when it is not what a user expects."""
    if requested == "emulated":
        return requested, EMULATED_NOTICE
    if requested != "auto":
        return requested, None
    from nhc_scale.pins.lgpio_pins import gpiochip_numbers

    if gpiochip_numbers() and importlib.util.find_spec("lgpio") is not None:
        return "lgpio", None
    if is_raspberry_pi() and importlib.util.find_spec("RPi") is not None:
        return "rpigpio", None
    return "emulated", NO_SENSOR_NOTICE


def open_port(spec: PortSpec) -> TwoPinPort:
    """Open the backend; only its own library is imported."""
    if spec.backend == "emulated":
        from nhc_scale.pins.emulated import EmulatedPins

        emulated = spec.emulated or EmulatedSpec()
        return EmulatedPins(
            emulated.build_chip(),
            truth_path=emulated.truth_path,
            control_path=emulated.control_path,
        )
    if spec.backend == "lgpio":
        from nhc_scale.pins.lgpio_pins import LgpioPins

        return LgpioPins(spec.dout_pin, spec.sck_pin, spec.gpiochip)
    if spec.backend == "rpigpio":
        from nhc_scale.pins.rpigpio import RPiGPIOPins

        return RPiGPIOPins(spec.dout_pin, spec.sck_pin)
    raise ValueError(f"unknown pins backend {spec.backend!r}")
