"""Each rep says where its number came from: the effort's start, the minimum's 0.3 s window,
the push-off's start, the transients taken out inside the effort, and whether a hand moved near
the minimum."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_traces import assisted, noisy, timeline, unassisted

from nhc_scale.analysis import Rep, analyze


def only_rep(t: np.ndarray, f: np.ndarray) -> Rep:
    reps = analyze(t, f).reps
    assert len(reps) == 1, reps
    return reps[0]


def cosine_dip(t: np.ndarray, at: float, width: float, depth: float) -> np.ndarray:
    u = (t - at) / width
    return np.where(np.abs(u) < 0.5, depth * 0.5 * (1 + np.cos(2 * np.pi * u)), 0.0)


def kinds(rep: Rep) -> list[str]:
    assert rep.ignored is not None
    return [span.kind for span in rep.ignored]


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_an_assisted_rep_places_its_phases_and_its_minimum(rate: float) -> None:
    # land at 10 s, hold to 13 s, fall to 15 s, plateau to 16 s, push-off to 16.7 s, release
    t = timeline(30.0, rate)
    rep = only_rep(t, noisy(t, assisted(t, 10.0, plateau_s=1.0)))
    assert rep.effort_start_s == pytest.approx(13.0, abs=0.4)
    assert rep.min_window_s is not None
    assert rep.min_window_s == pytest.approx((rep.min_at_s - 0.15, rep.min_at_s + 0.15))
    assert rep.min_window_s[0] >= 14.9 and rep.min_window_s[1] <= 16.1
    assert rep.push_off_start_s == pytest.approx(16.0, abs=0.25)
    assert rep.effort_start_s < rep.min_at_s < rep.push_off_start_s < rep.end_s
    assert rep.ignored == ()
    assert rep.hands_moved is False


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_an_unassisted_rep_has_no_push_off_start(rate: float) -> None:
    t = timeline(30.0, rate)
    rep = only_rep(t, noisy(t, unassisted(t, 10.0)))
    assert rep.unassisted
    assert rep.push_off_start_s is None
    assert rep.effort_start_s == pytest.approx(13.0, abs=0.4)
    assert rep.min_window_s == pytest.approx((rep.min_at_s - 0.15, rep.min_at_s + 0.15))
    assert rep.hands_moved is False


@pytest.mark.parametrize(("rate", "plateau_s", "at_s"), [(10.0, 0.3, 15.3), (80.0, 1.5, 15.5)])
def test_a_hand_shift_at_the_minimum_is_shown_and_moves_the_hands(
    rate: float, plateau_s: float, at_s: float
) -> None:
    # 5 kg: at 10 S/s a hand shift is one or two conversions, and one that jumps further than
    # the despiker's 6 kg and back cannot be told from a glitch (it is shown as one)
    t = timeline(30.0, rate)
    force = assisted(t, 10.0, bottom=15.0, plateau_s=plateau_s) - cosine_dip(t, at_s, 0.2, 5.0)
    rep = only_rep(t, noisy(t, force))
    assert rep.min_assistance_kg == pytest.approx(15.0, abs=0.3 if rate == 80.0 else 0.75)
    assert rep.ignored is not None and kinds(rep) == ["hand_shift"]
    shift = rep.ignored[0]
    assert shift.start_s < at_s < shift.end_s
    assert shift.end_s - shift.start_s < 0.5
    assert rep.hands_moved is True


def test_a_hand_shift_early_in_the_effort_is_shown_but_did_not_move_the_minimum() -> None:
    t = timeline(30.0, 80.0)
    force = assisted(t, 10.0, bottom=15.0, plateau_s=1.5) - cosine_dip(t, 13.8, 0.2, 8.0)
    rep = only_rep(t, noisy(t, force))
    assert rep.ignored is not None and kinds(rep) == ["hand_shift"]
    assert rep.ignored[0].start_s < 13.8 < rep.ignored[0].end_s
    assert rep.min_window_s is not None and rep.min_window_s[0] > 14.5
    assert rep.hands_moved is False


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_a_glitch_in_the_effort_is_shown_and_one_in_the_hold_is_not(rate: float) -> None:
    t = timeline(30.0, rate)
    force = noisy(t, assisted(t, 10.0, plateau_s=1.0))
    for at, size in ((11.5, 150.0), (14.2, -60.0)):  # in the hold, then in the fall
        force[np.argmin(np.abs(t - at))] += size
    rep = only_rep(t, force)
    assert rep.ignored is not None and kinds(rep) == ["glitch"]
    assert rep.ignored[0].start_s < 14.2 < rep.ignored[0].end_s
    assert rep.hands_moved is False


@pytest.mark.parametrize("rate", [10.0, 80.0])
def test_lost_conversions_in_the_effort_are_shown(rate: float) -> None:
    t = timeline(30.0, rate)
    force = noisy(t, assisted(t, 10.0, plateau_s=1.0))
    keep = ~((t > 14.0) & (t < 14.45))
    rep = only_rep(t[keep], force[keep])
    assert rep.ignored is not None and kinds(rep) == ["lost_data"]
    lost = rep.ignored[0]
    assert lost.start_s == pytest.approx(14.0, abs=1.0 / rate + 1e-9)
    assert lost.end_s == pytest.approx(14.45, abs=1.0 / rate + 1e-9)


def test_the_explanation_goes_out_and_comes_back_with_the_rep() -> None:
    t = timeline(30.0, 80.0)
    force = assisted(t, 10.0, bottom=15.0, plateau_s=1.5) - cosine_dip(t, 15.7, 0.2, 8.0)
    rep = only_rep(t, noisy(t, force))
    data = rep.to_dict()
    assert data["hands_moved"] is True
    assert data["min_window_s"] == [round(v, 3) for v in rep.min_window_s or ()]
    assert data["ignored"] == [
        {"kind": "hand_shift", "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3)}
        for s in rep.ignored or ()
    ]
    again = Rep.from_dict(data)
    assert again.ignored is not None and again.ignored[0].kind == "hand_shift"
    assert again.min_window_s == pytest.approx(rep.min_window_s, abs=0.001)


def test_a_rep_stored_before_the_explanation_has_none_of_it() -> None:
    old = {
        "start_s": 1.0,
        "end_s": 8.0,
        "min_assistance_kg": 12.0,
        "min_at_s": 5.0,
        "unassisted": False,
        "landing_peak_kg": 50.0,
        "hold_kg": 35.0,
        "push_off_peak_kg": 40.0,
        "effort_s": 2.0,
        "number": 3,
    }
    rep = Rep.from_dict(old)
    assert rep.min_assistance_kg == 12.0
    explanation = ("effort_start_s", "min_window_s", "push_off_start_s", "ignored", "hands_moved")
    assert all(getattr(rep, name) is None for name in explanation)
    assert all(rep.to_dict()[name] is None for name in explanation)
