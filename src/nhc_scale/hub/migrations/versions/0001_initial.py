"""The hub's first schema: users, logins, pads, athletes, sessions, reps, samples

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("revoked_at", sa.Double(), nullable=True),
        sa.Column("last_seen_at", sa.Double(), nullable=True),
        sa.Column("last_sync_at", sa.Double(), nullable=True),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("protocol", sa.Integer(), nullable=True),
        sa.Column("queued_sessions", sa.Integer(), nullable=True),
        sa.Column("rejected_sessions", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pads")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pads_token_hash")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "athletes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("body_mass_kg", sa.Double(), nullable=False),
        sa.Column("height_m", sa.Double(), nullable=False),
        sa.Column("knee_to_hands_m", sa.Double(), nullable=True),
        sa.Column("knee_to_ankle_m", sa.Double(), nullable=True),
        sa.Column("relaxed_kg", sa.Double(), nullable=True),
        sa.Column("relaxed_at", sa.Double(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("origin_pad_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["origin_pad_id"],
            ["pads.id"],
            name=op.f("fk_athletes_origin_pad_id_pads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athletes")),
        sa.UniqueConstraint("uuid", name=op.f("uq_athletes_uuid")),
    )
    op.create_table(
        "logins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("last_used_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_logins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_logins")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("pad_id", sa.Integer(), nullable=False),
        sa.Column("pad_session_id", sa.Integer(), nullable=True),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("ended_at", sa.Double(), nullable=False),
        sa.Column("clock_synced", sa.Boolean(), nullable=False),
        sa.Column("variation", sa.String(length=20), nullable=False),
        sa.Column("rep_count", sa.Integer(), nullable=False),
        sa.Column("best_min_kg", sa.Double(), nullable=True),
        sa.Column("median_min_kg", sa.Double(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athletes.id"], name=op.f("fk_sessions_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(["pad_id"], ["pads.id"], name=op.f("fk_sessions_pad_id_pads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("uuid", name=op.f("uq_sessions_uuid")),
    )
    op.create_index(
        op.f("ix_sessions_athlete_id_started_at"), "sessions", ["athlete_id", "started_at"]
    )
    op.create_index(op.f("ix_sessions_pad_id"), "sessions", ["pad_id"])

    op.create_table(
        "reps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_assistance_kg", sa.Double(), nullable=False),
        sa.Column("unassisted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_reps_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reps")),
    )
    op.create_index(op.f("ix_reps_session_id_position"), "reps", ["session_id", "position"])

    op.create_table(
        "session_samples",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("t_us", sa.LargeBinary(), nullable=False),
        sa.Column("force_dg", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_samples_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_samples")),
    )


def downgrade() -> None:
    op.drop_table("session_samples")
    op.drop_table("reps")
    op.drop_table("sessions")
    op.drop_table("logins")
    op.drop_table("athletes")
    op.drop_table("users")
    op.drop_table("pads")
