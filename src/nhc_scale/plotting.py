"""The progress plot as a PNG: best minimum per session, the Theil-Sen trend and the forecast.

matplotlib is the optional ``plot`` extra. Only this module imports it, and only when a plot is
asked for (the web route imports this module inside the handler), so the appliance runs
without it and says so with a 501. The object API (Figure + Agg canvas), not pyplot: request
threads share no global figure state.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

DAY_S = 86400.0


def available() -> bool:
    """Whether matplotlib can be imported (asked only when a plot is wanted)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _at(unix_s: float) -> float:
    """matplotlib's date number (days) of a unix time: what its date axis plots."""
    from matplotlib.dates import date2num

    return float(date2num(datetime.fromtimestamp(unix_s, UTC)))


def progress_png(progress: dict[str, Any], title: str = "") -> bytes:
    """``progress``: what ``GET /api/athletes/{id}/progress`` answers."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    points = progress["points"]
    started = [datetime.fromisoformat(p["started_at"]).timestamp() for p in points]
    xs = [_at(unix_s) for unix_s in started]
    ys = [p["best_min_kg"] for p in points]
    axes.plot(xs, ys, "o-", color="tab:green", lw=1.2, ms=5, label="best minimum per session")
    trend = progress.get("trend")
    forecast = progress["forecast"]
    if trend is not None and xs:
        end_unix = max(started)
        if forecast.get("status") == "forecast":
            end_unix = max(end_unix, forecast["date_unix"])
        start_unix = trend["origin_unix"]
        days = [
            (start_unix - trend["origin_unix"]) / DAY_S,
            (end_unix - trend["origin_unix"]) / DAY_S,
        ]
        line = [
            trend["median_kg"] + trend["slope_kg_per_day"] * (d - trend["median_day"]) for d in days
        ]
        axes.plot(
            [_at(start_unix), _at(end_unix)],
            line,
            "--",
            color="tab:blue",
            lw=1.2,
            label=f"Theil-Sen trend, {trend['slope_kg_per_week']:+.2f} kg/week",
        )
    if forecast.get("status") == "forecast":
        axes.axvspan(
            _at(forecast["earliest_unix"]),
            _at(forecast["latest_unix"]),
            color="tab:blue",
            alpha=0.12,
            lw=0,
            label=f"zero around {forecast['date']} "
            f"({forecast['earliest']} to {forecast['latest']})",
        )
        axes.plot([_at(forecast["date_unix"])], [0], "v", color="tab:blue", ms=8)
    axes.axhline(0, color="0.5", lw=0.8)
    axes.set_ylim(bottom=min(0.0, *ys) - 1 if ys else -1)
    axes.set_ylabel("minimum assistance (kg)")
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    status = (
        f"not enough data for a forecast: {forecast['reason']}"
        if forecast["status"] == "not_enough_data"
        else ""
    )
    heading = f"{title} · {progress['variation']}" if title else progress["variation"]
    axes.set_title(heading + (f"\n{status}" if status else ""), fontsize=10)
    if not points:
        axes.text(0.5, 0.5, "no sessions with reps yet", transform=axes.transAxes, ha="center")
    else:
        axes.legend(loc="upper right", fontsize=8)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
