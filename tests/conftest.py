"""Shared test set-up: the stand-in RPi.GPIO and lgpio modules come first on sys.path."""

from __future__ import annotations

import subprocess
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


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for the test, to fill (needs root; skipped otherwise)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
