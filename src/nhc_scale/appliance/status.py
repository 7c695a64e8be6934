"""What the appliance says about itself: the live stream's status event and /api/health.

Read from the units that own each part (the sampler's supervisor, the calibrator, the store, the
clock, the recorder, the pipeline's heartbeat); nothing here changes anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from nhc_scale import __version__
from nhc_scale.appliance.calibrator import Calibrator
from nhc_scale.appliance.hub_sync import HubSync
from nhc_scale.appliance.phone_clock import PhoneClock
from nhc_scale.appliance.recorder import Recorder
from nhc_scale.appliance.supervisor import SamplerSupervisor
from nhc_scale.appliance.views import Session
from nhc_scale.sampler.blocks import STATUS_ERROR, STATUS_OK
from nhc_scale.store import Store

STALE_S = 5.0  # a pipeline that has not gone round for this long is stuck


@dataclass
class PipelineHealth:
    heartbeat: float = field(default_factory=time.monotonic)
    error: str | None = None  # why the pipeline thread stopped, if it did

    def beat(self) -> None:
        self.heartbeat = time.monotonic()

    def report(self) -> dict[str, str]:
        if self.error is not None:
            return {"status": "error", "message": self.error}
        if time.monotonic() - self.heartbeat > STALE_S:
            return {"status": "error", "message": f"the pipeline has not run for {STALE_S:g} s"}
        return {"status": "ok", "message": ""}


@dataclass
class StatusReport:
    supervisor: SamplerSupervisor
    calibrator: Calibrator
    store: Store
    clock: PhoneClock
    recorder: Recorder
    pipeline: PipelineHealth
    demo: bool
    notice: str | None
    hub_sync: HubSync

    def sensor(self) -> dict[str, Any]:
        stats = self.supervisor.stats
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
            "sampler_restarts": self.supervisor.restarts,
            "realtime": stats.realtime,
        }

    def event(self) -> dict[str, Any]:
        """The live stream's status event: what a phone shows around the force."""
        session = self.recorder.session
        record = None if session is None else self.store.get_session(session.id)
        store = self.store.status()
        calibration = self.calibrator.calibration
        return {
            "sensor": self.sensor(),
            "session": None
            if record is None
            else Session.of(record, self.clock.wall_time()).model_dump(),
            "calibration": {"tared": calibration.tared, "calibrated": calibration.calibrated},
            "demo": self.demo,
            "clock": self.clock.status(),
            "store": {key: store[key] for key in ("status", "message", "full", "buffered_samples")},
            "hub": self.hub_sync.summary(),
            # a phone reloads its athletes when this changes: another phone or the team hub
            # added, changed or picked one
            "roster_revision": self.store.roster_revision,
            "t_ns": time.monotonic_ns(),
        }

    def health(self) -> dict[str, Any]:
        sensor = self.sensor()
        store = self.store.status()
        pipeline = self.pipeline.report()
        if sensor["status"] == STATUS_ERROR or "error" in (store["status"], pipeline["status"]):
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
            "calibration": self.calibrator.status(),
            "clock": self.clock.status(),
            "pipeline": pipeline,
            # Never part of the overall status: a hub that is away costs the pad nothing but a
            # growing outbox, and must not make the watchdog restart it.
            "hub": self.hub_sync.state(),
        }
