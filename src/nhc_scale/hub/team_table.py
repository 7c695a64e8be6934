"""The team table: one row per athlete, from every pad, with the trend and forecast of
analysis/progress.py and the strength of analysis/strength.py (through hub/strength.py)."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from nhc_scale.analysis import progress as progress_model
from nhc_scale.hub import roster
from nhc_scale.hub import strength as strength_model
from nhc_scale.hub.tables import sessions
from nhc_scale.hub.views import SESSION_COLUMNS, iso, pad_names, session_view


def _plotted(row: Any) -> bool:
    return row.variation == strength_model.STRENGTH_VARIATION and row.best_min_kg is not None


class TeamRowCache:
    """Team-table rows by what they were computed from. A row's trend and forecast cost a few
    milliseconds (Theil-Sen over every session of the athlete, twice); sessions at the hub are
    append-only, so an athlete's row changes only when a session arrives or the profile is
    edited: the key is the athlete's uuid, ``updated_at``, session count and newest session id.
    A sync recomputes the rows of the athletes it brought sessions for, nobody else's."""

    MAX_ROWS = 20_000

    def __init__(self) -> None:
        self._rows: dict[tuple, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> dict[str, Any] | None:
        with self._lock:
            return self._rows.get(key)

    def put(self, key: tuple, row: dict[str, Any]) -> None:
        with self._lock:
            if len(self._rows) >= self.MAX_ROWS:
                self._rows.pop(next(iter(self._rows)))  # the oldest: insertion order
            self._rows[key] = row


def team_table(
    conn: sa.Connection, *, include_archived: bool = False, cache: TeamRowCache | None = None
) -> dict[str, Any]:
    """One row per athlete: the last session, its best minimum and the change from the one
    before, trend and forecast to zero, and force per leg against the thresholds."""
    names = pad_names(conn)
    versions = {
        row.athlete_id: (int(row.n), int(row.newest))
        for row in conn.execute(
            sa.select(
                sessions.c.athlete_id,
                sa.func.count().label("n"),
                sa.func.max(sessions.c.id).label("newest"),
            )
            .where(sessions.c.athlete_id.is_not(None))
            .group_by(sessions.c.athlete_id)
        )
    }
    team = roster.list_athletes(conn, include_archived=include_archived)
    # Pads are never renamed (their name is set when paired), so a row's pad name cannot go
    # stale; a rename, if ever added, must join the key.
    keys = {a["id"]: (a["uuid"], a["updated_at"], versions.get(a["id"])) for a in team}
    known = {a["id"]: cache.get(keys[a["id"]]) for a in team} if cache else {}
    stale = [a["id"] for a in team if known.get(a["id"]) is None]
    by_athlete: dict[int, list[Any]] = defaultdict(list)
    for first in range(0, len(stale), 500):
        query = (
            sa.select(*SESSION_COLUMNS)
            .where(sessions.c.athlete_id.in_(stale[first : first + 500]))
            .order_by(sessions.c.athlete_id, sessions.c.started_at, sessions.c.id)
        )
        for session in conn.execute(query):
            by_athlete[session.athlete_id].append(session)
    rows = []
    for athlete in team:
        row = known.get(athlete["id"])
        if row is None:
            row = _team_row(athlete, by_athlete.get(athlete["id"], []), names)
            if cache is not None:
                cache.put(keys[athlete["id"]], row)
        rows.append(row)
    unassigned = conn.execute(
        sa.select(sa.func.count()).select_from(sessions).where(sessions.c.athlete_id.is_(None))
    ).scalar_one()
    return {
        "athletes": rows,
        "unassigned_sessions": int(unassigned),
        "strength": strength_model.strength_info(),
    }


def _team_row(athlete: dict[str, Any], history: list[Any], names: dict[int, str]) -> dict:
    name = athlete["name"]
    last = history[-1] if history else None
    assisted = [row for row in history if _plotted(row)]
    latest = assisted[-1] if assisted else None
    previous = assisted[-2] if len(assisted) > 1 else None
    fit = progress_model.progress(
        [row.started_at for row in assisted], [row.best_min_kg for row in assisted]
    )
    strength = None
    if latest is not None and latest.best_min_kg > 0:
        estimate = strength_model.for_minimum(athlete, latest.best_min_kg)
        strength = {
            "method": strength_model.method(athlete),
            "ankle_force_per_leg_n": estimate["ankle_force_per_leg_n"],
            "ankle_force_per_leg_low_n": estimate["ankle_force_per_leg_low_n"],
            "ankle_force_per_leg_high_n": estimate["ankle_force_per_leg_high_n"],
            "n_per_kg": estimate["n_per_kg"],
            "below_thresholds_n": strength_model.below_thresholds(
                estimate["ankle_force_per_leg_n"]
            ),
        }
    trend = fit["trend"]
    return {
        "athlete": {
            "uuid": athlete["uuid"],
            "name": name,
            "archived": bool(athlete["archived"]),
            "body_mass_kg": athlete["body_mass_kg"],
        },
        "session_count": len(history),
        "last_session": None if last is None else session_view(last, names, athlete["uuid"], name),
        "best_min_kg": None if latest is None else latest.best_min_kg,
        "best_min_at": None if latest is None else iso(latest.started_at),
        "previous_best_min_kg": None if previous is None else previous.best_min_kg,
        "change_kg": None
        if latest is None or previous is None
        else round(latest.best_min_kg - previous.best_min_kg, 3),
        "trend": None
        if trend is None
        else {
            "slope_kg_per_week": trend["slope_kg_per_week"],
            "slope_low_kg_per_day": trend["slope_low_kg_per_day"],
            "slope_high_kg_per_day": trend["slope_high_kg_per_day"],
            "sessions": trend["sessions"],
        },
        "forecast": fit["forecast"],
        "strength": strength,
    }
