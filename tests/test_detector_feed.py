"""The session's detector, fed ten times a second from the sampler's 20 ms blocks, finds what the
detector finds in the whole recording, and is called ten times a second, not fifty."""

from __future__ import annotations

import numpy as np
import pytest

from nhc_scale.analysis import RepDetector, analyze
from nhc_scale.appliance.detector_feed import FEED_EVERY_S, BatchedDetector
from nhc_scale.sim.recording import generate_recording


class CountingDetector(RepDetector):
    calls = 0

    def feed(self, t_s: np.ndarray, force_kg: np.ndarray):  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().feed(t_s, force_kg)


@pytest.mark.parametrize("rate", [10, 80])
def test_gathered_blocks_give_the_reps_of_the_whole_recording(
    rate: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("nhc_scale.appliance.detector_feed.RepDetector", CountingDetector)
    recording = generate_recording(3, nominal_sps=rate)
    t, kg = recording.t_s, recording.force_kg
    block = max(1, round(0.02 * rate))  # the sampler's 20 ms blocks
    detector = BatchedDetector()
    reps = []
    for i in range(0, t.size, block):
        reps.extend(detector.feed(t[i : i + block], kg[i : i + block]))
    reps.extend(detector.flush())
    assert reps and reps == list(analyze(t, kg).reps)
    duration_s = float(t[-1] - t[0])
    calls = detector._detector.calls  # type: ignore[attr-defined]
    assert calls <= duration_s / FEED_EVERY_S + 1
    assert calls >= duration_s / (FEED_EVERY_S + 2 / rate) - 1  # every 0.1 s, not less often


def test_nothing_is_held_back_at_the_end() -> None:
    detector = BatchedDetector()
    recording = generate_recording(4, nominal_sps=80)
    t, kg = recording.t_s, recording.force_kg
    # stopped three samples after the first rep's hands left: those samples are still gathered
    end = int(np.searchsorted(t, recording.truth["reps"][0]["end_s"])) + 3
    for i in range(0, end, 2):
        assert detector.feed(t[i : i + 2], kg[i : i + 2]) == []
    flushed = detector.flush()
    assert len(flushed) == 1 and flushed == list(analyze(t[:end], kg[:end]).reps)
