"""The emulated HX711 at the pin level, driven by hand on a fake clock (no real time at all)."""

from __future__ import annotations

import pytest

from nhc_scale.pins.emulated_chip import (
    MAX_CODE,
    MIN_CODE,
    PERIOD_NS,
    SETTLE_NS,
    EmulatedHX711,
    Faults,
)
from nhc_scale.pins.loadcell import ConstantForce, LoadCell

START_NS = 5_000_000_000
PHASE_NS = 1_000  # each SCK high or low phase of a hand-driven read: 1 µs, well under 60 µs
QUIET = LoadCell(noise_kg=0.0)  # offset 84_213 counts, 10_000 counts/kg at gain 128


class FakeClock:
    """Monotonic ns that only moves when told to; ``sleep`` moves it (and is recorded)."""

    def __init__(self, start_ns: int = START_NS) -> None:
        self.now = start_ns
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += round(seconds * 1e9)

    def advance(self, ns: int) -> None:
        self.now += ns


def make_chip(
    clock: FakeClock, kg: float = 0.0, load_cell: LoadCell = QUIET, **kwargs: object
) -> EmulatedHX711:
    return EmulatedHX711(
        ConstantForce(kg), load_cell=load_cell, clock=clock, sleep=clock.sleep, **kwargs
    )


def clock_out(chip: EmulatedHX711, clock: FakeClock, pulses: int = 25) -> tuple[list[int], int]:
    """Bit-bang one read as a driver would: the 24 data bits, then DOUT after the last pulse."""
    bits = []
    for pulse in range(pulses):
        chip.set_sck(True)
        clock.advance(PHASE_NS)
        chip.set_sck(False)
        clock.advance(PHASE_NS)
        if pulse < 24:
            bits.append(chip.dout())
    return bits, chip.dout()


def signed(bits: list[int]) -> int:
    raw = 0
    for bit in bits:
        raw = (raw << 1) | bit
    return raw - 0x1000000 if raw & 0x800000 else raw


def first_ready_ns(chip: EmulatedHX711) -> int:
    return chip.created_ns + SETTLE_NS[chip.rate_sps]


@pytest.mark.parametrize("rate", [80, 10])
def test_dout_falls_exactly_when_each_conversion_is_ready(rate: int) -> None:
    clock = FakeClock()
    chip = make_chip(clock, 12.5, rate_sps=rate)
    period = PERIOD_NS[rate]
    first = first_ready_ns(chip)
    for k in range(5):
        ready = first + k * period
        clock.now = ready - 1
        assert chip.dout() == 1, f"conversion {k} must not be ready 1 ns early"
        clock.now = ready
        assert chip.dout() == 0, f"conversion {k} must be ready on time"
        assert chip.truth[-1].index == k
        assert chip.truth[-1].t_ns == ready
        bits, after = clock_out(chip, clock)
        assert signed(bits) == chip.truth[-1].counts == 209_213
        assert after == 1, "the 25th pulse raises DOUT until the next conversion"
        assert chip.dout() == 1
    assert chip.counters.produced == chip.counters.read == 5
    assert chip.counters.overwritten == chip.counters.lost_mid_read == 0


@pytest.mark.parametrize(
    ("kg", "expected"),
    [(12.5, 84_213 + 125_000), (-30.0, 84_213 - 300_000), (0.0, 84_213)],
)
def test_word_is_msb_first_24_bit_twos_complement(kg: float, expected: int) -> None:
    clock = FakeClock()
    chip = make_chip(clock, kg)
    clock.now = first_ready_ns(chip)
    bits, _ = clock_out(chip, clock)
    raw = expected & 0xFFFFFF
    assert bits == [(raw >> (23 - i)) & 1 for i in range(24)]
    assert bits[0] == (1 if expected < 0 else 0), "the first bit out is the sign"
    assert signed(bits) == expected == chip.truth[-1].counts


def test_the_25th_pulse_raises_dout_after_a_word_ending_in_zero() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 0.0, load_cell=LoadCell(offset_counts=84_212, noise_kg=0.0))
    clock.now = first_ready_ns(chip)
    bits, _ = clock_out(chip, clock, pulses=24)
    assert signed(bits) == 84_212
    assert chip.dout() == 0, "after 24 pulses DOUT still holds the LSB (0)"
    chip.set_sck(True)
    chip.set_sck(False)
    assert chip.dout() == 1
    assert chip.counters.read == 1


@pytest.mark.parametrize(("pulses", "gain"), [(25, 128), (26, 32), (27, 64)])
def test_pulses_after_the_word_select_the_gain_of_the_next_conversion(
    pulses: int, gain: int
) -> None:
    clock = FakeClock()
    cell = LoadCell(offset_counts=80_000, noise_kg=0.0)
    chip = make_chip(clock, 12.0, load_cell=cell)  # 200_000 counts at gain 128
    period = PERIOD_NS[80]
    first = first_ready_ns(chip)
    clock.now = first
    bits, _ = clock_out(chip, clock, pulses)
    assert signed(bits) == 200_000
    assert chip.truth[-1].gain == 128, "the word being read was converted at the old gain"
    for k in range(1, 8):
        clock.now = first + k * period
        assert chip.dout() == 0
        truth = chip.truth[-1]
        assert truth.gain == gain
        bits, _ = clock_out(chip, clock, pulses)
        assert signed(bits) == truth.counts
    assert chip.gain == gain
    assert chip.truth[-1].settled
    assert chip.truth[-1].counts == 200_000 * gain // 128
    if gain != 128:
        assert not chip.truth[1].settled, "right after a gain change the output is settling"
        # The unsettled words slide from the old gain's reading to the new one's.
        sliding = [c.counts for c in chip.truth[1:] if not c.settled]
        assert sliding and all(200_000 * gain // 128 <= c <= 200_000 for c in sliding)


@pytest.mark.parametrize("rate", [80, 10])
def test_sck_high_over_60us_powers_down_and_low_resets_to_gain_128(rate: int) -> None:
    clock = FakeClock()
    chip = make_chip(clock, 12.5, rate_sps=rate)
    first = first_ready_ns(chip)
    clock.now = first
    clock_out(chip, clock, pulses=27)  # select A/64
    clock.now = first + PERIOD_NS[rate]
    chip.dout()
    assert chip.gain == 64

    chip.set_sck(True)
    clock.advance(61_000)
    assert chip.dout() == 1, "a powered-down chip holds DOUT high"
    chip.set_sck(False)
    powered_up = clock.now
    assert chip.counters.power_downs == 1
    assert chip.gain == 128, "power-up resets to channel A, gain 128"

    clock.now = powered_up + SETTLE_NS[rate] - 1
    assert chip.dout() == 1, "nothing before the settling time has passed"
    clock.now = powered_up + SETTLE_NS[rate]
    assert chip.dout() == 0
    truth = chip.truth[-1]
    assert (truth.t_ns, truth.gain, truth.settled) == (powered_up + SETTLE_NS[rate], 128, True)
    bits, _ = clock_out(chip, clock)
    assert signed(bits) == 209_213


def test_sck_high_just_under_60us_does_not_power_down() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 12.5)
    clock.now = first_ready_ns(chip)
    bits = []
    for pulse in range(25):
        chip.set_sck(True)
        clock.advance(59_000 if pulse == 10 else PHASE_NS)
        chip.set_sck(False)
        clock.advance(PHASE_NS)
        if pulse < 24:
            bits.append(chip.dout())
    assert chip.counters.power_downs == 0
    assert signed(bits) == 209_213


@pytest.mark.parametrize(
    ("kg", "code", "raw"), [(1e6, MAX_CODE, 0x7FFFFF), (-1e6, MIN_CODE, 0x800000)]
)
def test_inputs_beyond_range_read_the_saturation_codes(kg: float, code: int, raw: int) -> None:
    clock = FakeClock()
    chip = make_chip(clock, kg)
    clock.now = first_ready_ns(chip)
    bits, _ = clock_out(chip, clock)
    assert signed(bits) == code == chip.truth[-1].counts
    assert signed(bits) & 0xFFFFFF == raw


def test_unread_conversions_are_counted_overwritten_and_the_latest_is_read() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 5.0, load_cell=LoadCell(), seed=7)  # noisy: every word differs
    clock.now = first_ready_ns(chip) + 4 * PERIOD_NS[80]
    assert chip.dout() == 0
    assert chip.counters.produced == 5
    assert chip.counters.overwritten == 4
    bits, _ = clock_out(chip, clock)
    assert chip.truth[-1].counts != chip.truth[-2].counts
    assert signed(bits) == chip.truth[-1].counts


def test_a_conversion_completing_mid_read_is_lost_and_the_word_stays_intact() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 5.0, load_cell=LoadCell(), seed=3)
    period = PERIOD_NS[80]
    first = first_ready_ns(chip)
    clock.now = first
    bits, _ = clock_out(chip, clock, pulses=10)
    clock.now = first + period + 1_000  # SCK low all along: slow, but no power-down
    rest, after = clock_out(chip, clock, pulses=15)
    assert chip.counters.produced == 2
    assert chip.counters.lost_mid_read == 1
    assert chip.counters.power_downs == 0
    assert chip.truth[0].counts != chip.truth[1].counts
    assert signed(bits + rest[:14]) == chip.truth[0].counts
    assert after == 1 and chip.dout() == 1, "the lost conversion is not left pending"
    clock.now = first + 2 * period
    assert chip.dout() == 0
    bits, _ = clock_out(chip, clock)
    assert signed(bits) == chip.truth[2].counts


def test_dout_stuck_high_window_reads_one_and_data_returns_after_it() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 12.5, faults=Faults(dout_stuck_high=((0.1, 0.2),)))
    clock.now = chip.created_ns + 90_000_000
    assert chip.dout() == 0
    clock.now = chip.created_ns + 150_000_000
    assert chip.dout() == 1
    bits, after = clock_out(chip, clock)
    assert bits == [1] * 24 and after == 1
    clock.now = chip.created_ns + 200_000_000  # the window's end is also a conversion time
    assert chip.dout() == 0
    assert chip.truth[-1].t_ns == clock.now
    bits, _ = clock_out(chip, clock)
    assert signed(bits) == chip.truth[-1].counts == 209_213


def test_dout_stuck_low_window_reads_zero_even_when_nothing_is_ready() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 12.5, faults=Faults(dout_stuck_low=((0.0, 0.04),)))
    clock.now = chip.created_ns + 10_000_000  # before the first conversion
    assert chip.dout() == 0
    bits, after = clock_out(chip, clock)
    assert bits == [0] * 24 and after == 0
    clock.now = chip.created_ns + 45_000_000
    assert chip.dout() == 1


def test_a_stall_sleeps_while_sck_is_high_and_powers_the_chip_down() -> None:
    clock = FakeClock()
    faults = Faults(stall_rate_hz=1_000.0, stall_min_s=1e-3, stall_max_s=2e-3)
    chip = make_chip(clock, 12.5, faults=faults)
    clock.now = first_ready_ns(chip)
    assert chip.dout() == 0
    before = clock.now
    chip.set_sck(True)  # the reader is "preempted" right after this edge
    assert chip.counters.stalls_injected == 1
    assert len(clock.sleeps) == 1 and 1e-3 <= clock.sleeps[0] <= 2e-3
    assert clock.now - before == round(clock.sleeps[0] * 1e9)
    assert chip.dout() == 1, "SCK has been high for over 60 µs: powered down"
    chip.set_sck(False)
    assert chip.counters.power_downs == 1
    assert chip.counters.interrupted_reads == 1
    powered_up = clock.now
    clock.now = powered_up + SETTLE_NS[80]
    assert chip.dout() == 0
    assert chip.truth[-1].t_ns == powered_up + SETTLE_NS[80]


def test_conversion_before_finds_the_last_conversion_ready_at_a_time() -> None:
    clock = FakeClock()
    chip = make_chip(clock, 1.0)
    first = first_ready_ns(chip)
    clock.now = first + 3 * PERIOD_NS[80]
    chip.dout()
    assert chip.conversion_before(first - 1) is None
    assert chip.conversion_before(first).index == 0
    assert chip.conversion_before(first + PERIOD_NS[80] - 1).index == 0
    assert chip.conversion_before(first + PERIOD_NS[80]).index == 1
    assert chip.conversion_before(clock.now + 10**9).index == 3
