"""`nhc-scale hub` and its coach commands, as a person runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub_server import hub_cli


def test_a_coach_pairs_lists_and_revokes_a_pad(tmp_path: Path) -> None:
    paired = hub_cli(tmp_path, None, "pad", "add", "Gym pad 1")
    assert paired.returncode == 0, paired.stderr
    token = paired.stdout.split("once:")[1].split()[0]
    assert token.startswith("pad-")
    listed = hub_cli(tmp_path, None, "pad", "list")
    assert "Gym pad 1" in listed.stdout and "active" in listed.stdout
    assert token not in listed.stdout
    revoked = hub_cli(tmp_path, None, "pad", "revoke", "Gym pad 1")
    assert revoked.returncode == 0
    assert "revoked" in hub_cli(tmp_path, None, "pad", "list").stdout
    unknown = hub_cli(tmp_path, None, "pad", "revoke", "no such pad")
    assert unknown.returncode == 1
    assert "there is no pad" in unknown.stderr


def test_a_weak_password_is_refused_with_a_reason(tmp_path: Path) -> None:
    result = hub_cli(tmp_path, None, "user", "add", "coach", "--password-stdin", stdin="short\n")
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr


def test_a_database_that_is_not_the_hubs_is_one_line_and_untouched(tmp_path: Path) -> None:
    other = tmp_path / "nhc-hub.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    before = other.read_bytes()
    result = hub_cli(tmp_path, None, "--port", "1")  # refused before it would listen
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not the hub's; it was left untouched" in result.stderr
    assert other.read_bytes() == before


def test_an_unknown_hub_setting_is_an_error(tmp_path: Path) -> None:
    import os
    import subprocess

    from hub_server import NHC_SCALE, hub_environment

    env = {**hub_environment(tmp_path, None), "NHC_HUB_DATABSE_URL": "sqlite:///x.db"}
    result = subprocess.run(
        [str(NHC_SCALE), "hub", "pad", "list"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "NHC_HUB_DATABSE_URL" in result.stderr
    assert os.path.exists(tmp_path) and not (tmp_path / "nhc-hub.db").exists()
