"""Alembic's entry point for the hub's migrations, run by :func:`nhc_scale.hub.database.migrate`
with the connection it opened (there is no alembic.ini: the hub runs them itself at start)."""

from __future__ import annotations

from alembic import context

from nhc_scale.hub.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place: batch mode copies the table, on SQLite only.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
