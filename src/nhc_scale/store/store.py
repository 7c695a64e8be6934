"""The session store: one SQLite connection, one lock, and a write buffer flushed by the caller.

The pipeline thread appends and flushes; request handlers read from other threads. One
connection behind one lock is the simplest arrangement that is obviously correct: reads see the
committed rows and the buffer under the same lock, so a sample is never missing or doubled while
a flush moves it from memory to disk. The lock is held only for SQL; decoding sample blocks (the
slow part of an export) happens outside it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import statistics
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import numpy as np

from nhc_scale.store.athletes import AthletesMixin
from nhc_scale.store.buffer import (
    MAX_BUFFERED_SAMPLES,
    PendingGap,
    PendingRep,
    SampleChunk,
    WriteBuffer,
)
from nhc_scale.store.errors import StoreError, UnknownSessionError
from nhc_scale.store.outbox import OutboxMixin
from nhc_scale.store.records import GapRecord, SampleArrays, SessionRecord
from nhc_scale.store.samples import COUNTS_LIMIT, EncodedBlock, assemble, encode_blocks
from nhc_scale.store.schema import DB_FILE_NAME, connect, rollback

KG_DECIMALS = 3  # as the detector's summarize(): best/median match the live summary exactly
# Less free space than this is a full disk: a few seconds of samples, a page of SQLite.
MIN_FREE_BYTES = 64 * 1024

T = TypeVar("T")


class _Unset:
    """Marks an argument that was not given (None is a value: it clears a session's name)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _minima(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(min(values), KG_DECIMALS), round(float(statistics.median(values)), KG_DECIMALS)


def _free_bytes(folder: Path) -> int | None:
    try:
        found = os.statvfs(folder)
    except OSError:
        return None
    return found.f_bavail * found.f_frsize


def _disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in str(exc).lower()


def _write_failure(path: Path, exc: sqlite3.Error, buffered: int) -> str:
    text = str(exc)
    if _disk_full(exc):
        return (
            f"The disk holding {path} is full: {buffered} samples wait in memory and are written "
            f"as soon as space is freed ({text})."
        )
    return f"Cannot write the database {path} ({text}); {buffered} samples wait in memory."


class Store(AthletesMixin, OutboxMixin):
    """Sessions, their samples, reps and gaps, athletes, and the user's preferences, in one
    SQLite file."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path, max_buffered_samples: int = MAX_BUFFERED_SAMPLES
    ) -> None:
        """Use :meth:`open`: it checks the file before anything writes to it."""
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._lock = threading.RLock()
        self._buffer = WriteBuffer(max_samples=max_buffered_samples)
        self._error = ""
        self._full = False
        self._session_ids = {row["id"] for row in conn.execute("SELECT id FROM sessions")}
        self._roster_revision = 0

    @classmethod
    def open(cls, path: Path, *, max_buffered_samples: int = MAX_BUFFERED_SAMPLES) -> Store:
        """Open (creating or migrating) the database; ``path`` is the file or the state dir.

        Raises :class:`StoreError`, leaving the file untouched, if it is not ours, is damaged,
        or was written by a newer version. ``max_buffered_samples`` bounds the memory used to
        hold samples while the disk is full (the oldest are dropped beyond it).
        """
        path = Path(path)
        if path.is_dir():
            path = path / DB_FILE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the state directory {path.parent}: {exc}.") from exc
        return cls(connect(path), path, max_buffered_samples)

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        """Flush, then close; closing the last connection checkpoints and removes the WAL.

        The connection is closed even if the final flush fails; that failure is re-raised so
        the caller can log what was lost.
        """
        with self._lock:
            if self._conn is None:
                return
            try:
                self.flush()
            finally:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The store {self._path} is closed.")
        return self._conn

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            conn = self._db()
            try:
                return fn(conn)
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot read the database {self._path} ({exc}).") from exc

    def _update_columns(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        """``UPDATE table SET ... WHERE id = ?`` for the given columns, in one commit.

        Callers pass only column names of their own (checked against their table's columns):
        the names go into the SQL text, the values are parameters.
        """
        if not changes:
            return
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self._write(
            lambda conn: conn.execute(
                f"UPDATE {table} SET {assignments} WHERE id = ?", (*changes.values(), row_id)
            )
        )

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one immediate transaction, committed before returning."""
        with self._lock:
            conn = self._db()
            try:
                conn.execute("BEGIN IMMEDIATE")
                result = fn(conn)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                rollback(conn)
                self._fail(exc)
            if not self._buffer:
                self._error, self._full = "", False  # a write worked, nothing waits: room again
            return result

    def _fail(self, exc: sqlite3.Error) -> NoReturn:
        """Remember why the write failed (for :meth:`status`) and raise it as StoreError."""
        self._error = _write_failure(self._path, exc, self._buffer.n_samples)
        self._full = _disk_full(exc)
        raise StoreError(self._error) from exc

    def _require(self, session_id: int) -> None:
        if session_id not in self._session_ids:
            raise UnknownSessionError(session_id)

    # -- sessions ---------------------------------------------------------------------------

    def create_session(
        self, name: str | None, started_at: float, start_ns: int, clock_synced: bool
    ) -> int:
        """Start a session; committed at once, because a session row is precious and rare.

        It belongs to the active athlete, if any, and takes the variation of that athlete's
        latest session (an athlete trains the same variation until they move on).
        """

        def insert(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT athlete_id FROM active_athlete WHERE id = 1").fetchone()
            athlete_id = None if row is None else row["athlete_id"]
            latest = conn.execute(
                "SELECT variation FROM sessions WHERE athlete_id = ? "
                "ORDER BY started_at DESC, id DESC LIMIT 1",
                (athlete_id,),
            ).fetchone()
            cur = conn.execute(
                "INSERT INTO sessions (name, started_at, start_ns, clock_synced, athlete_id, "
                "variation, uuid) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    float(started_at),
                    int(start_ns),
                    int(bool(clock_synced)),
                    athlete_id,
                    "assisted" if latest is None else latest["variation"],
                    str(uuid.uuid4()),
                ),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

        with self._lock:
            session_id = self._write(insert)
            self._session_ids.add(session_id)
            return session_id

    def end_session(self, session_id: int, ended_at: float) -> None:
        """End a session in the same commit as its last buffered data.

        If that commit fails the end stays buffered (reads already show the session ended) and
        is written by the next successful flush; the StoreError still reaches the caller.
        """
        with self._lock:
            self._require(session_id)
            self._buffer.ends[session_id] = float(ended_at)
            self.flush()

    def _session_rows(self, conn: sqlite3.Connection, where: str, args: tuple) -> list[sqlite3.Row]:
        return conn.execute(
            f"SELECT * FROM sessions {where} ORDER BY started_at DESC, id DESC", args
        ).fetchall()

    def _records(self, conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[SessionRecord]:
        """Rows to records (every column by its name), with rep statistics and pending ends
        from the buffer folded in."""
        if not rows:
            return []
        minima: dict[int, list[float]] = {row["id"]: [] for row in rows}
        if len(rows) == 1:
            reps = conn.execute(
                "SELECT session_id, min_assistance_kg FROM reps WHERE session_id = ? ORDER BY id",
                (rows[0]["id"],),
            )
        else:
            reps = conn.execute("SELECT session_id, min_assistance_kg FROM reps ORDER BY id")
        for rep in reps:
            if rep["session_id"] in minima:
                minima[rep["session_id"]].append(rep["min_assistance_kg"])
        for pending in self._buffer.reps:
            if pending.session_id in minima:
                minima[pending.session_id].append(pending.min_assistance_kg)
        records = []
        for row in rows:
            columns = dict(row)
            best, median = _minima(minima[row["id"]])
            columns.update(
                ended_at=self._buffer.ends.get(row["id"], row["ended_at"]),
                clock_synced=bool(row["clock_synced"]),
                rep_count=len(minima[row["id"]]),
                best_min_kg=best,
                median_min_kg=median,
            )
            records.append(SessionRecord(**columns))
        return records

    def get_session(self, session_id: int) -> SessionRecord | None:
        def fetch(conn: sqlite3.Connection) -> SessionRecord | None:
            records = self._records(conn, self._session_rows(conn, "WHERE id = ?", (session_id,)))
            return records[0] if records else None

        return self._read(fetch)

    def list_sessions(self, athlete_id: int | None = UNSET) -> list[SessionRecord]:
        """All sessions, newest first; or only one athlete's (``None``: the unassigned)."""
        args: tuple[int, ...] = ()
        if athlete_id is UNSET:
            where = ""
        elif athlete_id is None:
            where = "WHERE athlete_id IS NULL"
        else:
            where, args = "WHERE athlete_id = ?", (int(athlete_id),)
        return self._read(lambda conn: self._records(conn, self._session_rows(conn, where, args)))

    def active_session(self) -> SessionRecord | None:
        """The newest session not yet ended (there is normally at most one)."""
        return next((s for s in self.list_sessions() if s.active), None)

    def update_session(
        self,
        session_id: int,
        *,
        name: str | None = UNSET,
        notes: str | None = UNSET,
        athlete_id: int | None = UNSET,
        variation: str | None = UNSET,
    ) -> SessionRecord:
        """Rename, annotate, assign or tag; ``name=None`` clears the name, ``athlete_id=None``
        unassigns, ``notes=None`` and ``variation=None`` change nothing."""
        changes: dict[str, Any] = {}
        if name is not UNSET:
            changes["name"] = name
        if notes is not UNSET and notes is not None:
            changes["notes"] = notes
        if athlete_id is not UNSET:
            if athlete_id is not None:
                self.require_athlete(athlete_id)
            changes["athlete_id"] = athlete_id
        if variation is not UNSET and variation is not None:
            changes["variation"] = str(variation)
        with self._lock:
            self._require(session_id)
            self._update_columns("sessions", session_id, changes)
            record = self.get_session(session_id)
        if record is None:
            raise UnknownSessionError(session_id)
        return record

    def shift_session_times(self, session_id: int, offset_s: float) -> None:
        """Move a session's wall-clock times, when a phone tells us the real time: a Pi with
        no network time starts its clock wherever it stopped."""
        with self._lock:
            self._require(session_id)
            self._write(
                lambda conn: conn.execute(
                    "UPDATE sessions SET started_at = started_at + ?, "
                    "ended_at = ended_at + ? WHERE id = ?",
                    (offset_s, offset_s, session_id),
                )
            )

    def delete_session(self, session_id: int) -> None:
        """Delete a session with its samples, reps and gaps (foreign keys cascade)."""
        with self._lock:
            self._require(session_id)
            self._write(
                lambda conn: conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            )
            self._session_ids.discard(session_id)
            self._buffer.drop_session(session_id)

    def progress(self) -> list[dict[str, Any]]:
        """One point per session, oldest first, for the progress chart."""
        return [
            {
                "session_id": s.id,
                "started_at": s.started_at,
                "best_min_kg": s.best_min_kg,
                "rep_count": s.rep_count,
            }
            for s in reversed(self.list_sessions())
        ]

    # -- buffered writes --------------------------------------------------------------------

    def append_samples(
        self,
        session_id: int,
        t_ns: Sequence[int] | np.ndarray,
        counts: Sequence[int] | np.ndarray,
        zero_counts: float,
        counts_per_kg: float,
    ) -> None:
        """Buffer samples with the calibration that converted them live.

        Everything that could make the flush fail on the data itself is checked here, so a
        bad call fails at the caller instead of blocking every later flush.
        """
        t_arr, c_arr = np.asarray(t_ns), np.asarray(counts)
        if t_arr.ndim != 1 or t_arr.shape != c_arr.shape:
            raise ValueError("t_ns and counts must be 1-D and of the same length")
        if t_arr.size == 0:
            return
        if t_arr.dtype.kind not in "iu" or c_arr.dtype.kind not in "iu":
            raise ValueError("t_ns and counts must be integers")
        if np.any(np.abs(c_arr.astype(np.int64)) >= COUNTS_LIMIT):
            raise ValueError(f"counts must be ADC readings (|counts| < {COUNTS_LIMIT})")
        if not (math.isfinite(zero_counts) and math.isfinite(counts_per_kg) and counts_per_kg):
            raise ValueError("zero_counts and counts_per_kg must be finite, counts_per_kg not 0")
        chunk = SampleChunk(
            session_id=session_id,
            t_ns=t_arr.astype(np.int64, copy=True),
            counts=c_arr.astype(np.int32, copy=True),
            zero_counts=float(zero_counts),
            counts_per_kg=float(counts_per_kg),
        )
        with self._lock:
            self._db()
            self._require(session_id)
            self._buffer.add_samples(chunk)

    def add_rep(self, session_id: int, rep: dict[str, Any]) -> None:
        """Buffer a rep (the detector's ``Rep.to_dict()`` plus ``"number"``), kept as JSON."""
        value = rep.get("min_assistance_kg")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError("a rep needs a finite min_assistance_kg")
        number = rep.get("number")
        pending = PendingRep(
            session_id=session_id,
            number=None if number is None else int(number),
            min_assistance_kg=float(value),
            data=json.dumps(rep, allow_nan=False),
        )
        with self._lock:
            self._db()
            self._require(session_id)
            self._buffer.reps.append(pending)

    def add_gap(self, session_id: int, start_ns: int, end_ns: int, reason: str) -> None:
        """Buffer a hole in the recording (e.g. the sampler died and was restarted)."""
        gap = PendingGap(session_id, int(start_ns), int(end_ns), str(reason))
        with self._lock:
            self._db()
            self._require(session_id)
            self._buffer.gaps.append(gap)

    def flush(self) -> None:
        """Write everything buffered in one transaction (call at most once a second).

        On failure the transaction is rolled back and the buffer kept, so the next call retries
        with everything; the error is raised as StoreError and shown by :meth:`status`.
        """
        with self._lock:
            conn = self._db()
            buffer = self._buffer
            if not buffer:
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
                self._write_buffer(conn, buffer)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                rollback(conn)
                self._fail(exc)
            buffer.clear()
            self._error, self._full = "", False

    @staticmethod
    def _write_buffer(conn: sqlite3.Connection, buffer: WriteBuffer) -> None:
        for session_id, t_ns, counts, zero, cpk in buffer.runs():
            conn.executemany(
                "INSERT INTO sample_blocks (session_id, first_t_ns, n, zero_counts, "
                "counts_per_kg, encoding, t_deltas, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        session_id,
                        b.first_t_ns,
                        b.n,
                        b.zero_counts,
                        b.counts_per_kg,
                        b.encoding,
                        b.t_deltas,
                        b.counts,
                    )
                    for b in encode_blocks(t_ns, counts, zero, cpk)
                ],
            )
        conn.executemany(
            "INSERT INTO reps (session_id, number, min_assistance_kg, data) VALUES (?, ?, ?, ?)",
            [(r.session_id, r.number, r.min_assistance_kg, r.data) for r in buffer.reps],
        )
        conn.executemany(
            "INSERT INTO gaps (session_id, start_ns, end_ns, reason) VALUES (?, ?, ?, ?)",
            [(g.session_id, g.start_ns, g.end_ns, g.reason) for g in buffer.gaps],
        )
        conn.executemany(
            "UPDATE sessions SET ended_at = ? WHERE id = ?",
            [(ended_at, sid) for sid, ended_at in buffer.ends.items()],
        )
        # A finished session waits for a team hub, queued in the commit that finishes it.
        conn.executemany(
            "INSERT OR IGNORE INTO outbox (session_id, queued_at) VALUES (?, ?)",
            [(sid, ended_at) for sid, ended_at in buffer.ends.items()],
        )

    # -- reads that include the buffer ------------------------------------------------------

    def reps(self, session_id: int) -> list[dict[str, Any]]:
        """The session's reps in the order they were added, flushed or not."""

        def fetch(conn: sqlite3.Connection) -> list[str]:
            self._require(session_id)
            rows = conn.execute(
                "SELECT data FROM reps WHERE session_id = ? ORDER BY id", (session_id,)
            )
            stored = [row["data"] for row in rows]
            return stored + [r.data for r in self._buffer.reps if r.session_id == session_id]

        return [json.loads(data) for data in self._read(fetch)]

    def gaps(self, session_id: int) -> list[GapRecord]:
        """The session's holes in time order, flushed or not."""

        def fetch(conn: sqlite3.Connection) -> list[GapRecord]:
            self._require(session_id)
            rows = conn.execute(
                "SELECT start_ns, end_ns, reason FROM gaps WHERE session_id = ? "
                "ORDER BY start_ns, id",
                (session_id,),
            ).fetchall()
            pending = [
                GapRecord(g.start_ns, g.end_ns, g.reason)
                for g in self._buffer.gaps
                if g.session_id == session_id
            ]
            return [GapRecord(**row) for row in rows] + pending

        return sorted(self._read(fetch), key=lambda gap: gap.start_ns)

    def samples(self, session_id: int) -> SampleArrays:
        """All of a session's samples, flushed or not, in time order."""

        def fetch(conn: sqlite3.Connection) -> tuple[list[EncodedBlock], list[tuple]]:
            self._require(session_id)
            rows = conn.execute(
                "SELECT first_t_ns, n, zero_counts, counts_per_kg, encoding, t_deltas, counts "
                "FROM sample_blocks WHERE session_id = ? ORDER BY first_t_ns, id",
                (session_id,),
            ).fetchall()
            blocks = [EncodedBlock(**row) for row in rows]
            pending = [
                (c.t_ns, c.counts, c.zero_counts, c.counts_per_kg)
                for c in self._buffer.chunks
                if c.session_id == session_id
            ]
            return blocks, pending

        blocks, pending = self._read(fetch)
        return assemble(blocks, pending)  # outside the lock: the pipeline never waits for it

    # -- preferences ------------------------------------------------------------------------

    def get_prefs(self) -> dict[str, Any]:
        rows = self._read(lambda conn: conn.execute("SELECT key, value FROM prefs").fetchall())
        return {row["key"]: json.loads(row["value"]) for row in rows}

    def set_prefs(self, prefs: dict[str, Any]) -> None:
        """Merge ``prefs`` into the stored ones (other keys stay); committed at once."""
        rows = [(str(key), json.dumps(value, allow_nan=False)) for key, value in prefs.items()]
        self._write(
            lambda conn: conn.executemany(
                "INSERT INTO prefs (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                rows,
            )
        )

    # -- health -----------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """For /api/health: whether the last write worked, and how much is waiting in memory."""
        with self._lock:
            size = 0
            for suffix in ("", "-wal"):
                with contextlib.suppress(OSError):
                    size += self._path.with_name(self._path.name + suffix).stat().st_size
            free = _free_bytes(self._path.parent)
            # Seen before a write fails (between sessions nothing is written): the athlete
            # learns before a session that it would not be saved.
            nearly_full = free is not None and free < MIN_FREE_BYTES
            free_kb = (free or 0) // 1024
            if self._conn is None:
                state, message = "error", f"The store {self._path} is closed."
            elif self._error:
                state, message = "error", self._error
            elif nearly_full:
                state, message = (
                    "error",
                    (
                        f"The disk holding {self._path} is full ({free_kb} KB free): what "
                        "is recorded now waits in memory until space is freed."
                    ),
                )
            else:
                state, message = "ok", ""
            return {
                "status": state,
                # The page's banner: samples waiting in memory are lost if the scale restarts.
                "full": self._full or nearly_full,
                "free_bytes": free,
                "path": str(self._path),
                "size_bytes": size,
                "message": message,
                "buffered_samples": self._buffer.n_samples,
                "dropped_samples": self._buffer.dropped_samples,
            }
