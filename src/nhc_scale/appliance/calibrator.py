"""The calibration in force: tare and known-mass calibration on the recent readings, the zero a
scale takes by itself when first switched on, and saving (atomically) what was changed.

The arithmetic and its sanity checks are nhc_scale/calibration.py; this unit owns *which*
calibration the appliance uses and when it changes.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from nhc_scale import calibration as cal
from nhc_scale.appliance.errors import SensorUnavailable
from nhc_scale.appliance.recent import RecentReadings
from nhc_scale.store import StoreError

log = logging.getLogger(__name__)

STEADY_WINDOW_S = 1.2  # tare and calibration average the newest steady ~second


class Calibrator:
    def __init__(self, state_dir: Path, gain: int, recent: RecentReadings) -> None:
        self._state_dir = Path(state_dir)
        self._recent = recent
        self.calibration = cal.load(self._state_dir, gain)

    @property
    def tared(self) -> bool:
        return self.calibration.tared

    def tare(self, anyway: bool = False) -> tuple[cal.Calibration, float | None]:
        """Zero on the newest steady second of the (empty) pad, and the load that was zeroed
        (None before the first tare); saved, or StoreError saying the zero is in use but not
        saved. A pad that reads more than ``cal.MAX_TARE_LOAD_KG`` is refused as not empty
        unless ``anyway`` (it is empty and its zero moved)."""
        t_ns, counts = self._recent.window(STEADY_WINDOW_S)
        before = self.calibration
        limit = None if anyway else cal.MAX_TARE_LOAD_KG
        self.calibration = cal.tare(before, counts, t_ns, max_load_kg=limit)
        self._save()
        return self.calibration, cal.zeroed_kg(before, self.calibration)

    def calibrate(self, mass_kg: float) -> cal.Calibration:
        t_ns, counts = self._recent.window(STEADY_WINDOW_S)
        self.calibration = cal.calibrate(self.calibration, counts, t_ns, mass_kg)
        self._save()
        return self.calibration

    def first_tare(self) -> bool:
        """A scale zeroes itself when first switched on: with no tare saved yet, the first
        steady second of readings becomes the zero (the page's Tare button redoes it). True
        once it zeroed."""
        try:
            t_ns, counts = self._recent.window(STEADY_WINDOW_S)
            if (t_ns[-1] - t_ns[0]) < 1.0e9:
                return False
            self.calibration = cal.tare(self.calibration, counts, t_ns)
        except (cal.CalibrationError, SensorUnavailable):
            return False
        try:
            cal.save(self.calibration, self._state_dir)
        except OSError as error:  # a full disk: the zero holds for this run all the same
            log.error("cannot save the first tare: %s", error)
        log.info("no tare was saved: zeroed on the first steady second of readings")
        return True

    def recent_force(self, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        """The newest ``seconds`` of readings, (t_s from the first, kg), in the calibration in
        force: for a relaxed reading taken while the person lies still on the pad."""
        t_ns, counts = self._recent.window(seconds)
        c = self.calibration
        t_s = (np.asarray(t_ns, dtype=np.int64) - t_ns[0]) * 1e-9
        kg = (np.asarray(counts, dtype=np.float64) - c.zero_counts) / c.counts_per_kg
        return t_s, kg

    def status(self) -> dict[str, object]:
        c = self.calibration
        return {
            "tared": c.tared,
            "calibrated": c.calibrated,
            "counts_per_kg": c.counts_per_kg,
            "zero_counts": c.zero_counts,
        }

    def _save(self) -> None:
        try:
            cal.save(self.calibration, self._state_dir)
        except OSError as error:
            raise StoreError(
                f"The calibration is in use but could not be saved ({error.strerror}); it will "
                "be lost at the next restart unless saved again once the disk has room."
            ) from error
