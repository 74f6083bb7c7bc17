"""Effective settings: `config/settings.toml` (if present) overridden by environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("config/settings.toml")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/entraide.sqlite3"


class Settings(BaseSettings):
    """Every setting of entraide; see `config/settings.example.toml` for what each one means."""

    model_config = SettingsConfigDict(env_prefix="ENTRAIDE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    default_territory: str = "Ma commune"
    default_timezone: str = "Europe/Paris"
    default_language: str = "fr"
    matching_top_n: int = Field(default=5, ge=1, le=200)
    link_code_minutes: int = Field(default=10, ge=1, le=120)
    max_message_chars: int = Field(default=4000, ge=100)
    auto_migrate: bool = True

    # Secrets and service addresses keep the names their ecosystems use, without our prefix.
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "ENTRAIDE_TELEGRAM_BOT_TOKEN"),
    )
    telegram_api_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_API_URL", "ENTRAIDE_TELEGRAM_API_URL"),
    )
    matrix_homeserver: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MATRIX_HOMESERVER", "ENTRAIDE_MATRIX_HOMESERVER"),
    )
    matrix_user_id: str | None = Field(
        default=None, validation_alias=AliasChoices("MATRIX_USER_ID", "ENTRAIDE_MATRIX_USER_ID")
    )
    matrix_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("MATRIX_PASSWORD", "ENTRAIDE_MATRIX_PASSWORD")
    )
    matrix_access_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("MATRIX_ACCESS_TOKEN", "ENTRAIDE_MATRIX_ACCESS_TOKEN"),
    )
    matrix_device_name: str = Field(
        default="entraide",
        validation_alias=AliasChoices("MATRIX_DEVICE_NAME", "ENTRAIDE_MATRIX_DEVICE_NAME"),
    )
    # Where the Matrix bot keeps its end-to-end encryption keys (an empty value: no encryption,
    # the bot then says in encrypted rooms that it cannot read them).
    matrix_store_path: str = "var/matrix-store"
    rasa_url: str | None = Field(
        default=None, validation_alias=AliasChoices("RASA_URL", "ENTRAIDE_RASA_URL")
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read, by priority: explicit arguments, environment, then the TOML file."""
        config_file = Path(os.environ.get("ENTRAIDE_CONFIG_FILE") or DEFAULT_CONFIG_FILE)
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file)
        return init_settings, env_settings, toml

    def masked(self) -> dict[str, Any]:
        """Return the settings as a dict with secrets hidden, for `entraide config show`."""
        shown: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                shown[name] = "********"
            elif name == "database_url" and isinstance(value, str):
                shown[name] = _mask_url_password(value)
            else:
                shown[name] = value
        return shown


def _mask_url_password(url: str) -> str:
    """Hide the password of a database URL such as postgresql://user:secret@host/db."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as is: it holds no recognisable secret
        return url


def load_settings(**overrides: Any) -> Settings:
    """Build the effective settings; keyword arguments win over every other source."""
    return Settings(**overrides)
