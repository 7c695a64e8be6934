"""The hub's tables (SQLAlchemy Core): one definition for SQLite and PostgreSQL.

The Alembic migrations in ``migrations/versions`` create exactly these; a test compares the two
so that a column added here without a migration (or the other way round) fails.

Times are unix seconds as doubles (as on the pad). A session is keyed by the uuid its pad gave
it, so the same session pushed twice is one row; an athlete by the uuid every pad knows them by.
Reps are the pad's JSON dicts as sent (extra keys included), with the minimum beside them for
queries.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
)

# A login: the browser keeps the token (cookie or bearer), the hub only its SHA-256.
logins = sa.Table(
    "logins",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("last_used_at", sa.Double, nullable=False),
)

pads = sa.Table(
    "pads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("revoked_at", sa.Double),
    sa.Column("last_seen_at", sa.Double),
    sa.Column("last_sync_at", sa.Double),
    sa.Column("version", sa.String(40)),
    sa.Column("protocol", sa.Integer),
    # As the pad last reported them in a heartbeat.
    sa.Column("queued_sessions", sa.Integer),
    sa.Column("rejected_sessions", sa.Integer),
    sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
)

athletes = sa.Table(
    "athletes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("body_mass_kg", sa.Double, nullable=False),
    sa.Column("height_m", sa.Double, nullable=False),
    sa.Column("knee_to_hands_m", sa.Double),
    sa.Column("knee_to_ankle_m", sa.Double),
    sa.Column("relaxed_kg", sa.Double),
    sa.Column("relaxed_at", sa.Double),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
    sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
    # The pad that first sent the athlete; NULL for one created at the hub.
    sa.Column("origin_pad_id", sa.Integer, sa.ForeignKey("pads.id", ondelete="SET NULL")),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("pad_id", sa.Integer, sa.ForeignKey("pads.id"), nullable=False),
    sa.Column("pad_session_id", sa.Integer),
    sa.Column("athlete_id", sa.Integer, sa.ForeignKey("athletes.id")),
    sa.Column("name", sa.String(100)),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("started_at", sa.Double, nullable=False),
    sa.Column("ended_at", sa.Double, nullable=False),
    sa.Column("clock_synced", sa.Boolean, nullable=False),
    sa.Column("variation", sa.String(20), nullable=False),
    sa.Column("rep_count", sa.Integer, nullable=False),
    sa.Column("best_min_kg", sa.Double),
    sa.Column("median_min_kg", sa.Double),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("received_at", sa.Double, nullable=False),
    sa.Index(None, "athlete_id", "started_at"),
    sa.Index(None, "pad_id"),
)

reps = sa.Table(
    "reps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "session_id",
        sa.Integer,
        sa.ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),  # order within the session as sent
    sa.Column("min_assistance_kg", sa.Double, nullable=False),
    sa.Column("unassisted", sa.Boolean, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index(None, "session_id", "position"),
)

# Kept apart from the session rows so the team table's queries never drag traces along.
session_samples = sa.Table(
    "session_samples",
    metadata,
    sa.Column(
        "session_id",
        sa.Integer,
        sa.ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("encoding", sa.String(40), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("t_us", sa.LargeBinary, nullable=False),
    sa.Column("force_dg", sa.LargeBinary, nullable=False),
)
