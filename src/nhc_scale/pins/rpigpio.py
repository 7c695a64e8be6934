"""RPi.GPIO backend: Raspberry Pi 1-4 (RPi.GPIO cannot drive the Pi 5's RP1 chip)."""

from __future__ import annotations

from nhc_scale.pins.port import PinsUnavailable, poll_until_low


class RPiGPIOPins:
    backend = "rpigpio"

    def __init__(self, dout_pin: int, sck_pin: int) -> None:
        try:
            import RPi.GPIO as GPIO
        except (ImportError, RuntimeError) as error:
            raise PinsUnavailable(
                f"RPi.GPIO cannot be used here ({error}); on a Pi 1-4 install the 'pi' extra, "
                "on a Pi 5 use pins = 'lgpio'"
            ) from error
        self._gpio = GPIO
        self._dout = dout_pin
        self._sck = sck_pin
        GPIO.setwarnings(False)
        GPIO.setmode(GPIO.BCM)
        # SCK starts low: high for more than 60 µs would power the HX711 down.
        GPIO.setup(sck_pin, GPIO.OUT, initial=GPIO.LOW)
        # Pull-up: an unplugged DOUT then reads "not ready", never a stream of zero words.
        GPIO.setup(dout_pin, GPIO.IN, pull_up_down=GPIO.PUD_UP)
        self._output = GPIO.output
        self._input = GPIO.input

    def set_sck(self, high: bool) -> None:
        self._output(self._sck, high)

    def read_dout(self) -> int:
        return 1 if self._input(self._dout) else 0

    def wait_dout_low(self, timeout_s: float) -> bool:
        return poll_until_low(self, timeout_s)

    def close(self) -> None:
        self._output(self._sck, False)
        self._gpio.cleanup([self._sck, self._dout])
