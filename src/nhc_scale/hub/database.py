"""The hub's database: one SQLAlchemy engine for SQLite or PostgreSQL, migrated by Alembic.

Everything above this module is written once for both engines. What differs is kept here:

- SQLite gets WAL, ``synchronous=FULL`` (an acknowledged session survives a power cut),
  foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for writes: a transaction that reads
  and then writes could otherwise fail at once with "database is locked" when another write
  committed in between, instead of waiting its turn.
- "Insert unless the key is there" is ``INSERT ... ON CONFLICT DO NOTHING`` in both; the
  statement comes from the engine's dialect.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 10.0
_WRITE = "nhc_hub_write"


class DatabaseError(Exception):
    """The database cannot be opened, is not the hub's, or is newer; the message says why."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off so that "begin" below decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    writing = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; for SQLite the file's directory is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseError(
                    f"Cannot create the hub's state directory {Path(parsed.database).parent}: "
                    f"{error.strerror}."
                ) from None
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pool_pre_ping: a club's server restarted under a running hub costs one retry, not a 500.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a write transaction, committed on leaving (rolled back on an error)."""
    with engine.connect().execution_options(**{_WRITE: True}) as conn, conn.begin():
        yield conn


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in one read transaction: the queries of one answer see one snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn


def insert_new(engine: sa.Engine | sa.Connection, table: sa.Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for this engine's dialect."""
    name = engine.dialect.name
    if name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise DatabaseError(f"the hub runs on SQLite or PostgreSQL, not {name}")


def _alembic_config(conn: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _known_revision(script: ScriptDirectory, revision: str) -> bool:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except (CommandError, RevisionError):
        return False


def _look(engine: sa.Engine) -> tuple[set[str], set[str]]:
    """The tables and the Alembic revisions in the database, changing nothing: an SQLite file
    is read through a plain read-only connection (the engine's own would switch it to WAL)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        path = Path(database)
        if not path.exists() or path.stat().st_size == 0:
            return set(), set()
        plain = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        try:
            names = "SELECT name FROM sqlite_master WHERE type = 'table'"
            tables = {row[0] for row in plain.execute(names)}
            current: set[str] = set()
            if "alembic_version" in tables:
                versions = "SELECT version_num FROM alembic_version"
                current = {row[0] for row in plain.execute(versions)}
            return tables, current
        finally:
            plain.close()
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        current = set()
        if "alembic_version" in tables:
            query = sa.text("SELECT version_num FROM alembic_version")
            current = {row[0] for row in conn.execute(query)}
        conn.rollback()
    return tables, current


def migrate(engine: sa.Engine) -> str:
    """Bring the schema to the newest revision; returns it.

    Refuses, without changing anything, a database that holds tables but no Alembic history
    (someone else's) or a revision this hub does not know (written by a newer hub).
    """
    # Alembic narrates every plugin (as it is imported) and step at INFO; the hub logs the one
    # line that matters. So alembic is imported here, after the level is set.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from alembic import command
    from alembic.script import ScriptDirectory

    where = describe(str(engine.url))
    script = ScriptDirectory(str(MIGRATIONS))
    try:
        tables, current = _look(engine)
    except (sa.exc.DBAPIError, sqlite3.Error) as error:
        reason = _reason(error) if isinstance(error, sa.exc.DBAPIError) else str(error)
        raise DatabaseError(f"Cannot open the hub's database {where}: {reason}.") from None
    if tables and "alembic_version" not in tables:
        raise DatabaseError(
            f"The database {where} holds tables that are not the hub's; it was left untouched. "
            "Point NHC_HUB_DATABASE_URL at an empty database, or choose another state directory."
        )
    unknown = sorted(rev for rev in current if not _known_revision(script, rev))
    if unknown:
        raise DatabaseError(
            f"The database {where} was written by a newer hub (schema {', '.join(unknown)}); "
            "it was left untouched. Update nhc-scale."
        )
    try:
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
    except sa.exc.DBAPIError as error:
        raise DatabaseError(
            f"Cannot prepare the hub's database {where}: {_reason(error)}."
        ) from None
    return ",".join(script.get_heads())


def _reason(error: sa.exc.DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)
