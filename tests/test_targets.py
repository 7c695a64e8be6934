"""A session's targets (the best of the training day before it, and of all days before it) and
an athlete's progress per training day, on a real store."""

from __future__ import annotations

from pathlib import Path

from stored_reps import rep_dict

from nhc_scale.appliance.progress import athlete_progress, session_targets
from nhc_scale.store import Store

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC
DAY_S = 86400.0


def add_session(store: Store, started: float, minima: list[float], **tags) -> int:
    session_id = store.create_session(None, started, 0, True)
    if tags:
        store.update_session(session_id, tags)
    for number, minimum in enumerate(minima, start=1):
        store.add_rep(session_id, rep_dict(number, minimum, 10.0 * number))
    store.end_session(session_id, started + 300)
    return session_id


def test_targets_come_from_the_training_days_before_the_sessions_own(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        anna = store.create_athlete(
            {"name": "Anna", "body_mass_kg": 70.0, "height_m": 1.72}, created_at=T0
        )
        store.set_active_athlete(anna.id)
        week1 = add_session(store, T0, [22.0, 21.0])
        add_session(store, T0 + 7 * DAY_S, [20.5, 21.5])  # last week: 20.5, split in two
        last_best = add_session(store, T0 + 7 * DAY_S + 900, [19.5, 20.0])
        first_today = add_session(store, T0 + 14 * DAY_S, [18.0])
        today = store.create_session(None, T0 + 14 * DAY_S + 600, 0, True)  # restarted
        store.set_active_athlete(None)
        someone_else = add_session(store, T0 + 13 * DAY_S, [5.0])  # unassigned: not Anna's

        targets = session_targets(store, store.get_session(today))
        assert targets["last"]["best_min_kg"] == 19.5  # not today's earlier 18.0
        assert targets["last"]["session_id"] == last_best
        assert targets["best"]["best_min_kg"] == 19.5
        assert session_targets(store, store.get_session(first_today))["last"]["session_id"] == (
            last_best
        )
        first = session_targets(store, store.get_session(week1))
        assert first == {"last": None, "best": None}
        unassigned = session_targets(store, store.get_session(someone_else))
        assert unassigned == {"last": None, "best": None}


def test_the_all_time_best_is_labelled_apart_from_the_last_day(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        add_session(store, T0, [15.0])
        add_session(store, T0 + 7 * DAY_S, [17.0])
        now = store.create_session(None, T0 + 14 * DAY_S, 0, True)
        targets = session_targets(store, store.get_session(now))
        assert targets["last"]["best_min_kg"] == 17.0
        assert targets["best"]["best_min_kg"] == 15.0


def test_progress_has_one_point_per_training_day(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        anna = store.create_athlete(
            {"name": "Anna", "body_mass_kg": 70.0, "height_m": 1.72}, created_at=T0
        )
        store.set_active_athlete(anna.id)
        ids = [add_session(store, T0 + 60 * i, [30.0 - i]) for i in range(3)]  # 3 in 3 minutes
        progress = athlete_progress(store, store.require_athlete(anna.id), "assisted", T0 + 3600)
        (point,) = progress["points"]
        assert point["best_min_kg"] == 28.0 and point["session_id"] == ids[2]
        assert point["session_ids"] == ids
        assert point["rep_count"] == 3 and point["set_count"] == 3
        assert progress["trend"] is None
        assert progress["forecast"]["status"] == "not_enough_data"
        assert progress["training_notes"] == []  # one workout, not "3 sessions this week"
