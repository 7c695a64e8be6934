"""The HX711 driver on EmulatedPins: exact values, rejection by cause, restarts, nothing corrupt.

Most tests run on a fake clock shared by the chip, the driver and the port's polling, so they
are exact and take no real time; one test reads through the real clock as the appliance does.
"""

from __future__ import annotations

import time

import pytest
from fake_time import FakeTime

from nhc_scale.hx711 import HX711, Conversion
from nhc_scale.pins.emulated import EmulatedPins
from nhc_scale.pins.emulated_chip import EmulatedHX711, Faults
from nhc_scale.pins.loadcell import ConstantForce, LoadCell


def make(
    fake: FakeTime,
    kg: float = 12.5,
    *,
    gain: int = 128,
    rate: int = 80,
    faults: Faults | None = None,
    load_cell: LoadCell | None = None,
    seed: int = 11,
) -> tuple[EmulatedHX711, HX711]:
    chip = EmulatedHX711(
        ConstantForce(kg),
        rate_sps=rate,
        load_cell=load_cell or LoadCell(),
        faults=faults,
        seed=seed,
        clock=fake.monotonic_ns,
        sleep=fake.sleep,
    )
    driver = HX711(EmulatedPins(chip), gain=gain, rate_sps=rate, clock=fake.monotonic_ns)
    return chip, driver


def read_many(
    driver: HX711, wanted: int, attempts: int, timeout_s: float = 1.0
) -> list[Conversion]:
    delivered = []
    for _ in range(attempts):
        conversion = driver.read(timeout_s)
        if conversion is not None:
            delivered.append(conversion)
            if len(delivered) == wanted:
                break
    return delivered


def assert_all_true(chip: EmulatedHX711, delivered: list[Conversion], gain: int) -> None:
    """Every delivered value is exactly the chip's settled conversion at that time and gain."""
    for conversion in delivered:
        truth = chip.conversion_before(conversion.t_ns)
        assert truth is not None
        assert conversion.counts == truth.counts, (conversion, truth)
        assert truth.gain == gain and truth.settled, truth


@pytest.mark.parametrize("rate", [80, 10])
@pytest.mark.parametrize("kg", [12.5, -30.0])
@pytest.mark.parametrize("gain", [128, 64, 32])
def test_every_gain_and_sign_reads_the_exact_counts_of_the_chip(
    fake_time: FakeTime, gain: int, kg: float, rate: int
) -> None:
    chip, driver = make(fake_time, kg, gain=gain, rate=rate)
    delivered = read_many(driver, wanted=10, attempts=40)
    assert len(delivered) == 10
    assert_all_true(chip, delivered, gain)
    expected = (84_213 + kg * 10_000) * gain / 128
    for conversion in delivered:
        assert abs(conversion.counts - expected) < 6 * 120 * gain / 128  # 6 sigma of 12 g noise
    indices = [chip.conversion_before(c.t_ns).index for c in delivered]
    assert indices == list(range(indices[0], indices[0] + 10)), "read promptly, none is missed"
    assert driver.rejected["timing"] == driver.rejected["desync"] == 0
    assert driver.rejected["saturated"] == 0
    assert driver.restarts == 0


@pytest.mark.parametrize("kg", [1e6, -1e6])
def test_saturated_words_are_rejected_as_saturated_without_restart(
    fake_time: FakeTime, kg: float
) -> None:
    chip, driver = make(fake_time, kg)
    for _ in range(6):
        assert driver.read(1.0) is None
        assert driver.last_rejection == "saturated"
    assert driver.rejected["saturated"] == 6
    assert driver.restarts == 0
    assert chip.counters.power_downs == 1, "only the power-cycle when the driver was created"
    assert chip.counters.read == 6


@pytest.mark.parametrize("gain", [128, 64])
def test_stalls_are_rejected_as_timing_and_nothing_corrupt_gets_through(
    fake_time: FakeTime, gain: int
) -> None:
    chip, driver = make(fake_time, 20.0, gain=gain, faults=Faults(stall_rate_hz=10.0))
    delivered = read_many(driver, wanted=10_000, attempts=400, timeout_s=0.5)
    assert chip.counters.stalls_injected >= 20
    assert driver.rejected["timing"] >= 20
    assert driver.timing_violations == driver.rejected["timing"]
    # A stall powered the chip down, which reset it to A/128: at gain 128 that is already the
    # state wanted, other gains need the driver's own power cycle to know the next word's gain.
    restarted_for_timing = driver.rejected["timing"] if gain != 128 else 0
    assert driver.restarts == restarted_for_timing + driver.rejected["desync"]
    assert chip.counters.interrupted_reads >= 1, "some stalls really did cut a word short"
    assert len(delivered) >= 100
    assert_all_true(chip, delivered, gain)


def test_dout_stuck_low_is_rejected_as_desync_and_nothing_is_delivered(
    fake_time: FakeTime,
) -> None:
    chip, driver = make(fake_time, faults=Faults(dout_stuck_low=((0.0, 1_000.0),)))
    for _ in range(20):
        assert driver.read(0.5) is None
        assert driver.last_rejection == "desync"
    assert driver.rejected["desync"] == 20
    assert driver.restarts == 20
    assert chip.counters.power_downs == 21, "each desync power-cycled the chip"
    assert driver.rejected["timing"] == 0


def test_disconnected_sensor_times_out_then_reads_correctly_after_reconnection(
    fake_time: FakeTime,
) -> None:
    chip, driver = make(fake_time, 12.5, faults=Faults(dout_stuck_high=((0.5, 1.0),)))
    window_start = chip.created_ns + 500_000_000
    window_end = chip.created_ns + 1_000_000_000
    before, during, after = [], 0, []
    while fake_time.now < window_end + 300_000_000:
        started = fake_time.now
        conversion = driver.read(0.1)
        if conversion is None:
            assert driver.last_rejection is None, "a silent chip is a timeout, not a rejection"
            assert window_start <= fake_time.now and started < window_end
            during += 1
        elif conversion.t_ns < window_start:
            before.append(conversion)
        else:
            assert conversion.t_ns >= window_end
            after.append(conversion)
    assert during >= 4
    assert len(before) >= 30 and len(after) >= 20
    assert_all_true(chip, before + after, 128)
    assert driver.restarts == 0


@pytest.mark.parametrize("gain", [64, 32])
def test_after_a_restart_words_settling_into_the_gain_are_discarded(
    fake_time: FakeTime, gain: int
) -> None:
    chip, driver = make(fake_time, 12.5, gain=gain)
    assert_all_true(chip, read_many(driver, wanted=5, attempts=20), gain)
    settling_before = driver.rejected["settling"]
    restarted_ns = fake_time.now
    driver.restart()
    delivered = read_many(driver, wanted=10, attempts=30)
    assert driver.rejected["settling"] - settling_before >= 1
    assert len(delivered) == 10
    assert_all_true(chip, delivered, gain)
    # Nothing usable was thrown away: the first word delivered is the first settled one.
    first_good = next(
        c for c in chip.truth if c.t_ns > restarted_ns and c.gain == gain and c.settled
    )
    assert chip.conversion_before(delivered[0].t_ns) == first_good
    # ... and what was discarded really was unusable (the wrong gain or still settling).
    skipped = [c for c in chip.truth if restarted_ns < c.t_ns < first_good.t_ns]
    assert skipped and all(c.gain != gain or not c.settled for c in skipped)


def test_reads_on_the_real_clock_match_the_chip() -> None:
    chip = EmulatedHX711(ConstantForce(12.5), load_cell=LoadCell(noise_kg=0.0))
    driver = HX711(EmulatedPins(chip))
    delivered: list[Conversion] = []
    deadline = time.monotonic() + 10.0  # a generous bound, never reached on a sane machine
    while len(delivered) < 8 and time.monotonic() < deadline:
        conversion = driver.read(0.1)
        if conversion is not None:
            delivered.append(conversion)
    assert len(delivered) == 8
    for conversion in delivered:
        truth = chip.conversion_before(conversion.t_ns)
        assert truth is not None and conversion.counts == truth.counts == 209_213
    driver.close()
