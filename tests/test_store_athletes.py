"""Athletes in the store: the schema migration keeps old sessions, and sessions follow the
active athlete."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nhc_scale.store import SCHEMA_VERSION, Store
from nhc_scale.store.schema import APPLICATION_ID, DB_FILE_NAME, MIGRATIONS

ANNA = {"name": "Anna", "body_mass_kg": 70.0, "height_m": 1.72}


def test_a_schema_1_database_keeps_its_sessions_unassigned(tmp_path: Path) -> None:
    path = tmp_path / DB_FILE_NAME
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO sessions (name, started_at, start_ns, clock_synced) VALUES ('old', 1e9, 0, 1)"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        (session,) = store.list_sessions()
        assert session.name == "old"
        assert session.athlete_id is None and session.variation == "assisted"
        assert store.list_athletes() == [] and store.active_athlete_id() is None
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()


def test_new_sessions_take_the_active_athlete_and_their_latest_variation(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        anna = store.create_athlete(ANNA, created_at=1e9)
        store.set_active_athlete(anna.id)
        first = store.create_session(None, 1e9, 0, True)
        store.update_session(first, variation="chest")
        second = store.create_session(None, 1e9 + 7 * 86400, 0, True)
        assert store.get_session(second).athlete_id == anna.id
        assert store.get_session(second).variation == "chest"
        assert [s.id for s in store.list_sessions(athlete_id=anna.id)] == [second, first]
        store.set_active_athlete(None)
        third = store.create_session(None, 1e9 + 8 * 86400, 0, True)
        assert store.get_session(third).athlete_id is None
        assert store.get_session(third).variation == "assisted"
        assert [s.id for s in store.list_sessions(athlete_id=None)] == [third]


def test_deleting_an_athlete_unassigns_sessions_and_clears_the_active_one(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        anna = store.create_athlete(ANNA, created_at=1e9)
        store.set_active_athlete(anna.id)
        session = store.create_session(None, 1e9, 0, True)
        assert store.get_athlete(anna.id).session_count == 1
        assert store.delete_athlete(anna.id) == 1
        assert store.get_session(session).athlete_id is None
        assert store.active_athlete_id() is None


def test_every_change_to_the_athletes_or_the_active_one_moves_the_roster_revision(
    tmp_path: Path,
) -> None:
    """A phone compares the revision with the one its list was loaded at (docs/api.md)."""
    with Store.open(tmp_path) as store:
        seen = [store.roster_revision]

        def moved() -> bool:
            seen.append(store.roster_revision)
            return seen[-1] != seen[-2]

        anna = store.create_athlete(ANNA, created_at=1e9)
        assert moved()
        store.update_athlete(anna.id, {"name": "Anna B."})
        assert moved()
        store.set_active_athlete(anna.id)
        assert moved()
        assert store.update_relaxed_if_newer(anna.id, 30.0, 1e9)
        assert moved()
        assert not store.update_relaxed_if_newer(anna.id, 29.0, 1e9 - 1)  # older: nothing written
        assert not moved()
        store.list_athletes(), store.get_athlete(anna.id), store.active_athlete_id()
        session = store.create_session(None, 1e9, 0, True)
        store.end_session(session, 1e9 + 60)
        assert not moved()  # reads and sessions leave the roster as it was
        assert store.delete_athlete(anna.id) == 1
        assert moved()
