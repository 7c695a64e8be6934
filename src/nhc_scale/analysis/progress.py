"""Progress over training days: a robust trend of the best minimum, when it reaches zero, and the
tutorial's progression and training advice.

Progress is counted per **training day**, not per session: a workout split by a stop and a start,
a restart of the scale or a change of athlete is several sessions minutes apart, and its sessions
are one training day whose best minimum is the best of them (docs/api.md, "Progress"). Three
sessions ten minutes apart are one point, not a slope of hundreds of kg a week.

The trend is Theil-Sen (the median of the slopes between all pairs of days): one bad day,
a session cut short or a mis-tared pad moves it little, where least squares would follow it.
The forecast is where that line crosses zero, with a range from the slope's confidence interval;
when the data cannot bound it (too few sessions, or a slope interval that reaches zero or
rises), it says "not enough data" rather than a date nobody should believe.

numpy and scipy only: no web, no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy.stats import theilslopes

DAY_S = 86400.0
# Sessions that start within this long of a training day's first session belong to that day: a
# workout split by a stop and start stays one day, and a second workout the same day (which the
# tutorial advises against anyway) still counts once, with its best.
TRAINING_DAY_S = 6 * 3600.0
MIN_SESSIONS = 4  # training days; fewer give a slope interval too wide to be worth drawing
CONFIDENCE = 0.95
REACHED_KG = 0.05  # a best minimum this low is zero: the concentric half was unaided

#: The tutorial's progression (seeds/000_*.txt, "Going Beyond"): assisted reps until the scale
#: reads zero; then, unassisted, the arm positions from easiest to hardest ("by your sides is the
#: easiest... out wide like you are flying, tucked up against your chest, behind the neck prisoner
#: style, and overhead like Superman (the hardest position)"); then a weight held goblet style
#: against the chest.
VARIATIONS: tuple[str, ...] = (
    "assisted",
    "sides",
    "wide",
    "chest",
    "prisoner",
    "overhead",
    "weighted",
)
VARIATION_LABELS: dict[str, str] = {
    "assisted": "hands on the pad (assisted)",
    "sides": "arms by the sides",
    "wide": "arms out wide",
    "chest": "arms tucked against the chest",
    "prisoner": "hands behind the neck (prisoner)",
    "overhead": "arms overhead (Superman)",
    "weighted": "holding a weight at the chest",
}

#: The tutorial's advice ("Performance Notes"): "There is no need to be doing more than 2-3 sets
#: in a workout, and no need to do the exercise more than once a week. Always err on the side of
#: too little with this exercise." The page speaks up only when the log shows clearly more.
ADVICE_SETS = "2-3 sets in a workout"
ADVICE_FREQUENCY = "about once a week"
MAX_DAYS_PER_7_DAYS = 2
MAX_SETS_PER_DAY = 4
SETS_LOOKBACK_DAYS = 28  # a heavy session months ago is history, not a habit


def _date(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, UTC).date().isoformat()


def _iso(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds")


def training_days(starts_unix: Sequence[float]) -> list[list[int]]:
    """The indices of ``starts_unix`` grouped into training days, oldest first: a session that
    starts less than ``TRAINING_DAY_S`` after its day's first session belongs to that day."""
    order = sorted(range(len(starts_unix)), key=lambda i: starts_unix[i])
    days: list[list[int]] = []
    first = 0.0
    for index in order:
        if days and starts_unix[index] - first < TRAINING_DAY_S:
            days[-1].append(index)
        else:
            days.append([index])
            first = starts_unix[index]
    return days


def day_bests(t_unix: Sequence[float], best_kg: Sequence[float]) -> tuple[list[float], list[float]]:
    """One point per training day: its first session's start and its best (lowest) minimum."""
    days = training_days(t_unix)
    return (
        [float(t_unix[day[0]]) for day in days],
        [float(min(best_kg[i] for i in day)) for day in days],
    )


def trend(
    t_unix: Sequence[float] | np.ndarray, best_kg: Sequence[float] | np.ndarray
) -> dict[str, Any] | None:
    """Theil-Sen slope (kg per day) with its confidence interval through the given points, or
    None with fewer than two distinct times. The line passes through the median point, as scipy
    puts it. ``progress`` gives it one point per training day."""
    t = np.asarray(t_unix, dtype=np.float64)
    y = np.asarray(best_kg, dtype=np.float64)
    if t.size < 2 or np.unique(t).size < 2:
        return None
    origin = float(t.min())
    days = (t - origin) / DAY_S
    result = theilslopes(y, days, alpha=CONFIDENCE)
    return {
        "slope_kg_per_day": float(result.slope),
        "slope_low_kg_per_day": float(result.low_slope),
        "slope_high_kg_per_day": float(result.high_slope),
        "slope_kg_per_week": float(result.slope) * 7,
        "confidence": CONFIDENCE,
        "intercept_kg": float(result.intercept),  # at the origin (the first session)
        "origin_unix": origin,
        "origin": _iso(origin),
        "median_day": float(np.median(days)),
        "median_kg": float(np.median(y)),
        "sessions": int(t.size),  # the points: training days (the name is the API's, kept)
        "days": int(t.size),
    }


def _not_enough(reason: str) -> dict[str, Any]:
    return {
        "status": "not_enough_data",
        "reason": reason,
        "date": None,
        "earliest": None,
        "latest": None,
    }


def forecast(t_unix: Sequence[float], best_kg: Sequence[float]) -> dict[str, Any]:
    """When the best minimum reaches zero, from one point per training day: ``status`` is
    ``reached`` (the latest day is at zero), ``forecast`` (a date, with ``earliest``/``latest``
    from the slope interval), or ``not_enough_data`` with the ``reason``.

    The range pivots the line about the median session with the interval's two slopes: it is
    the slope's uncertainty, not the scatter of single sessions about the line.
    """
    t = np.asarray(t_unix, dtype=np.float64)
    y = np.asarray(best_kg, dtype=np.float64)
    if t.size and y[int(np.argmax(t))] <= REACHED_KG:
        last = float(t.max())
        out = {"status": "reached", "reason": "the latest training day's best minimum is zero"}
        return {**out, "date": _date(last), "earliest": _date(last), "latest": _date(last)}
    if t.size < MIN_SESSIONS:
        return _not_enough(
            f"{t.size} training day{'s' if t.size != 1 else ''} with reps: a trend needs at "
            f"least {MIN_SESSIONS}"
        )
    fit = trend(t, y)
    if fit is None:
        return _not_enough("all sessions are on the same day")
    if fit["slope_kg_per_day"] >= 0:
        return _not_enough("the best minimum is not falling")
    if fit["slope_high_kg_per_day"] >= 0:
        return _not_enough(
            f"the {CONFIDENCE:.0%} interval of the slope includes no fall: more sessions will tell"
        )
    x0, y0 = fit["median_day"], fit["median_kg"]

    def crossing(slope: float) -> float:
        return fit["origin_unix"] + (x0 - y0 / slope) * DAY_S

    central = crossing(fit["slope_kg_per_day"])
    earliest = crossing(fit["slope_low_kg_per_day"])  # the steepest fall
    latest = crossing(fit["slope_high_kg_per_day"])  # the gentlest fall
    return {
        "status": "forecast",
        "reason": f"Theil-Sen trend, range from the slope's {CONFIDENCE:.0%} interval",
        "date": _date(central),
        "earliest": _date(earliest),
        "latest": _date(latest),
        "date_unix": central,
        "earliest_unix": earliest,
        "latest_unix": latest,
    }


def progress(t_unix: Sequence[float], best_kg: Sequence[float]) -> dict[str, Any]:
    """Trend and forecast of sessions' best minima, one point per training day. The trend is
    given from ``MIN_SESSIONS`` days on, as the forecast is: a chart never draws a line that the
    words beside it call "not enough data". It is given without a forecast when the days do not
    fall (the line shows that they do not)."""
    days_t, days_best = day_bests(t_unix, best_kg)
    fit = trend(days_t, days_best) if len(days_t) >= MIN_SESSIONS else None
    return {"trend": fit, "forecast": forecast(days_t, days_best)}


def training_notes(sessions: Sequence[tuple[float, int]], now_unix: float) -> list[dict[str, Any]]:
    """Notes when the log shows clearly more than the tutorial advises: more than 2 training days
    in the last 7 days, or a training day of the last 4 weeks with more than 4 sets. ``sessions``
    are (started_at unix, set_count) pairs; a workout split into several sessions is one training
    day, its sets added up."""
    days = [
        (sessions[day[0]][0], sum(sessions[i][1] for i in day))
        for day in training_days([s[0] for s in sessions])
    ]
    notes: list[dict[str, Any]] = []
    recent = [d for d in days if 0 <= now_unix - d[0] <= 7 * DAY_S]
    if len(recent) > MAX_DAYS_PER_7_DAYS:
        notes.append(
            {
                "kind": "frequency",
                "count": len(recent),
                "message": f"{len(recent)} training days in the last 7 days: the tutorial advises "
                f"{ADVICE_FREQUENCY} (the lowering is rough on muscles and tendons; err on the "
                "side of too little).",
            }
        )
    heavy = [
        d
        for d in days
        if d[1] > MAX_SETS_PER_DAY and 0 <= now_unix - d[0] <= SETS_LOOKBACK_DAYS * DAY_S
    ]
    if heavy:
        worst = max(heavy, key=lambda d: d[1])
        notes.append(
            {
                "kind": "sets",
                "count": worst[1],
                "date": _date(worst[0]),
                "message": f"{worst[1]} sets on {_date(worst[0])}: the tutorial advises "
                f"{ADVICE_SETS}.",
            }
        )
    return notes
