"""Shared test set-up: the stand-in RPi.GPIO and lgpio modules come first on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

STANDINS = Path(__file__).parent / "standins"
if str(STANDINS) not in sys.path:
    sys.path.insert(0, str(STANDINS))
