"""Opening the database file: recognise it as ours, refuse anything else, migrate the schema.

The state directory may hold a file we did not write (a restored backup of something else, a
half-copied file, a newer version's database). Writing to any of those destroys someone's data,
so everything about the file is checked through a read-only connection first, and only a file
that is ours (or empty) is opened for writing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from nhc_scale.store.errors import StoreError

DB_FILE_NAME = "nhc-scale.db"
# "NHCs" in ASCII: the SQLite header's application_id field says the file is ours.
APPLICATION_ID = 0x4E484373
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
MAX_ROW_ID = 2**63 - 1  # SQLite's largest INTEGER: ids beyond it name no row
# Keeps the WAL file from staying large after a big flush (the SD card has little room).
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024

# A uuid4 for each row of {table}, in SQL: random hex with the version (4) and variant bits in
# place. The subquery names the row (WHERE id = id) so SQLite draws anew for every row instead
# of once for the statement.
_UUID4 = (
    "(SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || "
    "substr('89ab', 1 + abs(random()) % 4, 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12) "
    "FROM (SELECT lower(hex(randomblob(16))) AS h WHERE {table}.id = {table}.id))"
)

# MIGRATIONS[i] takes the schema from user_version i to i + 1. Never edit a released entry:
# add a new one, so every existing database takes the same path to the current schema.
MIGRATIONS: Sequence[Sequence[str]] = (
    (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            name TEXT,
            notes TEXT NOT NULL DEFAULT '',
            started_at REAL NOT NULL,
            ended_at REAL,
            start_ns INTEGER NOT NULL,
            clock_synced INTEGER NOT NULL
        )""",
        """CREATE TABLE sample_blocks (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            first_t_ns INTEGER NOT NULL,
            n INTEGER NOT NULL,
            zero_counts REAL NOT NULL,
            counts_per_kg REAL NOT NULL,
            encoding INTEGER NOT NULL,
            t_deltas BLOB NOT NULL,
            counts BLOB NOT NULL
        )""",
        "CREATE INDEX sample_blocks_by_session ON sample_blocks(session_id, first_t_ns)",
        """CREATE TABLE reps (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            number INTEGER,
            min_assistance_kg REAL NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX reps_by_session ON reps(session_id, id)",
        """CREATE TABLE gaps (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            start_ns INTEGER NOT NULL,
            end_ns INTEGER NOT NULL,
            reason TEXT NOT NULL
        )""",
        "CREATE INDEX gaps_by_session ON gaps(session_id, start_ns)",
        "CREATE TABLE prefs (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    (
        # Athletes, and the athlete and exercise variation of each session. Sessions recorded
        # before keep athlete_id NULL ("unassigned") and are assisted reps, which is all the
        # appliance recorded then.
        """CREATE TABLE athletes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            body_mass_kg REAL NOT NULL,
            height_m REAL NOT NULL,
            knee_to_hands_m REAL,
            knee_to_ankle_m REAL,
            relaxed_kg REAL,
            relaxed_at REAL,
            created_at REAL NOT NULL
        )""",
        # One row at most: the athlete whom new sessions belong to.
        """CREATE TABLE active_athlete (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            athlete_id INTEGER REFERENCES athletes(id) ON DELETE SET NULL
        )""",
        "ALTER TABLE sessions ADD COLUMN athlete_id INTEGER "
        "REFERENCES athletes(id) ON DELETE SET NULL",
        "ALTER TABLE sessions ADD COLUMN variation TEXT NOT NULL DEFAULT 'assisted'",
        "CREATE INDEX sessions_by_athlete ON sessions(athlete_id, started_at)",
    ),
    (
        # Ids are never reused (AUTOINCREMENT): a phone or a client holding the id of a deleted
        # session or athlete must never reach another one by it. SQLite cannot add the keyword
        # to a table, so both are rebuilt (foreign keys are off while migrating; the references
        # of reps, gaps, samples and sessions name the tables, and so find the new ones).
        """CREATE TABLE athletes_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            body_mass_kg REAL NOT NULL,
            height_m REAL NOT NULL,
            knee_to_hands_m REAL,
            knee_to_ankle_m REAL,
            relaxed_kg REAL,
            relaxed_at REAL,
            created_at REAL NOT NULL
        )""",
        "INSERT INTO athletes_new SELECT id, name, body_mass_kg, height_m, knee_to_hands_m, "
        "knee_to_ankle_m, relaxed_kg, relaxed_at, created_at FROM athletes",
        "DROP TABLE athletes",
        "ALTER TABLE athletes_new RENAME TO athletes",
        """CREATE TABLE sessions_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT,
            notes TEXT NOT NULL DEFAULT '',
            started_at REAL NOT NULL,
            ended_at REAL,
            start_ns INTEGER NOT NULL,
            clock_synced INTEGER NOT NULL,
            athlete_id INTEGER REFERENCES athletes(id) ON DELETE SET NULL,
            variation TEXT NOT NULL DEFAULT 'assisted'
        )""",
        "INSERT INTO sessions_new SELECT id, name, notes, started_at, ended_at, start_ns, "
        "clock_synced, athlete_id, variation FROM sessions",
        "DROP TABLE sessions",
        "ALTER TABLE sessions_new RENAME TO sessions",
        "CREATE INDEX sessions_by_athlete ON sessions(athlete_id, started_at)",
    ),
    (
        # One id everywhere: sessions and athletes get a uuid (uuid4), their key at a team hub
        # (docs/hub.md), and finished sessions wait in an outbox until a hub has them. Rows of
        # before get a fresh uuid each; every session already finished is queued.
        "ALTER TABLE sessions ADD COLUMN uuid TEXT",
        f"UPDATE sessions SET uuid = {_UUID4.format(table='sessions')}",
        "CREATE UNIQUE INDEX sessions_by_uuid ON sessions(uuid)",
        "ALTER TABLE athletes ADD COLUMN uuid TEXT",
        f"UPDATE athletes SET uuid = {_UUID4.format(table='athletes')}",
        "CREATE UNIQUE INDEX athletes_by_uuid ON athletes(uuid)",
        # A row per finished session that no hub has acknowledged; written in the transaction
        # that ends the session. rejected_reason: the hub refused it (it is kept, not resent).
        """CREATE TABLE outbox (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            queued_at REAL NOT NULL,
            rejected_reason TEXT
        )""",
        "INSERT INTO outbox (session_id, queued_at) "
        "SELECT id, ended_at FROM sessions WHERE ended_at IS NOT NULL",
    ),
    (
        # The hub the outbox answers to: the one whose acknowledgements took sessions out of
        # it. A pad paired with another hub queues every finished session again for that one.
        """CREATE TABLE outbox_hub (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            hub_url TEXT NOT NULL
        )""",
        # Athletes deleted here, by uuid: a hub's roster does not bring them back to this pad
        # (the hub keeps them; they were removed from this pad only).
        "CREATE TABLE athletes_removed (uuid TEXT PRIMARY KEY)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def _inspect(path: Path) -> None:
    """Refuse a file that is not ours, is corrupt or is newer, without changing a byte of it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # SQLite treats an empty file as an empty database: ours to initialise
    with path.open("rb") as f:
        magic = f.read(len(SQLITE_MAGIC))
    if magic != SQLITE_MAGIC:
        raise StoreError(
            f"{path} is not an SQLite database, so it is not nhc-scale's; it was left untouched. "
            "Move it away or choose another state directory."
        )
    siblings = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = [p.exists() for p in siblings]
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            check = [row[0] for row in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} cannot be read as a database ({exc}); it was left untouched. "
            "Move it away (nhc-scale starts a new one) or restore a backup."
        ) from exc
    finally:
        # A read-only look at a WAL database leaves empty -wal/-shm files behind; remove the
        # ones we created so a foreign file's directory is as we found it.
        for sibling, was_there in zip(siblings, existed, strict=True):
            if (
                not was_there
                and sibling.exists()
                and (sibling.name.endswith("-shm") or sibling.stat().st_size == 0)
            ):
                sibling.unlink(missing_ok=True)
    if app_id != APPLICATION_ID and not (app_id == 0 and objects == 0 and version == 0):
        raise StoreError(
            f"{path} is an SQLite database of another program (application id {app_id:#x}); "
            "it was left untouched. Move it away or choose another state directory."
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer nhc-scale (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); it was left untouched. Update nhc-scale."
        )
    if check != ["ok"]:
        raise StoreError(
            f"{path} is damaged ({'; '.join(check[:3])}); it was left untouched. "
            "Move it away (nhc-scale starts a new one) or restore a backup."
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION, one transaction per step (a crash redoes the step).

    Foreign keys must be off (a rebuilt table is dropped and renamed); each step checks them
    itself before it commits.
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(
                    f"step {version + 1} would leave {len(broken)} rows pointing nowhere"
                )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"Cannot prepare the database {path}: {exc}.") from exc


def _check_writable(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a database we can read but not write, at start and in one sentence: otherwise
    every flush would fail while the page looked fine. A full disk is not refused: the
    appliance runs on, keeps samples in memory and says so on the page."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a write of the same value
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        rollback(conn)
        if _is_readonly(exc):
            raise _unwritable(path, exc) from exc


def _is_readonly(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY")


def _unwritable(path: Path, exc: sqlite3.Error) -> StoreError:
    return StoreError(
        f"The database {path} cannot be written ({exc}): check that the file and its directory "
        "belong to the user nhc-scale runs as, and that the disk is not mounted read-only. "
        "Nothing was changed."
    )


def rollback(conn: sqlite3.Connection) -> None:
    """Undo a failed transaction; SQLite may already have rolled it back (e.g. when full)."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):  # the original error is the one to report
            conn.execute("ROLLBACK")


def connect(path: Path) -> sqlite3.Connection:
    """A read-write connection to our database at ``path``, created and migrated as needed.

    WAL with ``synchronous=FULL``: WAL alone keeps the file consistent through a power cut or a
    SIGKILL (a torn commit is simply not in the log); FULL also fsyncs the log at each commit,
    so a flush that returned survives a power cut too. That is one fsync a second, which the
    one-commit-a-second budget already pays for, and a rep the phone showed as saved is saved.
    """
    _inspect(path)
    try:
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise StoreError(f"Cannot open the database {path}: {exc}.") from exc
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"The database {path} cannot use write-ahead logging ({mode}).")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        _migrate(conn, path)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.row_factory = sqlite3.Row  # every row is read by column name
        _check_writable(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        if _is_readonly(exc):
            raise _unwritable(path, exc) from exc
        raise StoreError(f"Cannot open the database {path}: {exc}.") from exc
    except StoreError:
        conn.close()
        raise
    return conn
