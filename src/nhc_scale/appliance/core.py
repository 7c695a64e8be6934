"""The appliance: a supervised sampler process, calibration, sessions and the live stream.

One pipeline thread receives the sampler's blocks, converts them with the current calibration,
records them and publishes them. Requests (tare, sessions) take the same lock for their short
critical sections. The sampler is restarted if it dies, and the hole is recorded in the session.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nhc_scale import __version__
from nhc_scale import calibration as cal
from nhc_scale.appliance.athletes import rep_with_strength
from nhc_scale.appliance.live import LiveHub
from nhc_scale.appliance.phone_clock import PhoneClock, check_plausible
from nhc_scale.appliance.recorder import Chunk, Recorder, SessionConflict, session_summary
from nhc_scale.appliance.views import session_view_by_id
from nhc_scale.config import Settings
from nhc_scale.sampler import SampleBlock, Sampler, SamplerConfig, SamplerDied, SamplerStats
from nhc_scale.sampler.blocks import STATUS_ERROR, STATUS_NO_DATA, STATUS_OK, STATUS_STARTING
from nhc_scale.store import SessionRecord, Store, StoreError
from nhc_scale.system import clock_synchronized

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 1.0  # at most one commit a second: SD cards wear with every write
STATUS_INTERVAL_S = 2.0
RECENT_S = 4.0  # raw counts kept for tare, calibration and a relaxed reading (2 s steady)
SAMPLER_RESTART_S = 1.0
DEFAULT_PREFS: dict[str, Any] = {
    "units": "kg",
    "body_mass_kg": None,
    "sound": True,
    "vibrate": True,
    "auto_stop_min": 10.0,
}

__all__ = ["Appliance", "SensorUnavailable", "SessionConflict"]


class SensorUnavailable(Exception):
    """No recent readings to act on (503)."""


@dataclass
class _Recent:
    """The last few seconds of raw readings, for tare and calibration without waiting."""

    t_ns: deque[int]
    counts: deque[int]

    def add(self, t_ns: tuple[int, ...], counts: tuple[int, ...]) -> None:
        self.t_ns.extend(t_ns)
        self.counts.extend(counts)
        while self.t_ns and self.t_ns[-1] - self.t_ns[0] > RECENT_S * 1e9:
            self.t_ns.popleft()
            self.counts.popleft()

    def window(self, seconds: float) -> tuple[list[int], list[int]]:
        if not self.t_ns or time.monotonic_ns() - self.t_ns[-1] > 0.5e9:
            raise SensorUnavailable("the sensor has sent no readings in the last half second")
        newest = self.t_ns[-1]
        pairs = [
            (t, c)
            for t, c in zip(self.t_ns, self.counts, strict=True)
            if newest - t <= seconds * 1e9
        ]
        return [t for t, _ in pairs], [c for _, c in pairs]


class Appliance:
    def __init__(self, settings: Settings, sampler_config: SamplerConfig, notice: str | None):
        self.settings = settings
        self.sampler_config = sampler_config
        self.notice = notice
        self.demo = sampler_config.port.backend == "emulated"
        self.hub = LiveHub()
        self.calibration = cal.load(settings.state_dir, settings.gain)
        self.store = Store.open(Path(settings.state_dir) / "nhc-scale.db")
        self.prefs = {**DEFAULT_PREFS, **self.store.get_prefs()}
        self.clock = PhoneClock(synced=lambda: bool(clock_synchronized()))
        self.recorder = Recorder(
            self.store,
            on_rep=self._publish_rep,
            auto_stop_s=lambda: float(self.prefs["auto_stop_min"]) * 60.0,
            clock_synced=lambda: bool(clock_synchronized()),
            wall_clock=self.clock.wall_time,
        )
        self.stats = SamplerStats(
            backend=sampler_config.port.backend, configured_sps=sampler_config.rate_sps
        )
        self.lock = threading.RLock()
        self._recent = _Recent(deque(), deque())
        self._sampler: Sampler | None = None
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self.heartbeat = time.monotonic()
        self.sampler_restarts = 0
        self._last_sample_ns: int | None = None
        # An open hole in the data (start_ns, reason): recorded as a gap of the session when
        # samples flow again, from the last sample before it to the first after it.
        self._hole: tuple[int, str] | None = None
        self._store_ok = True
        self.pipeline_error: str | None = None  # why the pipeline thread stopped, if it did

    def wall_time(self) -> float:
        return self.clock.wall_time()

    def set_phone_time(self, phone_unix: float) -> dict[str, Any]:
        """A phone's clock corrects ours while the Pi has no network time: the offset applies
        to new sessions and moves each of this run's sessions stamped with the wrong time."""
        check_plausible(phone_unix)
        corrected: list[int] = []
        with self.lock:
            correction = self.clock.correct(phone_unix)
            if correction.change_s is not None:
                for session_id in sorted(self.recorder.unsynced_sessions):
                    self.store.shift_session_times(session_id, correction.change_s)
                    corrected.append(session_id)
        if corrected or not correction.synced:
            self.hub.publish("status", self.status_event())
        return {**self.clock.status(), "corrected_sessions": corrected}

    def clock_status(self) -> dict[str, Any]:
        return self.clock.status()

    # ----- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._sampler = Sampler(self.sampler_config)
        self._sampler.start()
        self._running.set()
        self._thread = threading.Thread(target=self._pipeline, name="nhc-pipeline", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Clean shutdown: the sampler stops, the session is closed, the store flushed."""
        self._running.clear()
        if self._thread is not None:
            self._thread.join(5.0)
        if self._sampler is not None:
            self._sampler.stop()
        with self.lock:
            if self.recorder.session is not None:
                self.recorder.stop()
            self.store.close()

    # ----- the pipeline thread --------------------------------------------------------------
    def _pipeline(self) -> None:
        """Runs for the life of the appliance; if it ever fails, health turns to error (so
        systemd's watchdog restarts the service) and the log says why, once."""
        try:
            self._pipeline_loop()
        except Exception as error:
            self.pipeline_error = f"{type(error).__name__}: {error}"
            log.exception("the pipeline stopped (%s): no readings are processed", error)
            self.hub.publish("status", self.status_event())

    def _pipeline_loop(self) -> None:
        last_flush = last_status = time.monotonic()
        while self._running.is_set():
            self.heartbeat = time.monotonic()
            block = self._receive()
            with self.lock:
                if block is not None:
                    self._process(block)
                now = time.monotonic()
                if now - last_flush >= FLUSH_INTERVAL_S:
                    last_flush = now
                    self._flush()
            store_ok = self.store.status()["status"] == "ok"
            if store_ok != self._store_ok:  # the disk filled up, or has room again: say so now
                self._store_ok = store_ok
                if store_ok:
                    log.info("store: writing again")
                last_status = 0.0
            if now - last_status >= STATUS_INTERVAL_S:
                last_status = now
                self.hub.publish("status", self.status_event())

    def _receive(self) -> SampleBlock | None:
        assert self._sampler is not None
        try:
            return self._sampler.receive(timeout_s=0.25)
        except SamplerDied as error:
            self._restart_sampler(error)
            return None

    def _restart_sampler(self, error: SamplerDied) -> None:
        """The sampler died: start a new one, and mark the hole in the session."""
        log.error("sampler died (%s); restarting it", error)
        died_ns = time.monotonic_ns()
        assert self._sampler is not None
        self._sampler.stop()
        self.stats = replace(
            self.stats, status=STATUS_STARTING, message=f"sampler restarting after: {error}"
        )
        if self._hole is None:
            self._hole = (self._last_sample_ns or died_ns, "sampler restarted")
        self.hub.publish("status", self.status_event())
        time.sleep(SAMPLER_RESTART_S if error.exitcode == 3 else 0.1)
        self.sampler_restarts += 1
        self._sampler = Sampler(self.sampler_config)
        self._sampler.start()

    def _process(self, block: SampleBlock) -> None:
        previous = self.stats
        self.stats = block.stats
        changed = (previous.status, previous.message) != (block.stats.status, block.stats.message)
        session_before = self.recorder.session
        t_ns = np.asarray(block.t_ns, dtype=np.int64)
        counts = np.asarray(block.counts, dtype=np.int64)
        self._recent.add(block.t_ns, block.counts)
        if block.stats.status == STATUS_NO_DATA and self._hole is None:
            self._hole = (self._last_sample_ns or time.monotonic_ns(), "sensor not answering")
        if len(block):
            self._close_hole(int(t_ns[0]))
            self._last_sample_ns = int(t_ns[-1])
        if not self.calibration.tared:
            self._try_first_tare()
        calibration = self.calibration
        if calibration.tared:  # before any zero, "force" is the bridge's offset: meaningless
            try:
                self.recorder.feed(
                    Chunk(t_ns, counts, calibration.zero_counts, calibration.counts_per_kg)
                )
            except StoreError as error:
                # A session could not be started or ended (the disk is full): health and the
                # status event say so; the live view must go on regardless. Logged once per
                # change of state (the pipeline logs the recovery), not once per block.
                if self._store_ok:
                    log.error("store: %s", error)
        if len(block):
            kg = (counts - calibration.zero_counts) / calibration.counts_per_kg
            session = self.recorder.session
            self.hub.publish(
                "sample",
                {
                    "t_ns": int(t_ns[-1]),
                    "time_unix": self.wall_time() - (time.monotonic_ns() - int(t_ns[-1])) * 1e-9,
                    "force_kg": round(float(kg[-1]), 3),
                    "samples": [
                        [int(t), round(float(k), 3)] for t, k in zip(t_ns, kg, strict=True)
                    ],
                    "state": self.recorder.state,
                    "running_min_kg": self.recorder.running_min_kg,
                    "session_id": None if session is None else session.id,
                    "sensor_status": block.stats.status,
                },
            )
        if changed or session_before is not self.recorder.session:
            self.hub.publish("status", self.status_event())

    def _close_hole(self, first_ns: int) -> None:
        """Samples flow again: the session keeps a gap where there were none, never a seam."""
        if self._hole is None:
            return
        start_ns, reason = self._hole
        self._hole = None
        session = self.recorder.session
        if session is not None and first_ns > start_ns:
            log.warning("no samples for %.2f s (%s)", (first_ns - start_ns) * 1e-9, reason)
            self.store.add_gap(session.id, max(start_ns, session.start_ns), first_ns, reason)

    def _try_first_tare(self) -> None:
        """A scale zeroes itself when first switched on: with no tare saved yet, the first
        steady second of readings becomes the zero (the page's Tare button redoes it)."""
        try:
            t_ns, counts = self._recent.window(1.2)
            if (t_ns[-1] - t_ns[0]) < 1.0e9:
                return
            self.calibration = cal.tare(self.calibration, counts, t_ns)
        except (cal.CalibrationError, SensorUnavailable):
            return
        try:
            cal.save(self.calibration, self.settings.state_dir)
        except OSError as error:  # a full disk: the zero holds for this run all the same
            log.error("cannot save the first tare: %s", error)
        log.info("no tare was saved: zeroed on the first steady second of readings")
        self.hub.publish("status", self.status_event())

    def _flush(self) -> None:
        try:
            self.store.flush()
        except StoreError as error:
            if self._store_ok:  # once when it starts failing, not every second
                log.error("store: %s", error)

    def _publish_rep(self, session_id: int, rep: dict[str, Any], saved: bool) -> None:
        self.hub.publish(
            "rep",
            {
                "session_id": session_id,
                "rep": rep_with_strength(self.store, session_id, rep),
                "summary": session_summary(self.store.reps(session_id)),
                "saved": saved,
            },
        )

    # ----- requests -------------------------------------------------------------------------
    def start_session(self, name: str | None) -> SessionRecord:
        with self.lock:
            return self.recorder.start(name, time.monotonic_ns())

    def stop_session(self, session_id: int) -> SessionRecord | None:
        with self.lock:
            session = self.recorder.session
            if session is None or session.id != session_id:
                raise SessionConflict(f"session {session_id} is not running")
            try:
                return self.recorder.stop()
            except StoreError as error:
                # The session did stop (a stop cannot be refused); only its saving waits.
                raise StoreError(
                    f"Session {session_id} stopped, but its end and last reps are not saved "
                    f"yet: {error}"
                ) from error

    def delete_session(self, session_id: int) -> None:
        with self.lock:
            session = self.recorder.session
            if session is not None and session.id == session_id:
                raise SessionConflict("the session is running; stop it first")
            self.store.delete_session(session_id)
            self.recorder.unsynced_sessions.discard(session_id)

    def recent_force(self, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        """The newest ``seconds`` of readings, (t_s from the first, kg), in the calibration
        in force: for a relaxed reading taken while the person lies still on the pad."""
        with self.lock:
            t_ns, counts = self._recent.window(seconds)
            calibration = self.calibration
        t_s = (np.asarray(t_ns, dtype=np.int64) - t_ns[0]) * 1e-9
        kg = (np.asarray(counts, dtype=np.float64) - calibration.zero_counts) / (
            calibration.counts_per_kg
        )
        return t_s, kg

    def tare(self) -> cal.Calibration:
        with self.lock:
            t_ns, counts = self._recent.window(1.2)
            self.calibration = cal.tare(self.calibration, counts, t_ns)
            self._save_calibration()
        self.hub.publish("status", self.status_event())
        return self.calibration

    def calibrate(self, mass_kg: float) -> cal.Calibration:
        with self.lock:
            t_ns, counts = self._recent.window(1.2)
            self.calibration = cal.calibrate(self.calibration, counts, t_ns, mass_kg)
            self._save_calibration()
        self.hub.publish("status", self.status_event())
        return self.calibration

    def _save_calibration(self) -> None:
        try:
            cal.save(self.calibration, self.settings.state_dir)
        except OSError as error:
            raise StoreError(
                f"The calibration is in use but could not be saved ({error.strerror}); it will "
                "be lost at the next restart unless saved again once the disk has room."
            ) from error

    def set_prefs(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Saved first, then used: a refused write (a full disk) changes nothing."""
        with self.lock:
            merged = {**self.prefs, **changes}
            self.store.set_prefs(merged)
            self.prefs = merged
            return dict(self.prefs)

    # ----- status ---------------------------------------------------------------------------
    def sensor_status(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "backend": stats.backend,
            "emulated": self.demo,
            "status": stats.status,
            "message": stats.message or (self.notice or ""),
            "configured_sps": stats.configured_sps,
            "measured_sps": stats.measured_sps,
            "samples": stats.samples,
            "missed_conversions": stats.missed_conversions,
            "rejected_reads": stats.rejected_reads,
            "rejected": dict(stats.rejected),
            "restarts": stats.restarts,
            "sampler_restarts": self.sampler_restarts,
            "realtime": stats.realtime,
        }

    def calibration_status(self) -> dict[str, Any]:
        c = self.calibration
        return {
            "tared": c.tared,
            "calibrated": c.calibrated,
            "counts_per_kg": c.counts_per_kg,
            "zero_counts": c.zero_counts,
        }

    def status_event(self) -> dict[str, Any]:
        session = self.recorder.session
        store = self.store.status()
        return {
            "sensor": self.sensor_status(),
            "session": None
            if session is None
            else session_view_by_id(self.store, session.id, self.wall_time()),
            "calibration": {
                "tared": self.calibration.tared,
                "calibrated": self.calibration.calibrated,
            },
            "demo": self.demo,
            "clock": self.clock_status(),
            "store": {key: store[key] for key in ("status", "message", "full", "buffered_samples")},
            "t_ns": time.monotonic_ns(),
        }

    def health(self) -> dict[str, Any]:
        sensor = self.sensor_status()
        store = self.store.status()
        stale = time.monotonic() - self.heartbeat > 5.0
        failed = self.pipeline_error is not None or stale
        if sensor["status"] == STATUS_ERROR or store["status"] != "ok" or failed:
            overall = "error"
        elif sensor["status"] != STATUS_OK:
            overall = "degraded"
        else:
            overall = "ok"
        return {
            "status": overall,
            "version": __version__,
            "demo": self.demo,
            "sensor": sensor,
            "store": store,
            "calibration": self.calibration_status(),
            "clock": self.clock_status(),
            "pipeline": {
                "status": "error" if failed else "ok",
                "message": self.pipeline_error
                or ("the pipeline has not run for over 5 s" if stale else ""),
            },
        }
