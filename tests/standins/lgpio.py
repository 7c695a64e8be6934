"""Stand-in for the lgpio Python module (0.2 API) wired to an EmulatedHX711.

gpiochips are numbered and labelled as the test says (the Pi 5's header chip is
"pinctrl-rp1"); claims, frees and handles are checked as lgpio checks them.
Tests call ``attach(chip, dout_pin, sck_pin, chips={number: label})`` first.
"""

from __future__ import annotations

from typing import Any

SET_ACTIVE_LOW = 4
SET_OPEN_DRAIN = 8
SET_OPEN_SOURCE = 16
SET_PULL_UP = 32
SET_PULL_DOWN = 64
SET_PULL_NONE = 128
SET_BIAS_PULL_UP = SET_PULL_UP
SET_BIAS_PULL_DOWN = SET_PULL_DOWN
SET_BIAS_DISABLE = SET_PULL_NONE


class error(Exception):
    pass


_chip: Any = None
_dout = -1
_sck = -1
_labels: dict[int, str] = {}
_handles: dict[int, int] = {}  # handle -> gpiochip number
_claims: dict[tuple[int, int], str] = {}  # (handle, gpio) -> "in" | "out"
_next_handle = 0
calls: list[tuple[str, tuple[Any, ...]]] = []


def attach(chip: Any, dout_pin: int, sck_pin: int, chips: dict[int, str] | None = None) -> None:
    global _chip, _dout, _sck, _next_handle
    _chip, _dout, _sck = chip, dout_pin, sck_pin
    _labels.clear()
    _labels.update(chips or {0: "pinctrl-rp1"})
    _handles.clear()
    _claims.clear()
    calls.clear()
    _next_handle = 0


def gpiochip_open(gpiochip: int) -> int:
    global _next_handle
    if gpiochip not in _labels:
        raise error("can not open gpiochip")
    handle = _next_handle
    _next_handle += 1
    _handles[handle] = gpiochip
    calls.append(("gpiochip_open", (gpiochip,)))
    return handle


def gpiochip_close(handle: int) -> int:
    _check(handle)
    del _handles[handle]
    for key in [key for key in _claims if key[0] == handle]:
        del _claims[key]
    calls.append(("gpiochip_close", (handle,)))
    return 0


def gpio_get_chip_info(handle: int) -> tuple[int, int, str, str]:
    _check(handle)
    number = _handles[handle]
    return 0, 54, f"gpiochip{number}", _labels[number]


def gpio_claim_output(handle: int, gpio: int, level: int = 0, lFlags: int = 0) -> int:
    _claim(handle, gpio, "out")
    calls.append(("gpio_claim_output", (handle, gpio, level, lFlags)))
    gpio_write(handle, gpio, level)
    return 0


def gpio_claim_input(handle: int, gpio: int, lFlags: int = 0) -> int:
    _claim(handle, gpio, "in")
    calls.append(("gpio_claim_input", (handle, gpio, lFlags)))
    return 0


def gpio_free(handle: int, gpio: int) -> int:
    _check(handle)
    if _claims.pop((handle, gpio), None) is None:
        raise error("GPIO not allocated")
    calls.append(("gpio_free", (handle, gpio)))
    return 0


def gpio_write(handle: int, gpio: int, level: int) -> int:
    if _claims.get((handle, gpio)) != "out":
        raise error("GPIO not set as an output")
    if _handles[handle] in _labels and gpio == _sck:
        _chip.set_sck(bool(level))
    return 0


def gpio_read(handle: int, gpio: int) -> int:
    if (handle, gpio) not in _claims:
        raise error("GPIO not allocated")
    if gpio == _dout:
        return _chip.dout()
    return 0


def _check(handle: int) -> None:
    if handle not in _handles:
        raise error("bad handle")


def _claim(handle: int, gpio: int, how: str) -> None:
    _check(handle)
    if any(key[1] == gpio and key[0] != handle for key in _claims):
        raise error("GPIO busy")
    _claims[(handle, gpio)] = how
