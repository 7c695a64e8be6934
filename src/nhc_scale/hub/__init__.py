"""The team hub: every pad's sessions in one place, on SQLite or PostgreSQL (docs/hub.md).

Needs the ``hub`` extra (SQLAlchemy, Alembic, psycopg, argon2-cffi); a pad never imports it.
"""
