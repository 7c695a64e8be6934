"""lgpio backend: Raspberry Pi 5 (RP1) and any Linux /dev/gpiochip, Pi 1-4 included."""

from __future__ import annotations

import glob
import re
from typing import Any

from nhc_scale.pins.port import PinsUnavailable, poll_until_low

# Labels of the gpiochips that carry the 40-pin header: RP1 on the Pi 5, the SoC's own
# controller on earlier models. The chip number moved between kernels (gpiochip4 -> gpiochip0
# on the Pi 5), so the label, not the number, identifies it.
HEADER_CHIP_LABELS = ("pinctrl-rp1", "pinctrl-bcm2712", "pinctrl-bcm2711", "pinctrl-bcm2835")


def _import_lgpio() -> Any:
    try:
        import lgpio
    except ImportError as error:
        raise PinsUnavailable(
            "lgpio is not installed; install the 'pi' extra (pip install 'nhc-scale[pi]')"
        ) from error
    return lgpio


def gpiochip_numbers() -> list[int]:
    numbers = []
    for path in glob.glob("/dev/gpiochip*"):
        match = re.fullmatch(r"/dev/gpiochip(\d+)", path)
        if match:
            numbers.append(int(match.group(1)))
    return sorted(numbers)


def find_header_chip(lgpio: Any, candidates: list[int]) -> int:
    """The gpiochip whose label is a Raspberry Pi header controller."""
    seen = []
    for number in candidates:
        try:
            handle = lgpio.gpiochip_open(number)
        except lgpio.error:
            continue
        try:
            _status, _lines, _name, label = lgpio.gpio_get_chip_info(handle)
        finally:
            lgpio.gpiochip_close(handle)
        seen.append(f"gpiochip{number}={label}")
        if label in HEADER_CHIP_LABELS:
            return number
    raise PinsUnavailable(
        "no gpiochip carries the Raspberry Pi header (found: "
        + (", ".join(seen) or "none")
        + "); set gpiochip explicitly"
    )


class LgpioPins:
    backend = "lgpio"

    def __init__(self, dout_pin: int, sck_pin: int, chip: int | None = None) -> None:
        lgpio = _import_lgpio()
        self._lgpio = lgpio
        self.chip = chip if chip is not None else find_header_chip(lgpio, gpiochip_numbers())
        try:
            self._handle = lgpio.gpiochip_open(self.chip)
        except lgpio.error as error:
            raise PinsUnavailable(
                f"cannot open /dev/gpiochip{self.chip}: {error} (is the user in group gpio?)"
            ) from error
        try:
            # SCK starts low: high for more than 60 µs would power the HX711 down.
            lgpio.gpio_claim_output(self._handle, sck_pin, 0)
            # Pull-up: an unplugged DOUT then reads "not ready", never a stream of zero words.
            lgpio.gpio_claim_input(self._handle, dout_pin, lgpio.SET_PULL_UP)
        except lgpio.error as error:
            lgpio.gpiochip_close(self._handle)
            raise PinsUnavailable(
                f"cannot claim GPIO {sck_pin}/{dout_pin} on gpiochip{self.chip}: {error} "
                "(another program may be using them)"
            ) from error
        self._dout = dout_pin
        self._sck = sck_pin
        self._write = lgpio.gpio_write
        self._read = lgpio.gpio_read

    def set_sck(self, high: bool) -> None:
        self._write(self._handle, self._sck, 1 if high else 0)

    def read_dout(self) -> int:
        return self._read(self._handle, self._dout)

    def wait_dout_low(self, timeout_s: float) -> bool:
        return poll_until_low(self, timeout_s)

    def close(self) -> None:
        self._write(self._handle, self._sck, 0)
        self._lgpio.gpio_free(self._handle, self._sck)
        self._lgpio.gpio_free(self._handle, self._dout)
        self._lgpio.gpiochip_close(self._handle)
