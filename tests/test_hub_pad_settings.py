"""The pad's team-hub settings: both or neither, a real address, and never the token in an
error message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nhc_scale.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("NHC_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr("nhc_scale.config.DEFAULT_CONFIG_FILE", Path("/nonexistent/config.toml"))
    monkeypatch.setenv("NHC_STATE_DIR", str(tmp_path))


def test_without_them_the_pad_has_no_hub() -> None:
    settings = load_settings()
    assert settings.hub_url is None and settings.hub_token is None


def test_both_from_the_environment_name_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NHC_HUB_URL", " http://coach-laptop.local:8800/ ")
    monkeypatch.setenv("NHC_HUB_TOKEN", "abcd-efgh-jkmn-pqrs")
    settings = load_settings()
    assert settings.hub_url == "http://coach-laptop.local:8800"
    assert settings.hub_token == "abcd-efgh-jkmn-pqrs"


def test_the_config_file_names_them_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('hub_url = "https://hub.example.org"\nhub_token = "abcd-efgh-jkmn-pqrs"\n')
    monkeypatch.setenv("NHC_CONFIG", str(config))
    assert load_settings().hub_url == "https://hub.example.org"
    monkeypatch.setenv("NHC_HUB_URL", "http://other:8800")  # the environment wins
    assert load_settings().hub_url == "http://other:8800"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"NHC_HUB_URL": "http://hub:8800"}, "go together"),
        ({"NHC_HUB_TOKEN": "abcd-efgh-jkmn-pqrs"}, "go together"),
        ({"NHC_HUB_URL": "hub:8800", "NHC_HUB_TOKEN": "abcd-efgh-jkmn-pqrs"}, "http://"),
        ({"NHC_HUB_URL": "ftp://hub", "NHC_HUB_TOKEN": "abcd-efgh-jkmn-pqrs"}, "http://"),
        ({"NHC_HUB_URL": "http://hub:port", "NHC_HUB_TOKEN": "abcd-efgh-jkmn-pqrs"}, "port"),
        ({"NHC_HUB_URL": "http://hub/?a=1", "NHC_HUB_TOKEN": "abcd-efgh-jkmn-pqrs"}, "plain"),
    ],
)
def test_a_half_or_bad_hub_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], words: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=words):
        load_settings()


def test_a_refused_token_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NHC_HUB_URL", "http://hub:8800")
    monkeypatch.setenv("NHC_HUB_TOKEN", "short")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "hub_token" in str(refused.value) and "short" not in str(refused.value)
    monkeypatch.setenv("NHC_HUB_TOKEN", "a-long-secret-token")
    monkeypatch.delenv("NHC_HUB_URL")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "a-long-secret-token" not in str(refused.value)
