"""Shared test set-up: the stand-in RPi.GPIO and lgpio modules come first on sys.path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

STANDINS = Path(__file__).parent / "standins"
if str(STANDINS) not in sys.path:
    sys.path.insert(0, str(STANDINS))

from fake_time import FakeTime  # noqa: E402 - tests/ is on the path once pytest runs conftest


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTime]:
    """Runs the driver, the port's polling and the acquisition loop on a clock the test owns."""
    from nhc_scale import hx711
    from nhc_scale.pins import port
    from nhc_scale.sampler import loop

    fake = FakeTime()
    for module in (hx711, port, loop):
        monkeypatch.setattr(module, "time", fake)
    yield fake
