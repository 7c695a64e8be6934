"""Live equals offline: any chunking gives the same reps; state stays bounded; live fields."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_traces import assisted, noisy, timeline

from nhc_scale.analysis import RepDetector, analyze
from nhc_scale.sim.recording import generate_recording


def feed_in_chunks(t: np.ndarray, f: np.ndarray, sizes: np.ndarray) -> list:
    detector = RepDetector()
    reps = []
    start = 0
    for size in sizes:
        reps.extend(detector.feed(t[start : start + size], f[start : start + size]))
        start += size
        if start >= t.size:
            break
    reps.extend(detector.feed(t[start:], f[start:]))
    reps.extend(detector.flush())
    return reps


@pytest.mark.parametrize("seed", [4, 5, 11])
def test_random_chunkings_give_float_identical_reps(seed: int) -> None:
    recording = generate_recording(seed)  # spikes, resets, lost conversions, drift...
    t, f = recording.t_s, recording.force_kg
    offline = list(analyze(t, f).reps)
    assert offline
    rng = np.random.default_rng(seed)
    chunkings = [
        rng.integers(1, 11, t.size),  # live: a few samples per block
        rng.integers(1, 400, t.size),
        np.full(t.size, 80),
        rng.integers(1, 3, t.size),
    ]
    for sizes in chunkings:
        assert feed_in_chunks(t, f, sizes) == offline


def test_a_rep_still_in_progress_at_the_end_is_finished_by_flush() -> None:
    t = timeline(17.5)  # the recording stops 0.3 s after the release
    f = noisy(t, assisted(t, 10.0))
    detector = RepDetector()
    assert detector.feed(t, f) == []
    assert detector.state != "idle"
    reps = detector.flush()
    assert len(reps) == 1
    assert reps[0].min_assistance_kg == pytest.approx(15.0, abs=0.3)


def test_live_state_and_running_minimum_follow_the_effort() -> None:
    t = timeline(30.0)
    f = noisy(t, assisted(t, 10.0, hold=40.0, bottom=15.0, plateau_s=1.0))
    detector = RepDetector()
    seen: dict[str, float] = {}
    running: list[tuple[float, float | None]] = []
    for start in range(0, t.size, 4):
        if detector.feed(t[start : start + 4], f[start : start + 4]):
            seen.setdefault("rep", t[start])
        seen.setdefault(detector.state, t[start])
        running.append((t[start], detector.running_min_kg))
    assert seen["idle"] < seen["contact"] < seen["effort"] < seen["rep"]
    assert seen["contact"] == pytest.approx(10.0, abs=0.2)
    assert 13.0 < seen["effort"] < 15.0
    during = [value for time, value in running if 16.0 < time < 16.5]
    assert all(value == pytest.approx(15.0, abs=0.5) for value in during)
    assert all(value is None for time, value in running if time < 12.0 or time > 20.0)


def test_state_does_not_grow_with_the_length_of_the_session() -> None:
    rate = 80.0
    detector = RepDetector()
    held = []
    reps = 0
    for minute in range(90):
        t = minute * 60.0 + np.arange(0.0, 60.0, 1.0 / rate)
        f = noisy(t, assisted(t, minute * 60.0 + 20.0), seed=minute)
        for start in range(0, t.size, 80):
            reps += len(detector.feed(t[start : start + 80], f[start : start + 80]))
            held.append(detector.buffered_samples)
    assert reps == 90
    # the contact in progress (~10 s incl. the 2 s merge gap) and small rings, never the session
    assert max(held) < 20 * rate
    assert max(held[-1000:]) <= max(held[:2000])


def test_feeding_after_flush_is_an_error() -> None:
    detector = RepDetector()
    detector.flush()
    with pytest.raises(RuntimeError):
        detector.feed(np.arange(3.0), np.zeros(3))
