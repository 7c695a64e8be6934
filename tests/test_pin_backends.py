"""The RPi.GPIO and lgpio backends through stand-ins of those libraries, backend selection,
and the PyPI ``hx711`` package reading the emulated chip (proof that it speaks the protocol)."""

from __future__ import annotations

import contextlib
import gc
import glob
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import hx711 as pypi_hx711  # the PyPI package; imports RPi.GPIO, i.e. the stand-in
import lgpio
import pytest
import RPi.GPIO as GPIO
from fake_time import FakeTime

from nhc_scale.hx711 import HX711
from nhc_scale.pins import lgpio_pins
from nhc_scale.pins import select as select_module
from nhc_scale.pins.emulated_chip import EmulatedHX711
from nhc_scale.pins.lgpio_pins import LgpioPins, find_header_chip
from nhc_scale.pins.loadcell import ConstantForce, LoadCell
from nhc_scale.pins.port import PinsUnavailable
from nhc_scale.pins.rpigpio import RPiGPIOPins
from nhc_scale.pins.select import NO_SENSOR_NOTICE, PortSpec, open_port, resolve_backend

ROOT = Path(__file__).resolve().parent.parent
STANDINS = Path(__file__).resolve().parent / "standins"
DOUT, SCK = 5, 6
T = TypeVar("T")
assert "standins" in (GPIO.__file__ or "") and "standins" in (lgpio.__file__ or "")


def fake_chip(fake: FakeTime, kg: float) -> EmulatedHX711:
    return EmulatedHX711(ConstantForce(kg), clock=fake.monotonic_ns, sleep=fake.sleep, seed=5)


def read_and_check(chip: EmulatedHX711, driver: HX711, gain: int, wanted: int = 8) -> None:
    delivered = []
    for _ in range(40):
        conversion = driver.read(1.0)
        if conversion is not None:
            delivered.append(conversion)
            if len(delivered) == wanted:
                break
    assert len(delivered) == wanted
    for conversion in delivered:
        truth = chip.conversion_before(conversion.t_ns)
        assert truth is not None and truth.settled and truth.gain == gain
        assert conversion.counts == truth.counts
    assert driver.restarts == 0 and driver.rejected["timing"] == driver.rejected["desync"] == 0


# ----- RPi.GPIO ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("gain", "kg"), [(128, 12.5), (64, -30.0), (32, 7.0)])
def test_driver_reads_correct_values_through_rpigpio(
    fake_time: FakeTime, gain: int, kg: float
) -> None:
    chip = fake_chip(fake_time, kg)
    GPIO.attach(chip, DOUT, SCK)
    pins = RPiGPIOPins(DOUT, SCK)
    assert pins.backend == "rpigpio"
    driver = HX711(pins, gain=gain, clock=fake_time.monotonic_ns)
    read_and_check(chip, driver, gain)
    driver.close()


def test_rpigpio_sets_up_pins_as_the_real_library_expects(fake_time: FakeTime) -> None:
    chip = fake_chip(fake_time, 0.0)
    GPIO.attach(chip, DOUT, SCK)
    pins = RPiGPIOPins(DOUT, SCK)
    assert GPIO.getmode() == GPIO.BCM
    assert GPIO.calls == [
        ("setwarnings", (False,)),
        ("setmode", (GPIO.BCM,)),
        ("setup", (SCK, GPIO.OUT, GPIO.PUD_OFF, GPIO.LOW)),  # SCK starts low
        ("setup", (DOUT, GPIO.IN, GPIO.PUD_UP, -1)),  # DOUT pulled up: unplugged = not ready
    ]
    pins.set_sck(True)
    pins.close()
    assert GPIO.calls[-1] == ("cleanup", (SCK, DOUT))
    fake_time.sleep(1.0)
    assert chip.counters.power_downs == 0, "close() left SCK low"


# ----- lgpio ------------------------------------------------------------------------------------

PI5_CHIPS = {0: "gpio-brcmstb@107d508500", 4: "pinctrl-rp1", 10: "gpio-brcmstb@107d517c00"}


@pytest.mark.parametrize(("gain", "kg"), [(128, 12.5), (64, -30.0), (32, 7.0)])
def test_driver_reads_correct_values_through_lgpio(
    fake_time: FakeTime, gain: int, kg: float
) -> None:
    chip = fake_chip(fake_time, kg)
    lgpio.attach(chip, DOUT, SCK, chips={4: "pinctrl-rp1"})
    pins = LgpioPins(DOUT, SCK, chip=4)
    assert pins.backend == "lgpio"
    driver = HX711(pins, gain=gain, clock=fake_time.monotonic_ns)
    read_and_check(chip, driver, gain)
    driver.close()


def test_lgpio_claims_frees_and_closes_as_the_real_library_expects(
    fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    chip = fake_chip(fake_time, 0.0)
    lgpio.attach(chip, DOUT, SCK, chips=PI5_CHIPS)
    monkeypatch.setattr(lgpio_pins, "gpiochip_numbers", lambda: sorted(PI5_CHIPS))
    pins = open_port(PortSpec("lgpio", dout_pin=DOUT, sck_pin=SCK))  # gpiochip chosen by label
    assert pins.chip == 4
    handle = pins._handle
    claims = [call for call in lgpio.calls if call[0].startswith("gpio_claim")]
    assert claims == [
        ("gpio_claim_output", (handle, SCK, 0, 0)),  # SCK claimed low
        ("gpio_claim_input", (handle, DOUT, lgpio.SET_PULL_UP)),
    ]
    assert lgpio.calls[-3] == ("gpiochip_open", (4,))
    probes_closed = [call for call in lgpio.calls if call[0] == "gpiochip_close"]
    assert len(probes_closed) == 2, "every chip opened to read its label is closed again"
    pins.close()
    assert lgpio.calls[-3:] == [
        ("gpio_free", (handle, SCK)),
        ("gpio_free", (handle, DOUT)),
        ("gpiochip_close", (handle,)),
    ]
    assert not lgpio._handles and not lgpio._claims, "nothing left open"


def test_find_header_chip_picks_the_rp1_among_several() -> None:
    lgpio.attach(None, DOUT, SCK, chips={0: "gpio-brcmstb@107d508500", 4: "pinctrl-rp1"})
    assert find_header_chip(lgpio, [0, 4]) == 4
    assert find_header_chip(lgpio, [2, 3, 0, 4]) == 4, "chips that will not open are skipped"
    assert not lgpio._handles


def test_find_header_chip_names_what_it_saw_when_none_matches() -> None:
    lgpio.attach(None, DOUT, SCK, chips={0: "gpio-brcmstb@107d508500", 1: "gpio-mockup"})
    with pytest.raises(PinsUnavailable) as raised:
        find_header_chip(lgpio, [0, 1])
    assert "gpiochip0=gpio-brcmstb@107d508500" in str(raised.value)
    assert "gpiochip1=gpio-mockup" in str(raised.value)
    with pytest.raises(PinsUnavailable, match="none"):
        find_header_chip(lgpio, [])


def test_lgpio_busy_pins_raise_pins_unavailable_and_close_the_chip(fake_time: FakeTime) -> None:
    chip = fake_chip(fake_time, 0.0)
    lgpio.attach(chip, DOUT, SCK, chips={4: "pinctrl-rp1"})
    first = LgpioPins(DOUT, SCK, chip=4)
    with pytest.raises(PinsUnavailable, match="another program"):
        LgpioPins(DOUT, SCK, chip=4)
    assert list(lgpio._handles) == [first._handle]
    first.close()


# ----- choosing the backend ---------------------------------------------------------------------

ON_A_PI_OR_GPIO = bool(glob.glob("/dev/gpiochip*")) or select_module.is_raspberry_pi()


@pytest.mark.skipif(ON_A_PI_OR_GPIO, reason="this machine has GPIO: auto would pick it")
def test_auto_on_a_machine_without_gpio_is_the_emulated_sensor_loudly() -> None:
    backend, notice = resolve_backend("auto")
    assert backend == "emulated"
    assert notice == NO_SENSOR_NOTICE and "EMULATED" in notice


@pytest.mark.parametrize("name", ["lgpio", "rpigpio"])
def test_an_explicit_hardware_backend_passes_through_without_notice(name: str) -> None:
    assert resolve_backend(name) == (name, None)


def test_an_explicit_emulated_backend_still_says_its_readings_are_synthetic() -> None:
    backend, notice = resolve_backend("emulated")
    assert backend == "emulated" and notice is not None and "EMULATED" in notice


def test_auto_prefers_lgpio_when_gpiochips_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lgpio_pins, "gpiochip_numbers", lambda: [0, 4])
    assert resolve_backend("auto") == ("lgpio", None)  # the lgpio stand-in is importable


def test_auto_uses_rpigpio_on_a_pi_without_gpiochips(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    model.write_text("Raspberry Pi 4 Model B Rev 1.4\x00")
    monkeypatch.setattr(lgpio_pins, "gpiochip_numbers", lambda: [])
    monkeypatch.setattr(select_module, "DEVICE_TREE_MODEL", model)
    assert resolve_backend("auto") == ("rpigpio", None)


IMPORT_CHECK = """
import sys
import nhc_scale.pins.select, nhc_scale.hx711, nhc_scale.sampler
from nhc_scale.pins.select import PortSpec, open_port
open_port(PortSpec("emulated")).close()
print(sorted(m for m in sys.modules if m.split(".")[0] in ("RPi", "lgpio")))
"""


@pytest.mark.parametrize("standins_on_path", [False, True])
def test_the_core_modules_import_neither_gpio_library(standins_on_path: bool) -> None:
    """Without the stand-ins an unconditional import would fail; with them, any import shows."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if standins_on_path:
        env["PYTHONPATH"] = str(STANDINS)
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ----- the PyPI hx711 package on the emulated chip ------------------------------------------------


class SwitchableForce:
    """+kg until ``switch_s`` (chip time), -kg after: one slow-to-build reader sees both signs."""

    def __init__(self, kg: float) -> None:
        self.kg = kg
        self.switch_s = float("inf")

    def force_kg(self, t_s: float) -> float:
        return self.kg if t_s < self.switch_s else -self.kg


class PackageStuck(Exception):
    """Raised by the alarm when one call into the package has not returned in time."""


def _on_alarm(signum: int, frame: object) -> None:
    raise PackageStuck


@contextlib.contextmanager
def undisturbed() -> Iterator[None]:
    """What any Python bit-banger needs on a busy machine: no GC pause mid-word, real-time
    priority when the system grants it (the sampler process asks for the same), and here an
    alarm to break the package out of a read that can never end (see ``guarded``)."""
    collecting = gc.isenabled()
    gc.disable()
    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        realtime = True
    except (OSError, AttributeError):
        realtime = False
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if realtime:
            os.sched_setscheduler(0, policy, param)
        if collecting:
            gc.enable()


def guarded(call: Callable[[], T], limit_s: float = 5.0) -> T | None:
    """``call()``, or None if it has not returned within ``limit_s``.

    When the package abandons a word (a pulse took 60 µs or more) without the chip powering
    down, it leaves the chip mid-word; if the bit on DOUT is then a 1, the package waits for a
    "ready" that never comes, and inside ``get_raw_data`` (which it calls itself after a slow
    gain pulse) it waits forever. A real HX711 does the same; only a power cycle gets out.
    """
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        result = call()
        signal.setitimer(signal.ITIMER_REAL, 0)
    except PackageStuck:
        return None
    return result


def read_settled_words(
    reader: Any, chip: EmulatedHX711, wanted: int, gain: int, sign: int
) -> list[int]:
    """Call the package's ``_read()`` until it has returned ``wanted`` settled words at ``gain``
    and the force's ``sign``. Every value it returns must be the word the chip shifted out.

    The package's flaws are stepped around, not hidden: after a failed read (False, or stuck)
    it is left to its own devices no further: we power-cycle the chip with the package's own
    ``power_down``/``power_up``, as our driver does by itself. It has no settling logic, so
    after a power cycle it returns words at the reset gain and on the settling slide: those
    are checked against the chip like every other word, but not counted as settled.
    """
    settled: list[int] = []
    last_read = max((c.index for c in chip.truth if c.read), default=-1)
    # Whatever the constructor's reads left behind, start from a known state.
    reader.power_down()
    reader.power_up()
    deadline = time.monotonic() + 60.0  # a bound for a badly loaded machine, not a measure
    while len(settled) < wanted and time.monotonic() < deadline:
        value = guarded(reader._read)
        shifted_out = [c for c in chip.truth if c.read and c.index > last_read]
        if shifted_out:
            last_read = shifted_out[-1].index
        if value is None or value is False:
            reader.power_down()
            reader.power_up()
            continue
        word = shifted_out[0]  # (after a slow gain pulse the package reads on by itself)
        assert value == word.counts, (value, word)
        if word.settled and word.gain == gain and word.force_kg * sign > 0:
            settled.append(value)
    return settled


@pytest.mark.parametrize("gain", [128, 64])
def test_pypi_hx711_package_reads_the_emulated_chips_truth(gain: int) -> None:
    """Unmodified third-party code on the real clock: its values are the chip's conversions."""
    force = SwitchableForce(12.5)
    chip = EmulatedHX711(force, load_cell=LoadCell(noise_kg=0.0))
    GPIO.attach(chip, DOUT, SCK)
    with undisturbed():
        reader = None
        for _ in range(3):  # its constructor reads too, and can get stuck the same way
            reader = guarded(lambda: pypi_hx711.HX711(DOUT, SCK, gain=gain, channel="A"))
            if reader is not None:
                break
        assert reader is not None
        positive = read_settled_words(reader, chip, 4, gain, +1)
        force.switch_s = (time.monotonic_ns() - chip.created_ns) * 1e-9
        time.sleep(0.05)  # a few conversions under the new force
        negative = read_settled_words(reader, chip, 4, gain, -1)

    assert positive == [round(209_213 * gain / 128)] * 4
    assert negative == [round(-40_787 * gain / 128)] * 4
