"""The HX711 protocol: read one conversion and return it only if it is certainly good.

Klipper's rule is the model: nothing corrupt ever reaches the user. Every PD_SCK high pulse is
timed, because more than 60 µs powers the chip down mid-word and the rest of the word is junk;
DOUT must be high after the last pulse, or the two sides disagree on where the word ended;
saturation codes are not forces. Any violation discards the word, is counted by cause, and
leaves the chip power-cycled so the next word starts from a known state.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from nhc_scale.pins.port import TwoPinPort

GAIN_PULSES = {128: 25, 32: 26, 64: 27}  # 24 data bits + 1/2/3 pulses selecting the next input
SETTLE_S = {80: 0.050, 10: 0.400}  # datasheet settling time after reset or gain change
SATURATED = (0x7FFFFF, -0x800000)
# Discard a word if any high pulse may have exceeded this. The chip's limit is 60 µs; the
# margin covers the time between our clock reads and the pin edges.
MAX_HIGH_NS = 50_000
POWER_DOWN_HOLD_S = 200e-6  # comfortably beyond the 60 µs that powers the chip down

REJECT_TIMING = "timing"
REJECT_DESYNC = "desync"
REJECT_SATURATED = "saturated"
REJECT_SETTLING = "settling"
REJECT_CAUSES = (REJECT_TIMING, REJECT_DESYNC, REJECT_SATURATED, REJECT_SETTLING)


@dataclass(frozen=True)
class Conversion:
    counts: int
    t_ns: int  # monotonic time at which DOUT was seen low: when the conversion became ready


class HX711:
    """One HX711 on a two-pin port. Not thread-safe: one reader, in one process."""

    def __init__(
        self,
        port: TwoPinPort,
        gain: int = 128,
        rate_sps: int = 80,
        clock: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        if gain not in GAIN_PULSES:
            raise ValueError("gain must be 128 or 64 (channel A) or 32 (channel B)")
        self.port = port
        self.gain = gain
        self.rate_sps = rate_sps
        self._clock = clock
        self._extra_pulses = GAIN_PULSES[gain] - 24
        self.rejected: Counter[str] = Counter({cause: 0 for cause in REJECT_CAUSES})
        self.restarts = 0
        self.timing_violations = 0
        self.last_rejection: str | None = None
        self._discard_until_ns = 0
        self.restart()  # start from a known state: whatever ran before may have left it mid-word
        self.restarts = 0

    def restart(self) -> None:
        """Power-cycle the chip: it comes back on A/128 and settles before its first word."""
        self.restarts += 1
        self.port.set_sck(True)
        time.sleep(POWER_DOWN_HOLD_S)
        self.port.set_sck(False)
        now = self._clock()
        # The chip restarts on A/128: our first read sets our gain, and the words converted
        # before that setting settled are not ours to deliver.
        settle_ns = int(SETTLE_S[self.rate_sps] * 1e9)
        extra = settle_ns + int(1e9 / self.rate_sps) if self.gain != 128 else 0
        self._discard_until_ns = now + settle_ns + extra

    def read(self, timeout_s: float) -> Conversion | None:
        """Wait up to ``timeout_s`` for a conversion; None if none came or it was rejected."""
        self.last_rejection = None
        if not self.port.wait_dout_low(timeout_s):
            return None
        t_ready = self._clock()
        raw, longest_high_ns, dout_after = self._shift_word()
        if longest_high_ns > MAX_HIGH_NS:
            self.timing_violations += 1
            # If the chip did power down, PD_SCK going low already reset it to A/128 and it
            # holds DOUT high until it has settled: at gain 128 that is the state we want, and
            # if it did not power down, all 25 pulses left it in step. Other gains need our
            # own power cycle to know which input the next word comes from.
            self._reject(REJECT_TIMING, restart=self.gain != 128)
            return None
        if dout_after != 1:
            self._reject(REJECT_DESYNC)
            return None
        counts = raw - 0x1000000 if raw & 0x800000 else raw
        if counts in SATURATED:
            self._reject(REJECT_SATURATED, restart=False)
            return None
        if t_ready < self._discard_until_ns:
            self.rejected[REJECT_SETTLING] += 1
            self.last_rejection = REJECT_SETTLING
            return None
        return Conversion(counts, t_ready)

    def close(self) -> None:
        self.port.close()

    def _shift_word(self) -> tuple[int, int, int]:
        """Clock out 24 bits plus the gain pulses, timing every high phase."""
        set_sck = self.port.set_sck
        read_dout = self.port.read_dout
        clock = self._clock
        raw = 0
        longest = 0
        for pulse in range(24 + self._extra_pulses):
            start = clock()
            set_sck(True)
            set_sck(False)
            elapsed = clock() - start
            if elapsed > longest:
                longest = elapsed
            if pulse < 24:
                # Read after the falling edge: the bit stays valid until the next rising
                # edge, and the high phase stays as short as the pins allow.
                raw = (raw << 1) | read_dout()
        return raw, longest, read_dout()

    def _reject(self, cause: str, restart: bool = True) -> None:
        self.rejected[cause] += 1
        self.last_rejection = cause
        if restart:
            self.restart()
        return None
