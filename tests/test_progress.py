"""Trend and forecast of the best minimum over sessions, and the training notes, on synthetic
series whose answer is known."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from nhc_scale.analysis.progress import (
    DAY_S,
    MIN_SESSIONS,
    VARIATIONS,
    day_bests,
    forecast,
    progress,
    training_days,
    training_notes,
    trend,
)

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC
WEEK = 7 * DAY_S


def weekly(values: list[float]) -> list[float]:
    return [T0 + i * WEEK for i in range(len(values))]


def test_a_steady_fall_gives_its_slope_and_the_day_it_reaches_zero() -> None:
    # 30 kg falling 2 kg a week, small noise: zero after 15 weeks, on 2026-04-16.
    rng = np.random.default_rng(4)
    values = [30 - 2 * i + float(rng.normal(0, 0.3)) for i in range(8)]
    fit = trend(weekly(values), values)
    assert fit is not None
    assert fit["slope_kg_per_week"] == pytest.approx(-2.0, abs=0.2)
    assert fit["slope_low_kg_per_day"] < fit["slope_kg_per_day"] < fit["slope_high_kg_per_day"]
    result = forecast(weekly(values), values)
    assert result["status"] == "forecast"
    expected = date(2026, 4, 16)
    assert abs((date.fromisoformat(result["date"]) - expected).days) <= 7
    earliest, latest = (date.fromisoformat(result[key]) for key in ("earliest", "latest"))
    assert earliest <= date.fromisoformat(result["date"]) <= latest
    assert earliest < latest  # a range, not a point


def test_the_range_is_wider_when_the_sessions_scatter_more() -> None:
    rng = np.random.default_rng(7)
    base = [30 - 2 * i for i in range(10)]
    tight = [v + float(rng.normal(0, 0.2)) for v in base]
    loose = [v + float(rng.normal(0, 2.0)) for v in base]
    spans = []
    for values in (tight, loose):
        result = forecast(weekly(values), values)
        assert result["status"] == "forecast"
        spans.append(result["latest_unix"] - result["earliest_unix"])
    assert spans[0] < spans[1]


def test_one_bad_session_barely_moves_the_trend() -> None:
    values = [30 - 2 * i for i in range(8)]
    spoiled = list(values)
    spoiled[5] = 60.0  # mis-tared pad, or the wrong person on it
    assert trend(weekly(spoiled), spoiled)["slope_kg_per_week"] == pytest.approx(-2.0, abs=0.3)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("flat", [25.0, 25.3, 24.8, 25.1, 24.9, 25.2]),
        ("rising", [20.0, 21.0, 22.5, 23.0, 24.2, 25.0]),
        ("noisy", [30.0, 12.0, 35.0, 18.0, 31.0, 15.0]),
        ("too few", [30.0, 28.0, 26.0]),
    ],
)
def test_no_date_without_a_fall_the_data_can_bound(name: str, values: list[float]) -> None:
    result = forecast(weekly(values), values)
    assert result["status"] == "not_enough_data", name
    assert result["date"] is None and result["earliest"] is None and result["latest"] is None
    assert result["reason"]


def test_too_few_sessions_says_how_many_are_needed() -> None:
    result = forecast(weekly([30.0, 28.0]), [30.0, 28.0])
    assert str(MIN_SESSIONS) in result["reason"]


def test_sessions_all_on_one_day_give_no_trend() -> None:
    t = [T0 + 60 * i for i in range(5)]
    assert trend([T0] * 5, [30, 29, 28, 27, 26]) is None
    assert forecast([T0] * 5, [30, 29, 28, 27, 26])["status"] == "not_enough_data"
    assert trend(t, [30, 29, 28, 27, 26]) is not None  # minutes apart still count


def test_a_latest_session_at_zero_has_reached_it() -> None:
    values = [8.0, 5.0, 2.0, 0.0]
    result = forecast(weekly(values), values)
    assert result["status"] == "reached"
    assert result["date"] == "2026-01-22"


def test_progress_draws_a_trend_only_where_it_forecasts_from_four_training_days() -> None:
    for values in ([30.0, 27.0], [30.0, 27.0, 25.0]):
        out = progress(weekly(values), values)
        assert out["trend"] is None, "a line beside the words 'not enough data'"
        assert out["forecast"]["status"] == "not_enough_data"
    values = [30.0, 27.0, 25.0, 22.0]
    assert progress(weekly(values), values)["trend"]["days"] == 4
    assert progress([], [])["trend"] is None
    rising = [20.0, 21.0, 22.5, 23.0]
    out = progress(weekly(rising), rising)  # no date, but the line shows why
    assert out["trend"]["slope_kg_per_day"] > 0
    assert out["forecast"]["status"] == "not_enough_data"


def test_sessions_minutes_apart_are_one_training_day_with_its_best() -> None:
    # Three sessions in ten minutes (a stop and start, a restart): one point, no trend, no
    # "-310 kg/week".
    starts = [T0, T0 + 300, T0 + 600]
    assert training_days(starts) == [[0, 1, 2]]
    out = progress(starts, [31.0, 26.0, 29.0])
    assert out["trend"] is None
    assert out["forecast"]["reason"].startswith("1 training day with reps")
    # Four weeks, each workout split in two sessions 20 minutes apart: four days, each its best.
    t, best = [], []
    for week, (a, b) in enumerate([(30.0, 29.0), (27.5, 28.0), (26.0, 25.0), (24.0, 23.5)]):
        t += [T0 + week * WEEK, T0 + week * WEEK + 1200]
        best += [a, b]
    assert day_bests(t, best) == ([T0 + w * WEEK for w in range(4)], [29.0, 27.5, 25.0, 23.5])
    fit = progress(t, best)["trend"]
    assert fit["days"] == 4
    assert fit["slope_kg_per_week"] == pytest.approx(-1.83, abs=0.2)


def test_a_training_day_is_bounded_and_needs_no_order() -> None:
    starts = [T0 + 7 * 3600, T0, T0 + 3600, T0 + 5 * 3600]  # any order; 7 h is a new day
    assert training_days(starts) == [[1, 2, 3], [0]]
    assert training_days([]) == []


def test_training_notes_speak_up_only_well_beyond_the_advice() -> None:
    now = T0 + 30 * DAY_S
    weekly_log = [(now - WEEK * i, 3) for i in range(4)]
    assert training_notes(weekly_log, now) == []
    busy = [(now - DAY_S * i, 2) for i in range(3)]  # three sessions in three days
    (note,) = training_notes(busy, now)
    assert note["kind"] == "frequency" and "once a week" in note["message"]
    heavy = [(now - DAY_S, 6)]
    (note,) = training_notes(heavy, now)
    assert note["kind"] == "sets" and note["count"] == 6 and "2-3 sets" in note["message"]
    long_ago = [(now - 90 * DAY_S, 6)]
    assert training_notes(long_ago, now) == []


def test_one_workout_split_into_sessions_is_not_several_this_week() -> None:
    now = T0 + 30 * DAY_S
    split = [(now - DAY_S, 1), (now - DAY_S + 600, 1), (now - DAY_S + 1500, 1)]
    assert training_notes(split, now) == []  # one training day of 3 sets: as advised
    split_heavy = [(now - DAY_S, 3), (now - DAY_S + 600, 3)]
    (note,) = training_notes(split_heavy, now)
    assert note["kind"] == "sets" and note["count"] == 6
    three_days = [(now - DAY_S * i, 1) for i in range(3)]
    (note,) = training_notes(three_days, now)
    assert note["message"].startswith("3 training days in the last 7 days")


def test_the_variations_follow_the_tutorial_from_easiest_to_hardest() -> None:
    assert VARIATIONS[0] == "assisted"
    assert VARIATIONS.index("sides") < VARIATIONS.index("chest") < VARIATIONS.index("prisoner")
    assert VARIATIONS.index("prisoner") < VARIATIONS.index("overhead")
    assert VARIATIONS[-1] == "weighted"
