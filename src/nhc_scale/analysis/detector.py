"""The streaming rep detector, and the offline analysis that is the same code fed at once."""

from __future__ import annotations

import numpy as np

from nhc_scale.analysis.config import DetectorConfig
from nhc_scale.analysis.preprocess import Despiker, GapFiller, RateProbe, Sanitizer
from nhc_scale.analysis.rep import Analysis, Rep, summarize
from nhc_scale.analysis.stream import ContactStage

_EMPTY = np.empty(0)


class RepDetector:
    """Feed it (timestamps, kg) blocks of any size; it returns the reps each block completed.

    Pipeline: sanitize -> infer the rate -> bridge glitches -> fill lost conversions -> track the
    zero and find contacts -> analyse each finished contact. Every stage carries its own state
    across blocks, so the same samples in any chunking give float-identical reps.

    A rep is reported when its contact has ended, that is ``merge_gap_s`` (2 s) after the hands
    left the pad: until then a return of the hands would still belong to it.
    """

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self._sanitizer = Sanitizer()
        self._probe = RateProbe(self.config.rate_probe_samples)
        self._despiker: Despiker | None = None
        self._filler: GapFiller | None = None
        self._stage: ContactStage | None = None
        self._flushed = False

    # -- what a live page shows --------------------------------------------------------------
    @property
    def state(self) -> str:
        """One of "idle" (nothing on the pad), "contact" (landing, hold, push-off) and "effort"
        (the force has clearly fallen from the hold: the minimum is being sought)."""
        if self._stage is None or not self._stage.in_contact:
            return "idle"
        return "effort" if self._stage.effort else "contact"

    @property
    def running_min_kg(self) -> float | None:
        """Lowest 0.3 s force of the effort in progress, None outside an effort."""
        return None if self._stage is None else self._stage.running_min_kg

    @property
    def sample_rate_hz(self) -> float | None:
        period = self._probe.period_s
        return None if period is None else 1.0 / period

    @property
    def zero_kg(self) -> float | None:
        """The quiet level the detector currently measures from (drifted tare, offset)."""
        return None if self._stage is None else self._stage.zero

    @property
    def buffered_samples(self) -> int:
        """Samples held in memory right now; bounded however long the session runs."""
        held = 0 if self._despiker is None else self._despiker.pending
        return held + (0 if self._stage is None else self._stage.buffered_samples)

    # -- feeding -----------------------------------------------------------------------------
    def feed(self, t_s: np.ndarray, force_kg: np.ndarray) -> list[Rep]:
        """Process a block; return the reps that it completed (usually none)."""
        if self._flushed:
            raise RuntimeError("the detector was flushed; make a new one for a new recording")
        t, x = self._sanitizer.push(t_s, force_kg)
        return self._run(t, x, final=False)

    def flush(self) -> list[Rep]:
        """End of the recording: finish a rep in progress if it qualifies."""
        if self._flushed:
            return []
        reps = self._run(_EMPTY, _EMPTY, final=True)
        self._flushed = True
        if self._stage is not None:
            reps.extend(self._stage.finish())
        return reps

    def _run(self, t: np.ndarray, x: np.ndarray, final: bool) -> list[Rep]:
        t, x = self._probe.push(t, x, final)
        period = self._probe.period_s
        if period is None:
            return []
        if self._stage is None:
            level = float(np.median(x[: self.config.rate_probe_samples + 1]))
            zero = level if abs(level) <= self.config.init_max_offset_kg else 0.0
            self._despiker = Despiker(period, self.config, level)
            self._filler = GapFiller(period, self.config)
            self._stage = ContactStage(period, zero, self.config)
        assert self._despiker is not None and self._filler is not None
        t, x, bridged = self._despiker.push(t, x, final)
        t, x, origin, breaks = self._filler.push(t, x, bridged)
        return self._stage.push(t, x, origin, breaks)


def analyze(
    t_s: np.ndarray, force_kg: np.ndarray, config: DetectorConfig | None = None
) -> Analysis:
    """Offline analysis of a whole recording: the streaming detector fed in one block."""
    config = config or DetectorConfig()
    detector = RepDetector(config)
    reps = detector.feed(t_s, force_kg)
    reps.extend(detector.flush())
    summary = summarize(reps, config.set_gap_s)
    t = np.asarray(t_s, dtype=np.float64)
    summary["samples"] = int(t.size)
    summary["duration_s"] = round(float(t[-1] - t[0]), 3) if t.size > 1 else 0.0
    rate = detector.sample_rate_hz
    summary["sample_rate_hz"] = None if rate is None else round(rate, 2)
    return Analysis(reps=tuple(reps), summary=summary)
