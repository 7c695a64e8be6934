"""Settings: environment variables with the prefix ``NHC_`` over a TOML config file over defaults.

The config file is ``$NHC_CONFIG`` if set, else ``/etc/nhc-scale/config.toml`` if it exists.
Unknown keys, in the file or as ``NHC_*`` variables, are errors: a typo in a setting must not
silently leave the default in force on a device nobody is watching.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ENV_PREFIX = "NHC_"
DEFAULT_CONFIG_FILE = Path("/etc/nhc-scale/config.toml")
# Variables that configure where settings come from, not settings themselves.
_META_VARIABLES = {"NHC_CONFIG"}
# The team hub's own settings share the prefix (docs/hub.md): the hub checks those, so one
# machine may run a pad and a hub from one environment. The pad's hub_url and hub_token are
# its own and checked here (a typo in one leaves the other alone, which is refused).
_HUB_PREFIX = "NHC_HUB_"

PinsBackend = Literal["auto", "lgpio", "rpigpio", "emulated"]


class ConfigError(Exception):
    """A setting is unknown or has a bad value; the message says which and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    pins: PinsBackend = "auto"
    dout_pin: int = Field(5, ge=0, le=53, description="BCM number of the pin wired to HX711 DOUT")
    sck_pin: int = Field(6, ge=0, le=53, description="BCM number of the pin wired to HX711 PD_SCK")
    gain: int = Field(128, description="128 or 64 read channel A; 32 reads channel B")
    rate_sps: int = Field(
        80, description="10 or 80: what the RATE pin selects; the sampler measures the real one"
    )
    gpiochip: int | None = Field(
        None, description="lgpio chip number; None finds the chip that carries the 40-pin header"
    )
    state_dir: Path = Path.home() / ".local/state/nhc-scale"
    realtime_priority: int = Field(
        50, ge=0, le=99, description="SCHED_FIFO priority for the sampler; 0 disables"
    )
    sampler_cpu: int | None = Field(
        None, ge=0, description="CPU the sampler is pinned to; None picks the last one"
    )
    units: Literal["kg", "N", "lb"] = "kg"
    # The emulated sensor: what it is fed when no HX711 is wired.
    emulated_force: str = Field(
        "demo",
        description="demo: the synthetic athlete doing sets of reps; zero: an empty pad; "
        "a number: that many kg resting on the pad",
    )
    emulated_seed: int = 1
    emulated_control: Path | None = Field(
        None, description="a JSON file of faults for the emulated sensor to obey (for tests)"
    )
    emulated_truth: Path | None = Field(
        None,
        description="where the emulated chip writes every conversion it produced when the "
        "sampler stops (CSV), so tests can prove nothing corrupt was stored",
    )
    admin_token: str | None = Field(
        None,
        min_length=8,
        description="the token every state change (tare, calibration, settings, sessions) "
        "needs; None: a token generated on first start into state_dir/admin-token",
    )
    # A team hub (docs/hub.md): both or neither. Given, they pin the pad to that hub, over a
    # pairing made on the page or with `nhc-scale pair`.
    hub_url: str | None = Field(
        None, max_length=500, description="the team hub's address, http:// or https://"
    )
    hub_token: str | None = Field(
        None,
        min_length=8,
        max_length=200,
        description="this pad's token at the hub (the hub's Pads page or `nhc-scale hub pad add`)",
    )

    @field_validator("gain")
    @classmethod
    def _known_gain(cls, value: int) -> int:
        # Environment values arrive as text, so these are ints checked here, not Literals.
        if value not in (128, 64, 32):
            raise ValueError("gain must be 128 or 64 (channel A) or 32 (channel B)")
        return value

    @field_validator("rate_sps")
    @classmethod
    def _known_rate(cls, value: int) -> int:
        if value not in (10, 80):
            raise ValueError("the HX711 runs at 10 or 80 samples/s")
        return value

    @field_validator("emulated_force")
    @classmethod
    def _known_force(cls, value: str) -> str:
        if value in ("demo", "zero"):
            return value
        try:
            kg = float(value)
        except ValueError:
            raise ValueError("emulated_force is 'demo', 'zero' or a mass in kg") from None
        if not 0 <= kg <= 500:
            raise ValueError("emulated_force in kg must be between 0 and 500")
        return value

    @field_validator("hub_url")
    @classmethod
    def _hub_address(cls, value: str | None) -> str | None:
        return None if value is None else check_hub_url(value)

    @model_validator(mode="after")
    def _hub_pair(self) -> Settings:
        if (self.hub_url is None) != (self.hub_token is None):
            raise ValueError(
                "hub_url and hub_token go together: set both (NHC_HUB_URL and NHC_HUB_TOKEN) "
                "to sync with a team hub, or neither"
            )
        return self

    @field_validator("state_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = config_file_path()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def check_hub_url(value: str) -> str:
    """A hub's address as typed (``http://coach-laptop.local:8800``), without the trailing
    slash; ValueError with a sentence for anything else."""
    address = value.strip()
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            "the hub's address must start with http:// or https:// and name a host, "
            "e.g. http://coach-laptop.local:8800"
        )
    if parts.query or parts.fragment or any(c.isspace() for c in address):
        raise ValueError("the hub's address must be a plain http:// or https:// address")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError("the hub's address has a port that is not a number") from None
    return address.rstrip("/")


def config_file_path() -> Path | None:
    explicit = os.environ.get("NHC_CONFIG")
    if explicit:
        return Path(explicit)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning every problem into one readable ConfigError."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = sorted(
        name
        for name in os.environ
        if name.upper().startswith(ENV_PREFIX)
        and name.upper() not in known | _META_VARIABLES
        and not name.upper().startswith(_HUB_PREFIX)
    )
    if unknown:
        raise ConfigError(
            f"unknown setting(s) in the environment: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    config_file = config_file_path()
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file {config_file} does not exist")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "settings"
            if not item["loc"] or where.endswith("token"):
                problems.append(f"{where}: {item['msg']}")  # never a token in a log line
            else:
                problems.append(f"{where}: {item['msg']} (got {item.get('input')!r})")
        origin = f" (config file {config_file})" if config_file else ""
        raise ConfigError("bad settings" + origin + ":\n  " + "\n  ".join(problems)) from None
    except ValueError as error:  # a TOML syntax error in the config file
        raise ConfigError(f"config file {config_file}: {error}") from None
