"""The two engines every hub test runs on: SQLite (the default, a file) and a real PostgreSQL
server (tests/postgres.py). ``database_url`` is a parametrised fixture's body."""

from __future__ import annotations

from pathlib import Path

import pytest
from postgres import shared_server

ENGINES = ("sqlite", "postgresql")


def database_url(engine: str, tmp_path: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'nhc-hub.db'}"
    try:
        server = shared_server()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    return server.create_database()
