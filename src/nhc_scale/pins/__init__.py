"""The two pins the HX711 needs, behind one small port with interchangeable backends.

Backends: ``lgpio`` (Raspberry Pi 5 and any /dev/gpiochip), ``rpigpio`` (Raspberry Pi 1-4) and
``emulated`` (a pin-level HX711 emulator, first-class: it is how the appliance runs with no
sensor wired). Only the chosen backend's module is imported, so nothing Pi-only is needed
elsewhere.
"""

from nhc_scale.pins.port import PinsUnavailable, TwoPinPort

__all__ = ["PinsUnavailable", "TwoPinPort"]
