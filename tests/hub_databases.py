"""The two engines every hub test runs on: SQLite (the default, a file) and a real PostgreSQL
server (tests/postgres.py). ``database_url`` is a parametrised fixture's body."""

from __future__ import annotations

from pathlib import Path

import pytest
from postgres import shared_server

#: Parameters for a fixture: the PostgreSQL runs start a server, so they are integration tests.
ENGINES = (pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.integration))


def database_url(engine: str, tmp_path: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'nhc-hub.db'}"
    try:
        server = shared_server()
    except FileNotFoundError as missing:
        pytest.skip(str(missing))
    return server.create_database()
