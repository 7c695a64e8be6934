"""The session store: exact round trips, buffered reads, refusing foreign files, crash safety."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from nhc_scale.store import (
    APPLICATION_ID,
    DB_FILE_NAME,
    SCHEMA_VERSION,
    Store,
    StoreError,
    UnknownSessionError,
    counts_to_kg,
)

PERIOD_NS = 12_500_000  # 80 S/s
ZERO = 84_000.0
CPK = 10_123.5


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / DB_FILE_NAME


@pytest.fixture
def store(db: Path):
    s = Store.open(db)
    yield s
    s.close()


def _samples(n: int, seed: int = 1, t0: int = 5_000_000_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = t0 + np.arange(n, dtype=np.int64) * PERIOD_NS + rng.integers(-50_000, 50_000, n)
    counts = ZERO + 20 * CPK * np.abs(np.sin(np.arange(n) / 200)) + rng.normal(0, 120, n)
    return t.astype(np.int64), np.round(counts).astype(np.int32)


def _rep(number: int, min_kg: float) -> dict:
    return {
        "number": number,
        "start_s": float(number * 10),
        "end_s": number * 10 + 6.5,
        "min_assistance_kg": min_kg,
        "min_at_s": number * 10 + 4.0,
        "unassisted": min_kg == 0.0,
        "landing_peak_kg": 40.0,
        "hold_kg": 30.0,
        "push_off_peak_kg": None if min_kg == 0.0 else 35.0,
        "effort_s": 2.5,
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _new_session(store: Store, start_ns: int = 5_000_000_000) -> int:
    return store.create_session("Monday", 1_700_000_000.0, start_ns, True)


# -- samples -------------------------------------------------------------------------------


def test_counts_to_kg_is_the_rounded_linear_conversion() -> None:
    counts = np.array([84_000, 94_123, 83_999, 300_000], dtype=np.int32)
    kg = counts_to_kg(counts, ZERO, CPK)
    assert kg.dtype == np.float64
    assert kg.tolist() == [round((c - ZERO) / CPK, 4) for c in counts.tolist()]
    assert counts_to_kg([84_000, 94_123, 83_999, 300_000], ZERO, CPK).tolist() == kg.tolist()


def test_samples_round_trip_exactly_across_gaps_calibrations_and_reopen(db: Path) -> None:
    t, c = _samples(5_000)
    t[3_000:] += 10_000_000_000  # a 10 s hole: beyond an int32 ns delta, starts a new block
    with Store.open(db) as store:
        sid = _new_session(store)
        for lo in range(0, 2_000, 80):
            store.append_samples(sid, t[lo : lo + 80], c[lo : lo + 80], ZERO, CPK)
            store.flush()
        store.append_samples(sid, t[2_000:].tolist(), c[2_000:].tolist(), ZERO + 5, CPK * 1.01)
    with Store.open(db) as store:
        back = store.samples(sid)
    assert back.t_ns.dtype == np.int64 and back.counts.dtype == np.int32
    assert np.array_equal(back.t_ns, t)
    assert np.array_equal(back.counts, c)
    expected = np.concatenate(
        [counts_to_kg(c[:2_000], ZERO, CPK), counts_to_kg(c[2_000:], ZERO + 5, CPK * 1.01)]
    )
    assert np.array_equal(back.force_kg, expected)


def test_buffered_samples_reps_and_gaps_are_visible_before_flush(store: Store) -> None:
    sid = _new_session(store)
    t, c = _samples(800)
    store.append_samples(sid, t[:400], c[:400], ZERO, CPK)
    store.flush()
    store.append_samples(sid, t[400:], c[400:], ZERO, CPK)
    store.add_rep(sid, _rep(1, 12.5))
    store.add_gap(sid, int(t[-1]) + 1, int(t[-1]) + 2_000_000_000, "sampler_restart")
    assert store.status()["buffered_samples"] == 400
    assert np.array_equal(store.samples(sid).t_ns, t)
    assert store.reps(sid) == [_rep(1, 12.5)]
    assert [asdict(gap) for gap in store.gaps(sid)] == [
        {
            "start_ns": int(t[-1]) + 1,
            "end_ns": int(t[-1]) + 2_000_000_000,
            "reason": "sampler_restart",
        }
    ]
    assert store.get_session(sid).rep_count == 1


def test_samples_come_back_in_time_order_even_if_appended_out_of_order(store: Store) -> None:
    sid = _new_session(store)
    t, c = _samples(300)
    store.append_samples(sid, t[200:], c[200:], ZERO, CPK)
    store.flush()
    store.append_samples(sid, t[:200], c[:200], ZERO, CPK)
    back = store.samples(sid)
    assert np.array_equal(back.t_ns, t) and np.array_equal(back.counts, c)


def test_a_session_without_samples_has_empty_arrays(store: Store) -> None:
    back = store.samples(_new_session(store))
    assert len(back) == 0 and back.t_ns.dtype == np.int64 and back.force_kg.dtype == np.float64


def test_bad_samples_are_refused_at_append_not_at_flush(store: Store) -> None:
    sid = _new_session(store)
    with pytest.raises(ValueError):
        store.append_samples(sid, [1, 2], [1], ZERO, CPK)
    with pytest.raises(ValueError):
        store.append_samples(sid, [1.5], [1], ZERO, CPK)
    with pytest.raises(ValueError):
        store.append_samples(sid, [1], [2**31 - 1], ZERO, CPK)
    with pytest.raises(ValueError):
        store.append_samples(sid, [1], [1], ZERO, 0.0)
    with pytest.raises(ValueError):
        store.add_rep(sid, {"number": 1, "min_assistance_kg": float("nan")})
    with pytest.raises(UnknownSessionError):
        store.append_samples(sid + 1, [1], [1], ZERO, CPK)
    store.flush()
    assert store.status()["status"] == "ok"


# -- sessions ------------------------------------------------------------------------------


def test_sessions_are_created_listed_newest_first_updated_and_ended(store: Store) -> None:
    first = store.create_session(None, 1_700_000_000.0, 1_000, False)
    store.end_session(first, 1_700_000_600.0)
    second = store.create_session("Leg day", 1_700_086_400.0, 2_000, True)

    assert [s.id for s in store.list_sessions()] == [second, first]
    record = store.get_session(first)
    assert record.name is None and record.notes == "" and not record.clock_synced
    assert record.ended_at == 1_700_000_600.0 and not record.active
    assert record.start_ns == 1_000 and record.started_at == 1_700_000_000.0
    assert store.active_session().id == second and store.active_session().active

    updated = store.update_session(second, notes="felt strong")
    assert (updated.name, updated.notes) == ("Leg day", "felt strong")
    updated = store.update_session(second, name=None)
    assert (updated.name, updated.notes) == (None, "felt strong")
    assert store.update_session(second, name="Renamed", notes=None).notes == "felt strong"

    store.end_session(second, 1_700_087_000.0)
    assert store.active_session() is None
    assert store.get_session(12345) is None
    with pytest.raises(UnknownSessionError):
        store.update_session(12345, name="x")


def test_best_and_median_minimum_follow_the_reps_flushed_or_not(store: Store) -> None:
    sid = _new_session(store)
    assert (store.get_session(sid).best_min_kg, store.get_session(sid).median_min_kg) == (
        None,
        None,
    )
    for number, kg in enumerate([14.0, 11.5, 12.0], start=1):
        store.add_rep(sid, _rep(number, kg))
    store.flush()
    store.add_rep(sid, _rep(4, 11.0))
    record = store.get_session(sid)
    assert (record.rep_count, record.best_min_kg, record.median_min_kg) == (4, 11.0, 11.75)
    assert store.list_sessions()[0] == record


def test_reps_come_back_in_the_order_added(store: Store) -> None:
    sid = _new_session(store)
    other = _new_session(store)
    reps = [_rep(n, 20.0 - n) for n in range(1, 8)]
    for i, rep in enumerate(reps):
        store.add_rep(sid, rep)
        store.add_rep(other, _rep(i + 1, 5.0))
        if i % 3 == 2:
            store.flush()
    assert store.reps(sid) == reps
    assert [r["number"] for r in store.reps(other)] == list(range(1, 8))


def test_reps_are_kept_as_given_even_if_the_caller_changes_its_dict(store: Store) -> None:
    sid = _new_session(store)
    rep = _rep(1, 10.0)
    store.add_rep(sid, rep)
    rep["min_assistance_kg"] = 99.0
    assert store.reps(sid)[0]["min_assistance_kg"] == 10.0


def test_deleting_a_session_removes_its_samples_reps_and_gaps(db: Path) -> None:
    with Store.open(db) as store:
        sid = _new_session(store)
        keep = _new_session(store)
        t, c = _samples(400)
        for session in (sid, keep):
            store.append_samples(session, t, c, ZERO, CPK)
            store.add_rep(session, _rep(1, 10.0))
            store.add_gap(session, 1, 2, "sampler_restart")
        store.flush()
        store.append_samples(sid, t + 10**10, c, ZERO, CPK)  # buffered data goes too
        store.delete_session(sid)
        store.flush()
        assert store.get_session(sid) is None
        with pytest.raises(UnknownSessionError):
            store.samples(sid)
        with pytest.raises(UnknownSessionError):
            store.delete_session(sid)
        assert len(store.samples(keep)) == 400
    with sqlite3.connect(db) as conn:
        for table in ("sample_blocks", "reps", "gaps"):
            rows = conn.execute(f"SELECT count(*) FROM {table} WHERE session_id = ?", (sid,))
            assert rows.fetchone()[0] == 0
            rows = conn.execute(f"SELECT count(*) FROM {table} WHERE session_id = ?", (keep,))
            assert rows.fetchone()[0] >= 1


def test_progress_lists_sessions_oldest_first_with_their_best(store: Store) -> None:
    old = store.create_session(None, 1_000.0, 0, True)
    new = store.create_session(None, 2_000.0, 0, True)
    store.add_rep(old, _rep(1, 15.0))
    store.add_rep(new, _rep(1, 9.0))
    store.add_rep(new, _rep(2, 8.5))
    assert store.progress() == [
        {"session_id": old, "started_at": 1_000.0, "best_min_kg": 15.0, "rep_count": 1},
        {"session_id": new, "started_at": 2_000.0, "best_min_kg": 8.5, "rep_count": 2},
    ]


def test_prefs_merge_and_survive_reopening(db: Path) -> None:
    with Store.open(db) as store:
        assert store.get_prefs() == {}
        store.set_prefs({"units": "kg", "sound": True, "body_mass_kg": None})
        store.set_prefs({"units": "lb", "auto_stop_min": 10.0})
    with Store.open(db) as store:
        assert store.get_prefs() == {
            "units": "lb",
            "sound": True,
            "body_mass_kg": None,
            "auto_stop_min": 10.0,
        }


def test_open_accepts_the_state_directory(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        assert store.path == tmp_path / DB_FILE_NAME
    assert (tmp_path / DB_FILE_NAME).exists()


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    assert store.status()["status"] == "error"
    with pytest.raises(StoreError, match="closed"):
        store.list_sessions()
    store.close()  # twice is fine


# -- opening files: ours, empty, foreign, damaged, newer -------------------------------------


def _schema_version(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("PRAGMA application_id").fetchone()[0],
            conn.execute("PRAGMA user_version").fetchone()[0],
        )


def test_an_empty_file_becomes_a_database_of_the_current_schema(db: Path) -> None:
    db.write_bytes(b"")
    Store.open(db).close()
    assert _schema_version(db) == (APPLICATION_ID, SCHEMA_VERSION)


def test_a_version_0_database_is_migrated(db: Path) -> None:
    """Both an empty SQLite file and one stamped ours before its first migration committed."""
    sqlite3.connect(db).execute("PRAGMA journal_mode = WAL").fetchone()  # header, no tables
    Store.open(db).close()
    assert _schema_version(db) == (APPLICATION_ID, SCHEMA_VERSION)

    other = db.with_name("stamped.db")
    with sqlite3.connect(other) as conn:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    with Store.open(other) as store:
        assert store.list_sessions() == []
    assert _schema_version(other) == (APPLICATION_ID, SCHEMA_VERSION)


def _assert_refused(path: Path, match: str) -> None:
    before = _digest(path)
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(StoreError, match=match):
        Store.open(path)
    assert _digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == siblings


def test_a_database_of_another_program_is_refused_and_left_untouched(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, data BLOB)")
        conn.execute("INSERT INTO photos (data) VALUES (x'00ff')")
    _assert_refused(db, "another program")


def test_a_wal_database_with_another_application_id_is_refused_and_left_untouched(
    db: Path,
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA application_id = 1234")
    conn.close()
    _assert_refused(db, "another program")


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(db: Path) -> None:
    db.write_bytes(np.random.default_rng(3).bytes(10_000))
    _assert_refused(db, "not an SQLite database")


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(db: Path) -> None:
    Store.open(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    _assert_refused(db, "newer")


def test_a_damaged_database_is_refused_and_left_untouched(db: Path) -> None:
    with Store.open(db) as store:
        sid = _new_session(store)
        t, c = _samples(20_000)
        for lo in range(0, t.size, 800):
            store.append_samples(sid, t[lo : lo + 800], c[lo : lo + 800], ZERO, CPK)
            store.add_rep(sid, _rep(lo, 10.0))
            store.flush()
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[3 * page : 5 * page] = b"\xab" * (2 * page)
    db.write_bytes(bytes(data))
    _assert_refused(db, "damaged|cannot be read")


# -- crash safety --------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import numpy as np
    from nhc_scale.store import Store

    period, base = 12_500_000, 7_000_000_000
    store = Store.open(Path(sys.argv[1]))
    active = store.active_session()
    sid = active.id if active else store.create_session("crash", 0.0, base, True)
    total = len(store.samples(sid))
    print(total, flush=True)
    while True:
        t = base + np.arange(total, total + 80, dtype=np.int64) * period
        counts = (np.arange(total, total + 80) % 5000).astype(np.int32)
        store.append_samples(sid, t, counts, 100.0, 1000.0)
        store.add_rep(sid, {"number": total // 80, "min_assistance_kg": 1.0})
        store.flush()
        total += 80
        print(total, flush=True)
    """
)


@pytest.mark.integration
def test_sigkill_during_flushes_never_corrupts_and_keeps_every_flushed_block(db: Path) -> None:
    confirmed = 0
    for attempt in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None
            for _ in range(1 + attempt % 6):  # the first line is the count found at start
                line = child.stdout.readline()
                if line:
                    confirmed = int(line)
            if attempt % 2:  # land the kill at different points of the next flush
                time.sleep(0.0005 * attempt)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            child.stdout.close()
        # Flushes after the last line read are kept too: hence >= confirmed.
        with Store.open(db) as store:
            (session,) = store.list_sessions()
            back = store.samples(session.id)
            assert len(back) >= confirmed and len(back) % 80 == 0
            expected = 7_000_000_000 + np.arange(len(back), dtype=np.int64) * 12_500_000
            assert np.array_equal(back.t_ns, expected)
            assert session.rep_count == len(back) // 80
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert confirmed > 0


# -- disk full -----------------------------------------------------------------------------


def _fill_disk(store: Store, extra_pages: int = 0) -> None:
    """Simulate a full disk: no page may be added to the database file (test-only access)."""
    conn = store._conn
    assert conn is not None
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


def _free_disk(store: Store) -> None:
    assert store._conn is not None
    store._conn.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_fails_the_flush_keeps_the_data_and_writes_it_later(db: Path) -> None:
    with Store.open(db) as store:
        sid = _new_session(store)
        t, c = _samples(8_000)
        store.append_samples(sid, t[:80], c[:80], ZERO, CPK)
        store.flush()
        _fill_disk(store)
        store.append_samples(sid, t[80:], c[80:], ZERO, CPK)
        store.add_rep(sid, _rep(1, 10.0))
        with pytest.raises(StoreError, match="full"):
            store.flush()
        status = store.status()
        assert status["status"] == "error" and "full" in status["message"]
        assert status["buffered_samples"] == 8_000 - 80
        assert np.array_equal(store.samples(sid).counts, c)
        with pytest.raises(StoreError, match="full"):  # retried on the next flush, still full
            store.flush()
        _free_disk(store)
        store.flush()
        assert store.status()["status"] == "ok"
        assert store.status()["buffered_samples"] == 0
    with Store.open(db) as store:
        back = store.samples(sid)
        assert np.array_equal(back.t_ns, t) and np.array_equal(back.counts, c)
        assert store.reps(sid) == [_rep(1, 10.0)]


def test_ending_a_session_on_a_full_disk_is_kept_until_it_can_be_written(db: Path) -> None:
    with Store.open(db) as store:
        sid = _new_session(store)
        _fill_disk(store)
        t, c = _samples(8_000)
        store.append_samples(sid, t, c, ZERO, CPK)
        with pytest.raises(StoreError):
            store.end_session(sid, 1_700_000_900.0)
        assert not store.get_session(sid).active
        _free_disk(store)
        store.flush()
    with Store.open(db) as store:
        assert store.get_session(sid).ended_at == 1_700_000_900.0


def test_the_buffer_is_bounded_and_records_the_samples_it_dropped(db: Path) -> None:
    with Store.open(db, max_buffered_samples=4_000) as store:
        sid = _new_session(store)
        _fill_disk(store)
        t, c = _samples(12_000)
        for lo in range(0, t.size, 100):
            store.append_samples(sid, t[lo : lo + 100], c[lo : lo + 100], ZERO, CPK)
        with pytest.raises(StoreError):
            store.flush()
        status = store.status()
        assert status["buffered_samples"] == 4_000 and status["dropped_samples"] == 8_000
        assert np.array_equal(store.samples(sid).t_ns, t[8_000:])
        assert [asdict(gap) for gap in store.gaps(sid)] == [
            {"start_ns": int(t[0]), "end_ns": int(t[7_999]), "reason": "store_overflow"}
        ]
        _free_disk(store)
    with Store.open(db) as store:
        assert len(store.samples(sid)) == 4_000 and len(store.gaps(sid)) == 1


# -- threads -------------------------------------------------------------------------------


def test_readers_in_other_threads_never_see_samples_missing_or_twice(store: Store) -> None:
    sid = _new_session(store)
    t, c = _samples(16_000)
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                back = store.samples(sid)
                assert np.array_equal(back.t_ns, t[: len(back)])
                seen.append(len(back))
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    for lo in range(0, t.size, 80):
        store.append_samples(sid, t[lo : lo + 80], c[lo : lo + 80], ZERO, CPK)
        if lo % 400 == 0:
            store.flush()
    done.set()
    reader.join()
    assert not errors
    assert seen == sorted(seen)


def test_ids_of_deleted_sessions_and_athletes_are_never_given_again(tmp_path: Path) -> None:
    """A phone or a client holding the id of something deleted must never reach something else
    by it (a reused id once moved a session's times once per reuse)."""
    with Store.open(tmp_path) as store:
        first = store.create_session(None, 1e9, 0, True)
        store.delete_session(first)
        second = store.create_session(None, 1e9, 0, True)
        athlete = store.create_athlete(
            {"name": "A", "body_mass_kg": 70, "height_m": 1.7}, created_at=1e9
        ).id
        store.delete_athlete(athlete)
        again = store.create_athlete(
            {"name": "B", "body_mass_kg": 70, "height_m": 1.7}, created_at=1e9
        ).id
    with Store.open(tmp_path) as store:  # nor after a restart
        third = store.create_session(None, 1e9, 0, True)
    assert len({first, second, third}) == 3 and again != athlete


def test_the_migration_to_ids_never_reused_keeps_every_row_and_reference(tmp_path: Path) -> None:
    from nhc_scale.store.schema import MIGRATIONS

    path = tmp_path / DB_FILE_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:2]:
        for statement in step:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO athletes (id, name, body_mass_kg, height_m, created_at) "
        "VALUES (4, 'Ann', 70, 1.7, 1e9)"
    )
    conn.execute("INSERT INTO active_athlete (id, athlete_id) VALUES (1, 4)")
    conn.execute(
        "INSERT INTO sessions (id, name, started_at, start_ns, clock_synced, athlete_id) "
        "VALUES (7, 'old', 1e9, 0, 1, 4)"
    )
    conn.execute(
        "INSERT INTO reps (session_id, number, min_assistance_kg, data) "
        """VALUES (7, 1, 12.5, '{"number": 1, "min_assistance_kg": 12.5}')"""
    )
    conn.close()
    with Store.open(path) as store:
        (session,) = store.list_sessions()
        assert (session.id, session.name, session.athlete_id) == (7, "old", 4)
        assert store.reps(7) == [{"number": 1, "min_assistance_kg": 12.5}]
        assert store.active_athlete_id() == 4 and store.get_athlete(4).session_count == 1
        store.delete_session(7)  # the reps still cascade with the session
        assert store.create_session(None, 1e9, 0, True) == 8
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT count(*) FROM reps").fetchone()[0] == 0
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        check.close()


def test_a_finished_session_is_queued_for_the_hub_in_the_commit_that_ends_it(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path) as store:
        running = store.create_session("now", 1e9, 0, True)
        assert store.outbox(10) == [] and store.outbox_counts() == {"queued": 0, "rejected": 0}
        store.end_session(running, 1e9 + 60)
        (queued,) = store.outbox(10)
        assert queued.id == running and uuid.UUID(queued.uuid).version == 4
        later = store.create_session("later", 2e9, 0, True)
        store.end_session(later, 2e9 + 60)
        refused = store.create_session("refused", 3e9, 0, True)
        store.end_session(refused, 3e9 + 60)
        assert [r.id for r in store.outbox(10)] == [running, later, refused]
        store.mark_synced([queued.uuid, str(uuid.uuid4())])  # an unknown uuid is ignored
        store.mark_sync_rejected(store.get_session(refused).uuid, "the hub said no")
        assert [r.id for r in store.outbox(10)] == [later]
        assert store.outbox_counts() == {"queued": 1, "rejected": 1}
        store.delete_session(later)  # deleted before it was sent: nothing is left to send
        assert store.outbox(10) == []


def test_the_migration_to_uuids_gives_every_row_its_own_and_queues_finished_sessions(
    tmp_path: Path,
) -> None:
    from nhc_scale.store.schema import MIGRATIONS

    path = tmp_path / DB_FILE_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:3]:
        for statement in step:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 3")
    for ended in (1e9 + 60, 2e9 + 60, None):
        conn.execute(
            "INSERT INTO sessions (started_at, ended_at, start_ns, clock_synced) "
            "VALUES (?, ?, 0, 1)",
            (1e9, ended),
        )
    for name in ("A", "B"):
        conn.execute(
            "INSERT INTO athletes (name, body_mass_kg, height_m, created_at) "
            "VALUES (?, 70, 1.7, 1)",
            (name,),
        )
    conn.close()
    with Store.open(path) as store:
        sessions = store.list_sessions()
        athletes = store.list_athletes()
        assert len({s.uuid for s in sessions}) == 3 and len({a.uuid for a in athletes}) == 2
        assert all(uuid.UUID(x.uuid).version == 4 for x in [*sessions, *athletes])
        assert store.outbox_counts()["queued"] == 2  # the two finished, not the open one
