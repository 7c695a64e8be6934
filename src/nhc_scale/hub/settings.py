"""The hub's settings: environment variables with the prefix ``NHC_HUB_`` over defaults.

Unknown ``NHC_HUB_*`` variables are errors, as on the pad: a typo must not leave a default in
force unnoticed. The pad's own sync settings (``NHC_HUB_URL``, ``NHC_HUB_TOKEN``) share the
prefix and are not the hub's: they are let through, so one machine may run a pad and a hub.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "NHC_HUB_"
DB_FILE_NAME = "nhc-hub.db"
#: The pad's settings for reaching a hub (nhc_scale.config, docs/hub.md): same prefix, not ours.
PAD_SIDE_VARIABLES = {"NHC_HUB_URL", "NHC_HUB_TOKEN"}


class HubConfigError(Exception):
    """A hub setting is unknown or has a bad value; the message says which and why."""


class HubSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    state_dir: Path = Field(
        Path.home() / ".local/state/nhc-hub",
        description="where the SQLite database lives (when database_url is not set)",
    )
    database_url: str | None = Field(
        None,
        description="an SQLAlchemy URL, e.g. postgresql+psycopg://user:pass@host/db; "
        "unset: SQLite in state_dir",
    )
    login_hours: float = Field(
        24 * 7, gt=0, le=24 * 365, description="how long a login lasts without being used"
    )
    secure_cookie: bool = Field(
        False, description="send the login cookie over HTTPS only (set it behind a TLS proxy)"
    )

    @field_validator("state_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite:", "postgresql+psycopg:", "postgresql:")):
            raise ValueError(
                "database_url must be sqlite:///PATH or postgresql+psycopg://USER:PASS@HOST/DB"
            )
        if value.startswith("postgresql:"):
            # psycopg 3 is the driver the hub ships with; SQLAlchemy's bare postgresql://
            # would look for psycopg2.
            value = "postgresql+psycopg:" + value[len("postgresql:") :]
        return value

    @property
    def url(self) -> str:
        """The database URL in force: the setting, else SQLite in the state directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.state_dir / DB_FILE_NAME}"


def load_hub_settings(**overrides: object) -> HubSettings:
    """Build the settings, turning every problem into one readable HubConfigError."""
    known = {ENV_PREFIX + name.upper() for name in HubSettings.model_fields}
    unknown = sorted(
        name
        for name in os.environ
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in known | PAD_SIDE_VARIABLES
    )
    if unknown:
        raise HubConfigError(
            f"unknown hub setting(s) in the environment: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    try:
        return HubSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "settings"
            shown = "(hidden)" if where == "database_url" else repr(item.get("input"))
            problems.append(f"{ENV_PREFIX}{where.upper()}: {item['msg']} (got {shown})")
        raise HubConfigError("bad hub settings:\n  " + "\n  ".join(problems)) from None
