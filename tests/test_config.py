"""Settings: environment over config file over defaults; unknown or bad values are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from nhc_scale.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("NHC_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr("nhc_scale.config.DEFAULT_CONFIG_FILE", Path("/nonexistent/config.toml"))


def test_defaults_match_the_documented_wiring() -> None:
    settings = load_settings()
    assert (settings.pins, settings.dout_pin, settings.sck_pin) == ("auto", 5, 6)
    assert settings.gain == 128 and settings.rate_sps == 80


def test_environment_values_arrive_as_text_and_are_converted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NHC_GAIN", "64")
    monkeypatch.setenv("NHC_PINS", "emulated")
    monkeypatch.setenv("NHC_STATE_DIR", "~/somewhere")
    settings = load_settings()
    assert settings.gain == 64 and settings.pins == "emulated"
    assert settings.state_dir == Path.home() / "somewhere"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("NHC_GAIN", "100", "gain must be 128 or 64"),
        ("NHC_PINS", "wiringpi", "pins"),
        ("NHC_RATE_SPS", "40", "10 or 80"),
        ("NHC_DOUT_PIN", "99", "dout_pin"),
        ("NHC_EMULATED_FORCE", "heavy", "emulated_force"),
    ],
)
def test_a_bad_value_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=words):
        load_settings()


def test_an_unknown_environment_setting_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NHC_DOUTPIN", "5")
    with pytest.raises(ConfigError, match="NHC_DOUTPIN"):
        load_settings()


def test_the_hubs_own_settings_are_left_to_the_hub(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One machine may run a pad and a team hub from one environment (docs/hub.md)."""
    monkeypatch.setenv("NHC_HUB_STATE_DIR", str(tmp_path / "hub"))
    monkeypatch.setenv("NHC_HUB_DATABASE_URL", "sqlite:///" + str(tmp_path / "hub.db"))
    monkeypatch.setenv("NHC_STATE_DIR", str(tmp_path / "pad"))
    assert load_settings().state_dir == tmp_path / "pad"


def test_the_config_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('pins = "emulated"\nsck_pin = 13\ngain = 32\n')
    monkeypatch.setenv("NHC_CONFIG", str(config))
    monkeypatch.setenv("NHC_GAIN", "64")
    settings = load_settings()
    assert settings.pins == "emulated" and settings.sck_pin == 13 and settings.gain == 64


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('pins = "emulated"\nbogus = 3\n', "bogus"),
        ("pins = emulated\n", "config file"),
        ("gain = 7\n", "gain"),
    ],
)
def test_a_bad_config_file_names_the_file_and_the_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, words: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    monkeypatch.setenv("NHC_CONFIG", str(config))
    with pytest.raises(ConfigError, match=words):
        load_settings()


def test_a_missing_config_file_named_explicitly_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NHC_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()
