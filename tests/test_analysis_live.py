"""The running minimum the phone shows while a rep is in progress follows the detector's own
notion of the effort: it never shows the release, a transient the contact analysis cuts out does
not lower it, it is never below zero, and when the rep is reported it is the stored minimum
(within the tolerance of docs/measurement.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from analysis_traces import assisted, noisy, plateau_then_push, timeline, unassisted

from nhc_scale.analysis import Rep, RepDetector
from nhc_scale.sim.recording import generate_recording
from nhc_scale_lab.scoring import tolerance_kg


@dataclass
class Shown:
    """A rep as reported, and the running minimum read after each block of it (time, value)."""

    rep: Rep
    values: list[tuple[float, float]] = field(default_factory=list)


def live(t: np.ndarray, force: np.ndarray, block: int) -> list[Shown]:
    """Feed ``block`` samples at a time, reading the running minimum after each block, as the
    service does for the phone; each reported rep with the values read since the last one."""
    detector = RepDetector()
    shown: list[Shown] = []
    values: list[tuple[float, float]] = []
    for start in range(0, t.size, block):
        reps = detector.feed(t[start : start + block], force[start : start + block])
        for rep in reps:
            shown.append(Shown(rep, values))
            values = []
        value = detector.running_min_kg
        if value is not None:
            values.append((float(t[min(start + block, t.size) - 1]), value))
    return shown


def problems(shown: list[Shown], rate: float) -> list[str]:
    """What a rep's running minimum got wrong: its last value off the stored minimum by more
    than the tolerance, any value below it by more, or below zero."""
    out = []
    for one in shown:
        stored = one.rep.min_assistance_kg
        tolerance = tolerance_kg(stored, round(rate)) + 1e-9
        where = f"rep at {one.rep.start_s:.1f} s, stored {stored:.2f} kg"
        if not one.values:
            out.append(f"{where}: no running minimum")
            continue
        last = one.values[-1][1]
        if abs(last - stored) > tolerance:
            out.append(f"{where}: the last running minimum was {last:.2f}")
        lowest = min(value for _, value in one.values)
        if lowest < stored - tolerance or lowest < 0.0:
            out.append(f"{where}: the running minimum went down to {lowest:.2f}")
    return out


def block_of(rate: float) -> int:
    return 4 if rate > 40 else 1  # ~50 ms, as the sampler's blocks come


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_the_release_is_never_shown_and_the_last_value_is_the_stored_one(rate: float) -> None:
    t = timeline(30.0, rate)
    (one,) = live(t, noisy(t, assisted(t, 10.0, bottom=15.0, push=45.0)), block_of(rate))
    assert problems([one], rate) == []
    after_release = [value for time, value in one.values if time > 17.2]
    last = one.values[-1][1]
    assert after_release and all(value == pytest.approx(last, abs=0.01) for value in after_release)
    assert one.values[-1][1] == pytest.approx(one.rep.min_assistance_kg, abs=0.05)


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_a_hand_shift_at_the_minimum_does_not_lower_it(rate: float) -> None:
    t = timeline(30.0, rate)
    force = assisted(t, 10.0, bottom=15.0, plateau_s=1.5)
    u = (t - 15.7) / 0.2
    force -= np.where(np.abs(u) < 0.5, 4.0 * (1 + np.cos(2 * np.pi * u)), 0.0)  # 8 kg, 0.2 s
    (one,) = live(t, noisy(t, force), block_of(rate))
    assert problems([one], rate) == []
    assert min(value for _, value in one.values) > 15.0 - tolerance_kg(15.0, round(rate))


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_an_unassisted_rep_ends_at_zero_and_never_below(rate: float) -> None:
    t = timeline(30.0, rate)
    (one,) = live(t, noisy(t, unassisted(t, 10.0)), block_of(rate))
    assert one.rep.unassisted
    assert problems([one], rate) == []
    assert one.values[-1][1] == 0.0


def test_a_near_zero_moment_before_the_push_off_is_not_shown_as_unassisted() -> None:
    """The force sits at 0.6 kg for 0.8 s (the contact filter calls it a break) before the
    push-off: until the hands have stayed off long enough that no push-off can follow, the
    phone does not show the rep as unassisted."""
    t = timeline(30.0, 80.0)
    (one,) = live(t, noisy(t, assisted(t, 10.0, bottom=0.6, plateau_s=0.8)), 4)
    assert not one.rep.unassisted
    assert problems([one], 80.0) == []


def test_a_push_off_lost_in_a_hole_is_not_shown_as_a_fall_to_zero() -> None:
    t = timeline(30.0, 10.0)
    force = plateau_then_push(t, [30.0, 36.0, 34.0, 7.0])
    keep = ~((t > 16.0) & (t < 16.85))
    (one,) = live(t[keep], force[keep], 1)
    assert one.rep.push_off_peak_kg is None  # the contact analysis saw no push-off either
    assert problems([one], 10.0) == []


@pytest.mark.slow
@pytest.mark.parametrize("rate", [10, 80])
def test_the_running_minimum_holds_over_many_synthetic_reps(rate: int) -> None:
    """Sessions with hand shifts, catches, near-zero plateaus, unassisted reps, spikes, lost
    conversions and chip resets, fed as the sampler delivers them."""
    shown: list[Shown] = []
    found: list[str] = []
    for seed in range(4000, 4010):
        recording = generate_recording(seed, nominal_sps=rate)
        session = live(recording.t_s, recording.force_kg, block_of(rate))
        shown += session
        found += [f"seed {seed}: {problem}" for problem in problems(session, rate)]
    assert len(shown) > 140
    assert found == []
