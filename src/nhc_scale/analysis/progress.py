"""Progress over sessions: a robust trend of the best minimum, when it reaches zero, and the
tutorial's progression and training advice.

The trend is Theil-Sen (the median of the slopes between all pairs of sessions): one bad day,
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
MIN_SESSIONS = 4  # fewer pairs than this give a slope interval too wide to be worth drawing
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
MAX_SESSIONS_PER_7_DAYS = 2
MAX_SETS_PER_SESSION = 4
SETS_LOOKBACK_DAYS = 28  # a heavy session months ago is history, not a habit


def _date(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, UTC).date().isoformat()


def _iso(unix_s: float) -> str:
    return datetime.fromtimestamp(unix_s, UTC).isoformat(timespec="seconds")


def trend(
    t_unix: Sequence[float] | np.ndarray, best_kg: Sequence[float] | np.ndarray
) -> dict[str, Any] | None:
    """Theil-Sen slope (kg per day) with its confidence interval, or None with fewer than two
    distinct days. The line passes through the median session, as scipy puts it."""
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
        "sessions": int(t.size),
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
    """When the best minimum reaches zero: ``status`` is ``reached`` (the latest session is at
    zero), ``forecast`` (a date, with ``earliest``/``latest`` from the slope interval), or
    ``not_enough_data`` with the ``reason``.

    The range pivots the line about the median session with the interval's two slopes: it is
    the slope's uncertainty, not the scatter of single sessions about the line.
    """
    t = np.asarray(t_unix, dtype=np.float64)
    y = np.asarray(best_kg, dtype=np.float64)
    if t.size and y[int(np.argmax(t))] <= REACHED_KG:
        last = float(t.max())
        out = {"status": "reached", "reason": "the latest session's best minimum is zero"}
        return {**out, "date": _date(last), "earliest": _date(last), "latest": _date(last)}
    if t.size < MIN_SESSIONS:
        return _not_enough(
            f"{t.size} session{'s' if t.size != 1 else ''} with reps: a trend needs at least "
            f"{MIN_SESSIONS}"
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
    """Trend and forecast together; the trend is given from two sessions on (for drawing),
    the forecast only when it is meaningful."""
    fit = trend(t_unix, best_kg) if len(t_unix) >= 2 else None
    return {"trend": fit, "forecast": forecast(t_unix, best_kg)}


def training_notes(sessions: Sequence[tuple[float, int]], now_unix: float) -> list[dict[str, Any]]:
    """Notes when the log shows clearly more than the tutorial advises: more than 2 sessions
    in the last 7 days, or a session of the last 4 weeks with more than 4 sets. ``sessions``
    are (started_at unix, set_count) pairs."""
    notes: list[dict[str, Any]] = []
    recent = [s for s in sessions if 0 <= now_unix - s[0] <= 7 * DAY_S]
    if len(recent) > MAX_SESSIONS_PER_7_DAYS:
        notes.append(
            {
                "kind": "frequency",
                "count": len(recent),
                "message": f"{len(recent)} sessions in the last 7 days: the tutorial advises "
                f"{ADVICE_FREQUENCY} (the lowering is rough on muscles and tendons; err on the "
                "side of too little).",
            }
        )
    heavy = [
        s
        for s in sessions
        if s[1] > MAX_SETS_PER_SESSION and 0 <= now_unix - s[0] <= SETS_LOOKBACK_DAYS * DAY_S
    ]
    if heavy:
        worst = max(heavy, key=lambda s: s[1])
        notes.append(
            {
                "kind": "sets",
                "count": worst[1],
                "date": _date(worst[0]),
                "message": f"{worst[1]} sets in the session of {_date(worst[0])}: the tutorial "
                f"advises {ADVICE_SETS}.",
            }
        )
    return notes
