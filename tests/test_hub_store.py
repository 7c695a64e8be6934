"""The hub's storage on both engines, in-process: migrations, idempotent batches, the roster's
conflict rule, the team table's numbers."""

from __future__ import annotations

import threading
from pathlib import Path

import hub_payloads as payloads
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hub_databases import ENGINES, database_url

from nhc_scale.hub import ingest, pads, roster, team_table, trace, views
from nhc_scale.hub.database import DatabaseError, make_engine, migrate, reading
from nhc_scale.hub.tables import metadata, reps, session_samples, sessions
from nhc_scale.sync.protocol import AthleteProfile, SessionPayload

NOW = payloads.START_UNIX + 400 * payloads.DAY_S


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path: Path):
    url = database_url(request.param, tmp_path)
    db = make_engine(url)
    migrate(db)
    yield db
    db.dispose()


@pytest.fixture
def pad_id(engine) -> int:
    pad, _token = pads.pair(engine, "Gym pad", NOW)
    return pad["id"]


def _sessions(items: list[dict]) -> list[SessionPayload]:
    return [SessionPayload.model_validate(item) for item in items]


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_the_migrations_make_exactly_the_tables_the_code_uses(engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_again_changes_nothing(engine) -> None:
    assert migrate(engine) == "0001"


def test_a_database_of_someone_else_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sa.create_engine(f"sqlite:///{path}")
    with other.begin() as conn:
        conn.execute(sa.text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not the hub's; it was left untouched"):
        migrate(make_engine(f"sqlite:///{path}"))
    assert path.read_bytes() == before


def test_a_database_of_a_newer_hub_is_refused(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="newer hub"):
        migrate(engine)


def test_the_same_batch_twice_is_stored_once(engine, pad_id: int) -> None:
    ana = payloads.athlete("Ana", seed=1)
    batch = _sessions(
        [payloads.session(i, ana, payloads.START_UNIX + i * 1000, 10 - i) for i in range(5)]
    )
    first = ingest.push(engine, pad_id, batch, NOW)
    again = ingest.push(engine, pad_id, batch, NOW)
    assert (first.stored, first.duplicates) == (5, 0)
    assert (again.stored, again.duplicates) == (0, 5)
    assert again.acknowledged == [str(s.uuid) for s in batch]
    assert _count(engine, sessions) == 5
    assert _count(engine, reps) == 5 * 6


def test_a_batch_that_repeats_a_session_stores_it_once(engine, pad_id: int) -> None:
    one = payloads.session(1, None, payloads.START_UNIX, 5.0)
    result = ingest.push(engine, pad_id, _sessions([one, one]), NOW)
    assert result.acknowledged == [one["uuid"], one["uuid"]]
    assert _count(engine, sessions) == 1


def test_the_same_batch_pushed_at_once_from_two_threads_is_stored_once(engine, pad_id: int) -> None:
    ana = payloads.athlete("Ana", seed=1)
    batch = _sessions([payloads.session(i, ana, payloads.START_UNIX + i, 8.0) for i in range(20)])
    errors: list[BaseException] = []

    def push() -> None:
        try:
            ingest.push(engine, pad_id, batch, NOW)
        except BaseException as error:  # collected: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=push) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(engine, sessions) == 20
    assert _count(engine, reps) == 20 * 6


def test_reps_keep_the_pads_extra_keys(engine, pad_id: int) -> None:
    one = payloads.session(3, None, payloads.START_UNIX, 5.0)
    one["reps"][0]["explanation"] = {"why": "hand shift cut out", "cut_s": [1.5, 1.7]}
    ingest.push(engine, pad_id, _sessions([one]), NOW)
    with reading(engine) as conn:
        row = views.session_row(conn, one["uuid"])
        stored = views.session_reps(conn, row.id)
    assert stored[0]["explanation"] == {"why": "hand shift cut out", "cut_s": [1.5, 1.7]}
    assert [r["min_assistance_kg"] for r in stored] == [r["min_assistance_kg"] for r in one["reps"]]


def test_samples_are_stored_compressed_and_come_back_as_the_trace(engine, pad_id: int) -> None:
    one = payloads.session(4, None, payloads.START_UNIX, 5.0, with_samples=True)
    ingest.push(engine, pad_id, _sessions([one]), NOW)
    assert _count(engine, session_samples) == 1
    with reading(engine) as conn:
        drawn = trace.session_trace(conn, views.session_row(conn, one["uuid"]), max_points=500)
    assert drawn["samples"] == one["samples"]["n"]
    assert len(drawn["t_s"]) <= 500
    assert 0 <= drawn["t_s"][0] < drawn["t_s"][-1]


def test_an_athlete_new_to_the_hub_arrives_with_their_session(engine, pad_id: int) -> None:
    ben = payloads.athlete("Ben", seed=2)
    ingest.push(
        engine, pad_id, _sessions([payloads.session(5, ben, payloads.START_UNIX, 7.0)]), NOW
    )
    with reading(engine) as conn:
        stored = roster.get_athlete(conn, ben["uuid"])
    assert stored is not None
    assert stored["name"] == "Ben"
    assert stored["origin_pad_id"] == pad_id


def test_the_hubs_profile_wins_but_the_newest_relaxed_reading_wins(engine, pad_id: int) -> None:
    cat = payloads.athlete("Cat", seed=3, body_mass_kg=70.0)
    with engine.begin() as conn:
        roster.merge_from_pad(conn, [AthleteProfile.model_validate(cat)], pad_id, NOW)
    roster.update(engine, cat["uuid"], {"name": "Catherine", "body_mass_kg": 72.0}, NOW)
    stale = {**cat, "name": "Cat (pad's old name)", "body_mass_kg": 69.0}
    newer_reading = {**stale, "relaxed_kg": 38.5, "relaxed_at": NOW + 10}
    with engine.begin() as conn:
        roster.merge_from_pad(conn, [AthleteProfile.model_validate(newer_reading)], pad_id, NOW)
    older_reading = {**stale, "relaxed_kg": 30.0, "relaxed_at": NOW - 1000}
    with engine.begin() as conn:
        roster.merge_from_pad(conn, [AthleteProfile.model_validate(older_reading)], pad_id, NOW)
    with reading(engine) as conn:
        stored = roster.get_athlete(conn, cat["uuid"])
    assert stored is not None
    assert (stored["name"], stored["body_mass_kg"]) == ("Catherine", 72.0)
    assert (stored["relaxed_kg"], stored["relaxed_at"]) == (38.5, NOW + 10)


def test_the_team_table_shows_last_best_change_trend_forecast_and_strength(
    engine, pad_id: int
) -> None:
    dan = payloads.athlete("Dan", seed=4)
    history = payloads.weekly_history(dan, weeks=12, seed=4, start_kg=15.0)
    ingest.push(engine, pad_id, _sessions(history), NOW)
    with reading(engine) as conn:
        table = team_table.team_table(conn)
    (row,) = table["athletes"]
    last, previous = history[-1], history[-2]
    best = min(r["min_assistance_kg"] for r in last["reps"])
    before = min(r["min_assistance_kg"] for r in previous["reps"])
    assert row["athlete"]["name"] == "Dan"
    assert row["session_count"] == 12
    assert row["best_min_kg"] == pytest.approx(best)
    assert row["change_kg"] == pytest.approx(best - before, abs=1e-3)
    assert row["trend"]["slope_kg_per_week"] < 0
    assert row["forecast"]["status"] in ("forecast", "not_enough_data")
    assert row["strength"]["ankle_force_per_leg_n"] > 0
    assert row["last_session"]["pad_name"] == "Gym pad"
    assert "eccentric" in table["strength"]["caveat"]


def test_an_athletes_progress_spans_every_pad(engine, pad_id: int) -> None:
    other, _token = pads.pair(engine, "Home pad", NOW)
    eve = payloads.athlete("Eve", seed=5)
    history = payloads.weekly_history(eve, weeks=8, seed=5)
    ingest.push(engine, pad_id, _sessions(history[::2]), NOW)
    ingest.push(engine, other["id"], _sessions(history[1::2]), NOW)
    with reading(engine) as conn:
        progress = views.athlete_progress(
            conn, roster.get_athlete(conn, eve["uuid"]), "assisted", NOW
        )
    assert [p["session_uuid"] for p in progress["points"]] == [s["uuid"] for s in history]
    assert {p["pad_name"] for p in progress["points"]} == {"Gym pad", "Home pad"}
    assert progress["trend"] is not None


def test_the_team_tables_cached_rows_follow_new_sessions_and_profile_edits(
    engine, pad_id: int
) -> None:
    fin = payloads.athlete("Fin", seed=6)
    gil = payloads.athlete("Gil", seed=7)
    ingest.push(engine, pad_id, _sessions(payloads.weekly_history(fin, weeks=6, seed=6)), NOW)
    ingest.push(engine, pad_id, _sessions(payloads.weekly_history(gil, weeks=6, seed=7)), NOW)
    cache = team_table.TeamRowCache()
    with reading(engine) as conn:
        before = {
            r["athlete"]["name"]: r for r in team_table.team_table(conn, cache=cache)["athletes"]
        }
    newest = payloads.session(7777, fin, NOW, 1.25)
    ingest.push(engine, pad_id, _sessions([newest]), NOW)
    roster.update(engine, gil["uuid"], {"body_mass_kg": gil["body_mass_kg"] + 10}, NOW + 1)
    with reading(engine) as conn:
        after = {
            r["athlete"]["name"]: r for r in team_table.team_table(conn, cache=cache)["athletes"]
        }
    with reading(engine) as conn:
        fresh = {r["athlete"]["name"]: r for r in team_table.team_table(conn)["athletes"]}
    assert after == fresh
    assert after["Fin"]["best_min_kg"] == 1.25
    assert after["Fin"]["session_count"] == before["Fin"]["session_count"] + 1
    assert after["Gil"]["athlete"]["body_mass_kg"] == gil["body_mass_kg"] + 10
    assert (
        after["Gil"]["strength"]["ankle_force_per_leg_n"]
        != before["Gil"]["strength"]["ankle_force_per_leg_n"]
    )
