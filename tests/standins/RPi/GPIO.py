"""Stand-in for RPi.GPIO (0.7.x API) that wires two BCM pins to an EmulatedHX711.

Only what a two-wire bit-banger uses, with the real module's checks (mode set before setup,
output only on pins set up as outputs), so code that runs here runs on a Pi 1-4 the same way.
Tests call ``attach(chip, dout_pin, sck_pin)`` first.
"""

from __future__ import annotations

from typing import Any

VERSION = "0.7.1-standin"
RPI_INFO = {"P1_REVISION": 3, "TYPE": "Pi 4 Model B (emulated)"}
BOARD = 10
BCM = 11
OUT = 0
IN = 1
LOW = 0
HIGH = 1
PUD_OFF = 20
PUD_DOWN = 21
PUD_UP = 22
RISING = 31
FALLING = 32
BOTH = 33

_chip: Any = None
_dout = -1
_sck = -1
_mode: int | None = None
_functions: dict[int, int] = {}
_pulls: dict[int, int] = {}
calls: list[tuple[str, tuple[Any, ...]]] = []  # setup/cleanup history, for tests


def attach(chip: Any, dout_pin: int, sck_pin: int) -> None:
    global _chip, _dout, _sck, _mode
    _chip, _dout, _sck, _mode = chip, dout_pin, sck_pin, None
    _functions.clear()
    _pulls.clear()
    calls.clear()


def setwarnings(flag: bool) -> None:
    calls.append(("setwarnings", (flag,)))


def setmode(mode: int) -> None:
    global _mode
    if mode not in (BOARD, BCM):
        raise ValueError("An invalid mode was passed to setmode()")
    if _mode is not None and _mode != mode:
        raise ValueError("A different mode has already been set!")
    _mode = mode
    calls.append(("setmode", (mode,)))


def getmode() -> int | None:
    return _mode


def _channels(channel: int | list[int] | tuple[int, ...]) -> list[int]:
    return list(channel) if isinstance(channel, list | tuple) else [channel]


def setup(channel: Any, direction: int, pull_up_down: int = PUD_OFF, initial: int = -1) -> None:
    if _mode is None:
        raise RuntimeError(
            "Please set pin numbering mode using GPIO.setmode(GPIO.BOARD) or GPIO.setmode(GPIO.BCM)"
        )
    if _mode != BCM:
        raise RuntimeError("this stand-in emulates BCM numbering only")
    for pin in _channels(channel):
        if direction == OUT and pull_up_down != PUD_OFF:
            raise ValueError("pull_up_down parameter is not valid for outputs")
        _functions[pin] = direction
        _pulls[pin] = pull_up_down
        calls.append(("setup", (pin, direction, pull_up_down, initial)))
        if direction == OUT and initial != -1:
            output(pin, initial)


def output(channel: Any, value: Any) -> None:
    pins = _channels(channel)
    values = list(value) if isinstance(value, list | tuple) else [value] * len(pins)
    for pin, level in zip(pins, values, strict=True):
        if _functions.get(pin) != OUT:
            raise RuntimeError("The GPIO channel has not been set up as an OUTPUT")
        if pin == _sck:
            _chip.set_sck(bool(level))


def input(channel: int) -> int:
    if channel not in _functions:
        raise RuntimeError("You must setup() the GPIO channel first")
    if channel == _dout:
        return _chip.dout()
    return HIGH if _pulls.get(channel) == PUD_UP else LOW


def cleanup(channel: Any = None) -> None:
    pins = list(_functions) if channel is None else _channels(channel)
    for pin in pins:
        _functions.pop(pin, None)
        _pulls.pop(pin, None)
    calls.append(("cleanup", tuple(pins)))
