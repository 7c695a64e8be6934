"""The appliance: the units that measure, record and report, wired together, and the pipeline
thread that runs the data through them.

The pipeline reads as the data flow: receive a block from the sampler -> convert it with the
calibration in force -> record it in the session -> publish it to the live stream. Requests
come in through the use cases (``sessions``, ``athletes``, ``tare``, ``calibrate``, ...), each of
which takes the pipeline's lock only for the moment it touches what the pipeline owns.

Who does what (each its own module):
  supervisor.py  the sampler process, restarted when it dies
  recent.py      the last seconds of raw readings
  calibrator.py  the calibration in force: tare, calibration, the first-start zero
  gaps.py        holes in the data, recorded as a session's gaps
  recorder.py    sessions: their detector, what they store, when they start and stop
  phone_clock.py a phone's clock while the Pi has none
  prefs.py       the user's preferences
  status.py      the status event and /api/health
  hub_sync.py    a team hub: the pairing, the sync worker, what the page says about it
  sessions.py, athletes.py  the use cases the API offers
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from nhc_scale import calibration as cal
from nhc_scale.appliance.athletes import Athletes
from nhc_scale.appliance.calibrator import Calibrator
from nhc_scale.appliance.gaps import GapTracker
from nhc_scale.appliance.hub_sync import HubSync
from nhc_scale.appliance.live import LiveHub
from nhc_scale.appliance.phone_clock import PhoneClock, check_plausible
from nhc_scale.appliance.prefs import Preferences
from nhc_scale.appliance.recent import RecentReadings
from nhc_scale.appliance.recorder import Chunk, Recorder, session_summary
from nhc_scale.appliance.sessions import Sessions
from nhc_scale.appliance.status import PipelineHealth, StatusReport
from nhc_scale.appliance.strength import rep_with_strength
from nhc_scale.appliance.supervisor import SamplerSupervisor
from nhc_scale.config import Settings
from nhc_scale.sampler import SampleBlock, SamplerConfig, SamplerDied
from nhc_scale.sampler.blocks import STATUS_NO_DATA
from nhc_scale.store import Store, StoreError
from nhc_scale.system import clock_synchronized

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 1.0  # at most one commit a second: SD cards wear with every write
STATUS_INTERVAL_S = 2.0


class Appliance:
    def __init__(self, settings: Settings, sampler_config: SamplerConfig, notice: str | None):
        self.settings = settings
        self.demo = sampler_config.port.backend == "emulated"
        self.hub = LiveHub()
        self.lock = threading.RLock()  # the pipeline's: recorder, calibration, recent readings
        self.store = Store.open(Path(settings.state_dir) / "nhc-scale.db")
        self.prefs = Preferences(self.store)
        self.clock = PhoneClock(synced=lambda: bool(clock_synchronized()))
        self.recent = RecentReadings()
        self.calibrator = Calibrator(settings.state_dir, settings.gain, self.recent)
        self.gaps = GapTracker(self.store)
        self.supervisor = SamplerSupervisor(sampler_config, on_died=self._sampler_died)
        self.recorder = Recorder(
            self.store,
            on_rep=self._publish_rep,
            auto_stop_s=lambda: self.prefs.current.auto_stop_min * 60.0,
            clock_synced=lambda: bool(clock_synchronized()),
            wall_clock=self.clock.wall_time,
        )
        self.pipeline = PipelineHealth()
        self.hub_sync = HubSync(self.store, Path(settings.state_dir), _settings_hub(settings))
        self.status = StatusReport(
            self.supervisor,
            self.calibrator,
            self.store,
            self.clock,
            self.recorder,
            self.pipeline,
            self.demo,
            notice,
            self.hub_sync,
        )
        self.sessions = Sessions(
            self.store, self.recorder, self.lock, self.clock, self._session_changed
        )
        self.athletes = Athletes(self.store, self.sessions, self.clock, self.recent_force)
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._store_ok = True

    # ----- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self.supervisor.start()
        self._running.set()
        self._thread = threading.Thread(target=self._pipeline, name="nhc-pipeline", daemon=True)
        self._thread.start()
        self.hub_sync.start()

    def stop(self) -> None:
        """Clean shutdown: the sampler stops, the session is closed, the store flushed."""
        self.hub_sync.stop()
        self._running.clear()
        if self._thread is not None:
            self._thread.join(5.0)
        self.supervisor.stop()
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
            self.pipeline.error = f"{type(error).__name__}: {error}"
            log.exception("the pipeline stopped (%s): no readings are processed", error)
            self.publish_status()

    def _pipeline_loop(self) -> None:
        last_flush = last_status = time.monotonic()
        while self._running.is_set():
            self.pipeline.beat()
            block = self.supervisor.receive()
            if block is not None:
                with self.lock:
                    self._on_block(block)
            now = time.monotonic()
            if now - last_flush >= FLUSH_INTERVAL_S:
                last_flush = now
                self._flush()
            if self._store_changed() or now - last_status >= STATUS_INTERVAL_S:
                last_status = now
                self.publish_status()

    def _on_block(self, block: SampleBlock) -> None:
        """receive -> convert -> record -> publish, for one block of samples."""
        session_before = self.recorder.session
        self._track(block)
        chunk = self._convert(block)
        self._record(chunk)
        self._publish_samples(block, chunk)
        if self.supervisor.status_changed or session_before is not self.recorder.session:
            self.publish_status()
        if session_before is not None and self.recorder.session is not session_before:
            self.hub_sync.session_finished()  # stopped by itself (auto-stop)

    def _track(self, block: SampleBlock) -> None:
        """Keep the raw readings (tare acts on them) and the holes in the data."""
        self.recent.add(block.t_ns, block.counts)
        if block.stats.status == STATUS_NO_DATA:
            self.gaps.open("sensor not answering")
        if len(block):
            self.gaps.samples_seen(block.t_ns[0], block.t_ns[-1], self.recorder.session)
        if not self.calibrator.tared and self.calibrator.first_tare():
            self.publish_status()

    def _convert(self, block: SampleBlock) -> Chunk:
        calibration = self.calibrator.calibration
        return Chunk(
            np.asarray(block.t_ns, dtype=np.int64),
            np.asarray(block.counts, dtype=np.int64),
            calibration.zero_counts,
            calibration.counts_per_kg,
        )

    def _record(self, chunk: Chunk) -> None:
        if not self.calibrator.tared:  # before any zero, "force" is the bridge's offset
            return
        try:
            self.recorder.feed(chunk)
        except StoreError as error:
            # A session could not be started or ended (the disk is full): health and the
            # status event say so; the live view must go on regardless. Logged once per change
            # of state (the pipeline logs the recovery), not once per block.
            if self._store_ok:
                log.error("store: %s", error)

    def _publish_samples(self, block: SampleBlock, chunk: Chunk) -> None:
        if not len(block):
            return
        kg = (chunk.counts - chunk.zero_counts) / chunk.counts_per_kg
        newest_ns = int(chunk.t_ns[-1])
        session = self.recorder.session
        self.hub.publish(
            "sample",
            {
                "t_ns": newest_ns,
                "time_unix": self.clock.wall_time() - (time.monotonic_ns() - newest_ns) * 1e-9,
                "force_kg": round(float(kg[-1]), 3),
                "samples": [
                    [int(t), round(float(k), 3)] for t, k in zip(chunk.t_ns, kg, strict=True)
                ],
                "state": self.recorder.state,
                "running_min_kg": self.recorder.running_min_kg,
                "session_id": None if session is None else session.id,
                "sensor_status": block.stats.status,
            },
        )

    def _sampler_died(self, error: SamplerDied) -> None:
        self.gaps.open("sampler restarted")
        self.publish_status()

    def _flush(self) -> None:
        try:
            self.store.flush()
        except StoreError as error:
            if self._store_ok:  # once when it starts failing, not every second
                log.error("store: %s", error)

    def _store_changed(self) -> bool:
        """The disk filled up, or has room again: True once, so it is said at once."""
        ok = self.store.status()["status"] == "ok"
        if ok == self._store_ok:
            return False
        self._store_ok = ok
        if ok:
            log.info("store: writing again")
        return True

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

    def publish_status(self) -> None:
        self.hub.publish("status", self.status.event())

    def _session_changed(self) -> None:
        """A request started, stopped or changed the running session."""
        self.publish_status()
        if self.recorder.session is None:  # one just ended, its outbox row committed
            self.hub_sync.session_finished()

    # ----- use cases that act on the sensor and the clock -----------------------------------
    def tare(self, anyway: bool = False) -> tuple[cal.Calibration, float | None]:
        """The new zero and the load it took away (see Calibrator.tare)."""
        with self.lock:
            result = self.calibrator.tare(anyway)
        self.publish_status()
        return result

    def calibrate(self, mass_kg: float) -> cal.Calibration:
        with self.lock:
            calibration = self.calibrator.calibrate(mass_kg)
        self.publish_status()
        return calibration

    def recent_force(self, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        with self.lock:
            return self.calibrator.recent_force(seconds)

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
            self.publish_status()
        return {**self.clock.status(), "corrected_sessions": corrected}

    def wall_time(self) -> float:
        return self.clock.wall_time()


def _settings_hub(settings: Settings) -> tuple[str, str] | None:
    if settings.hub_url is None or settings.hub_token is None:
        return None
    return settings.hub_url, settings.hub_token
