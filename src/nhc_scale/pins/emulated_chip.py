"""A pin-level HX711 emulator that follows the datasheet, with fault injection.

Datasheet behaviour it reproduces:
- conversions complete every 12.5 ms (80 S/s) or 100 ms (10 S/s); DOUT falls when one is ready;
- each PD_SCK rising edge shifts out one bit, MSB first, 24-bit two's complement; the 25th
  pulse raises DOUT; 25/26/27 pulses in a read select A/128, B/32, A/64 for what follows;
- PD_SCK high for more than 60 µs powers the chip down; PD_SCK low again resets it to A/128,
  and the first conversion comes after the settling time (50 ms at 80 S/s, 400 ms at 10 S/s);
  after a gain change the output settles over the same time;
- inputs beyond the range read 0x7FFFFF / 0x800000.

Faults: stalls while PD_SCK is high (the reader preempted mid-word), DOUT stuck high (unplugged)
or low, spikes and extra noise. The chip keeps the truth of every conversion it produced so
tests can prove that nothing corrupt got past the driver.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from nhc_scale.pins.loadcell import ConstantForce, ForceSource, LoadCell

PERIOD_NS = {80: 12_500_000, 10: 100_000_000}
SETTLE_NS = {80: 50_000_000, 10: 400_000_000}
POWER_DOWN_NS = 60_000
MAX_CODE = 0x7FFFFF
MIN_CODE = -0x800000
PULSES_TO_GAIN = {25: 128, 26: 32, 27: 64}


@dataclass(frozen=True)
class Faults:
    """Faults to inject. Windows are (start_s, end_s) on the chip's clock."""

    stall_rate_hz: float = 0.0  # stalls per second, each at the next PD_SCK rising edge
    stall_min_s: float = 100e-6
    stall_max_s: float = 5e-3
    dout_stuck_high: tuple[tuple[float, float], ...] = ()  # sensor unplugged
    dout_stuck_low: tuple[tuple[float, float], ...] = ()  # DOUT shorted / SCK wire broken
    spike_rate_hz: float = 0.0
    spike_kg: float = 40.0  # spikes are uniform in ±[spike_kg/4, spike_kg]
    extra_noise_kg: float = 0.0


@dataclass
class ConversionTruth:
    index: int
    t_ns: int  # when DOUT fell for it
    force_kg: float
    counts: int  # what the chip put in its output register
    gain: int
    settled: bool
    spike: bool
    started: bool = False  # a reader began shifting it out
    read: bool = False  # all 24 bits were shifted out to a reader


@dataclass
class ChipCounters:
    produced: int = 0
    read: int = 0  # all 24 bits shifted out
    overwritten: int = 0  # never read before the next one replaced it
    lost_mid_read: int = 0  # completed while a read was under way
    interrupted_reads: int = 0  # power-down in the middle of a word
    power_downs: int = 0
    stalls_injected: int = 0
    stray_clocks: int = 0  # PD_SCK pulses while no data was ready


@dataclass
class _Windows:
    windows: tuple[tuple[float, float], ...]

    def active(self, t_s: float) -> bool:
        return any(start <= t_s < end for start, end in self.windows)


class EmulatedHX711:
    """The chip's side of the two wires. Time comes from ``clock`` (ns, monotonic)."""

    def __init__(
        self,
        force: ForceSource | None = None,
        *,
        rate_sps: int = 80,
        load_cell: LoadCell | None = None,
        faults: Faults | None = None,
        seed: int = 0,
        rate_error_ppm: float = 0.0,
        clock: Callable[[], int] = time.monotonic_ns,
        sleep: Callable[[float], None] = time.sleep,
        truth_limit: int = 500_000,
    ) -> None:
        if rate_sps not in PERIOD_NS:
            raise ValueError("the HX711 runs at 10 or 80 samples/s")
        self.force = force if force is not None else ConstantForce(0.0)
        self.rate_sps = rate_sps
        self.load_cell = load_cell or LoadCell()
        self.faults = faults or Faults()
        self.counters = ChipCounters()
        self.truth: list[ConversionTruth] = []
        self._truth_limit = truth_limit
        self._period_ns = round(PERIOD_NS[rate_sps] * (1 + rate_error_ppm * 1e-6))
        self._settle_ns = SETTLE_NS[rate_sps]
        self._clock = clock
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._stuck_high = _Windows(self.faults.dout_stuck_high)
        self._stuck_low = _Windows(self.faults.dout_stuck_low)
        self._stuck_windows = bool(self.faults.dout_stuck_high or self.faults.dout_stuck_low)
        self._unplugged = False
        self.created_ns = clock()
        self._sck_high = False
        self._sck_rise_ns = 0
        self._index = 0
        self._next_stall_ns = self._schedule_stall(self.created_ns)
        self._power_up(self.created_ns)

    # ----- the pins -------------------------------------------------------------------------
    def set_sck(self, high: bool) -> None:
        now = self._clock()
        if high:
            if self._sck_high:
                return
            self._advance(now)
            self._sck_high = True
            self._sck_rise_ns = now
            self._rising_edge()
            if now >= self._next_stall_ns:
                # The reader is preempted right after raising the clock.
                self.counters.stalls_injected += 1
                self._sleep(self._rng.uniform(self.faults.stall_min_s, self.faults.stall_max_s))
                self._next_stall_ns = self._schedule_stall(self._clock())
        else:
            if not self._sck_high:
                return
            self._sck_high = False
            if now - self._sck_rise_ns > POWER_DOWN_NS:
                self._advance(self._sck_rise_ns + POWER_DOWN_NS)
                self._power_down()
                self._power_up(now)  # PD_SCK low again: reset, then settle
            self._advance(now)

    def set_unplugged(self, unplugged: bool) -> None:
        """Pull the sensor's plug (DOUT floats high) or put it back, at run time."""
        self._unplugged = unplugged

    def set_stall_rate(self, stalls_per_s: float) -> None:
        self.faults = replace(self.faults, stall_rate_hz=stalls_per_s)
        self._next_stall_ns = self._schedule_stall(self._clock())

    def dout(self) -> int:
        now = self._clock()
        if self._unplugged:
            return 1
        if self._stuck_windows:
            t_s = (now - self.created_ns) * 1e-9
            if self._stuck_high.active(t_s):
                return 1
            if self._stuck_low.active(t_s):
                return 0
        if self._sck_high and now - self._sck_rise_ns > POWER_DOWN_NS:
            return 1  # powered down
        self._advance(now)
        if self._pulses == 0:
            return 0 if self._ready else 1
        if self._pulses <= 24:
            return self._bit
        return 1

    # ----- truth ----------------------------------------------------------------------------
    def conversion_before(self, t_ns: int) -> ConversionTruth | None:
        """The last conversion that was ready at or before ``t_ns``."""
        position = bisect.bisect_right(self.truth, t_ns, key=lambda c: c.t_ns)
        return self.truth[position - 1] if position else None

    @property
    def gain(self) -> int:
        return self._gain

    # ----- internals ------------------------------------------------------------------------
    def _schedule_stall(self, now: int) -> int:
        if self.faults.stall_rate_hz <= 0:
            return 2**62
        return now + round(self._rng.expovariate(self.faults.stall_rate_hz) * 1e9)

    def _power_up(self, now: int) -> None:
        self._gain = 128  # datasheet: reset selects channel A, gain 128
        self._gain_changed_ns = now - self._settle_ns
        self._previous_gain = 128
        self._next_ready_ns = now + self._settle_ns
        self._ready = False
        self._pulses = 0
        self._word = 0
        self._latched: ConversionTruth | None = None
        self._bit = 1

    def _power_down(self) -> None:
        self.counters.power_downs += 1
        if 0 < self._pulses < 25:
            self.counters.interrupted_reads += 1

    def _rising_edge(self) -> None:
        pulses = self._pulses
        if pulses == 0:
            if not self._ready:
                self.counters.stray_clocks += 1
                return
            self._pulses = 1
            self._bit = (self._word >> 23) & 1
            if self._latched is not None:
                self._latched.started = True
        elif pulses < 24:
            self._pulses = pulses + 1
            self._bit = (self._word >> (23 - pulses)) & 1
        elif pulses == 24:
            self._pulses = 25  # the 25th pulse raises DOUT: the word has been read
            self._ready = False
            self.counters.read += 1
            if self._latched is not None:
                self._latched.read = True
        else:
            self._pulses = pulses + 1

    def _finish_read_cycle(self, now: int) -> None:
        if self._pulses >= 25:
            gain = PULSES_TO_GAIN.get(min(self._pulses, 27), 64)
            if gain != self._gain:
                self._previous_gain = self._gain
                self._gain = gain
                self._gain_changed_ns = now
            self._pulses = 0

    def _advance(self, now: int) -> None:
        while now >= self._next_ready_ns:
            t = self._next_ready_ns
            self._next_ready_ns += self._period_ns
            self._finish_read_cycle(t)
            conversion = self._convert(t)
            if 0 < self._pulses <= 24:
                self.counters.lost_mid_read += 1
                continue
            if self._ready:
                self.counters.overwritten += 1
            self._word = conversion.counts & 0xFFFFFF
            self._latched = conversion
            self._ready = True

    def _counts_for(self, kg: float, gain: int) -> float:
        cell = self.load_cell
        return cell.offset_counts * gain / 128 + kg * cell.counts_per_kg * gain / 128

    def _convert(self, t_ns: int) -> ConversionTruth:
        faults = self.faults
        kg = self.force.force_kg((t_ns - self.created_ns) * 1e-9)
        noise_kg = self._rng.gauss(0.0, self.load_cell.noise_kg)
        if faults.extra_noise_kg:
            noise_kg += self._rng.gauss(0.0, faults.extra_noise_kg)
        spike = faults.spike_rate_hz > 0 and self._rng.random() < faults.spike_rate_hz * (
            self._period_ns * 1e-9
        )
        if spike:
            noise_kg += self._rng.choice((-1, 1)) * self._rng.uniform(
                faults.spike_kg / 4, faults.spike_kg
            )
        value = self._counts_for(kg + noise_kg, self._gain)
        since_change = t_ns - self._gain_changed_ns
        settled = since_change >= self._settle_ns
        if not settled:
            # The output slides from what the old gain read to what the new one reads.
            old = self._counts_for(kg + noise_kg, self._previous_gain)
            value = old + (value - old) * max(0.0, since_change / self._settle_ns)
        counts = max(MIN_CODE, min(MAX_CODE, round(value)))
        truth = ConversionTruth(self._index, t_ns, kg, counts, self._gain, settled, spike)
        self._index += 1
        self.counters.produced += 1
        self.truth.append(truth)
        if len(self.truth) > self._truth_limit:
            del self.truth[: self._truth_limit // 2]  # bounded memory on endless demo runs
        return truth
