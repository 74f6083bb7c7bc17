"""Effective settings: `config/settings.toml` (if present) overridden by environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG_FILE = Path("config/settings.toml")


def data_dir() -> Path:
    """Where this user's embedded database and Matrix keys live, whatever the current folder
    (`~/.local/share/entraide` on Linux, or under `$XDG_DATA_HOME`)."""
    return Path(platformdirs.user_data_dir("entraide", appauthor=False))


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{data_dir() / 'entraide.sqlite3'}"


def sqlite_path(database_url: str) -> Path | None:
    """The file of an SQLite database URL (None for PostgreSQL or an in-memory database)."""
    prefix, _, rest = database_url.partition(":///")
    if not prefix.startswith("sqlite") or not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


# Settings that are URLs: shown with their credentials (password, token parameters) hidden.
URL_SETTINGS = frozenset({"database_url", "rasa_url", "telegram_api_url", "matrix_homeserver"})


class Settings(BaseSettings):
    """Every setting of entraide; see `config/settings.example.toml` for what each one means."""

    model_config = SettingsConfigDict(env_prefix="ENTRAIDE_", extra="ignore")

    # The embedded default is one file per user (see `data_dir`), so every command finds the
    # same database from any folder; ENTRAIDE_DATABASE_URL or the settings file still win.
    database_url: str = Field(default_factory=default_database_url)
    default_territory: str = "Ma commune"
    default_timezone: str = "Europe/Paris"
    default_language: str = "fr"
    matching_top_n: int = Field(default=5, ge=1, le=200)
    link_code_minutes: int = Field(default=10, ge=1, le=120)
    # How long a channel may take to send a message it took from the outbox before another
    # delivery round takes it again (after a crash, this is how late the message comes).
    outbox_lease_seconds: int = Field(default=30, ge=1, le=3600)
    max_message_chars: int = Field(default=4000, ge=100)
    auto_migrate: bool = True

    # Trust and safety (SECURITY.md).
    # Days after which inbound receipts, delivered notifications, job runs, attempts and
    # handled dead letters are deleted by the scheduler (data minimisation).
    retention_days: int = Field(default=30, ge=1, le=3650)
    # Wrong link codes accepted per account, and for the whole install, per window.
    link_attempts_per_account: int = Field(default=5, ge=1, le=100)
    link_attempts_global: int = Field(default=100, ge=1, le=100_000)
    link_attempt_window_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # Messages one account may send in a burst, and how many more per minute (a token
    # bucket); emergencies are always answered, whatever the bucket says.
    flood_burst: int = Field(default=20, ge=1, le=10_000)
    flood_per_minute: int = Field(default=30, ge=1, le=100_000)
    # Tries before an inbound update or an outbox message is set aside (dead letters).
    max_delivery_attempts: int = Field(default=8, ge=1, le=1000)
    max_inbound_attempts: int = Field(default=3, ge=1, le=100)
    # Requests of members who joined less than this many days ago say "new member".
    new_member_days: int = Field(default=14, ge=0, le=365)
    # The safety word the volunteer says at the door: "words" (two simple words, in the
    # requester's language) or "digits" (four digits).
    safety_word: Literal["words", "digits"] = "words"

    # The scheduler (core/scheduling): reminders, escalation, expiry, follow-ups, poll deadlines,
    # weekly digests and recurring requests. Hours are hours of real time.
    scheduler_enabled: bool = True
    reminder_hours: list[int] = Field(default_factory=lambda: [24, 1])
    # Hours after a request is posted (or reopened) without a volunteer: offer it to the next
    # ranked volunteers, then to the whole territory, then alert the coordinators.
    escalation_hours: list[float] = Field(default_factory=lambda: [2.0, 8.0, 24.0])
    escalation_hours_by_territory: dict[str, list[float]] = Field(default_factory=dict)
    follow_up_hours: float = Field(default=3.0, gt=0, le=72)
    poll_reminder_hours: int = Field(default=24, ge=1, le=24 * 14)
    # A coordinators' alert nobody took is sent again to every coordinator, once per period.
    alert_resend_minutes: int = Field(default=5, ge=1, le=24 * 60)
    # `/bureau` lists the requests still open after this many hours.
    desk_waiting_hours: float = Field(default=2.0, ge=0, le=24 * 14)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_hour: int = Field(default=9, ge=0, le=23)  # local time of each territory
    recurring_days_ahead: int = Field(default=7, ge=1, le=28)
    scheduler_sweep_seconds: int = Field(default=30, ge=1, le=3600)
    scheduler_horizon_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    scheduler_leader_retry_seconds: float = Field(default=5.0, gt=0, le=50)

    # The coordinators' web console (bots/web): `entraide web`, or `entraide run` with a port.
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    # The address coordinators open (behind a reverse proxy: its public https URL); login links
    # start with it. Empty: http://web_host:web_port.
    web_base_url: str | None = None
    # Behind a reverse proxy: trust its X-Forwarded-Proto (Secure cookies) and X-Forwarded-For.
    web_behind_proxy: bool = False
    # Minutes without a click after which a coordinator must ask for a new login link.
    web_session_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # The key that signs the console's sessions; empty: generated once, kept in the database.
    web_secret: SecretStr | None = None
    # Failed console logins tolerated per address and for the whole install, per window.
    web_login_attempts: int = Field(default=5, ge=1, le=100)
    web_login_attempts_global: int = Field(default=50, ge=1, le=100_000)
    web_login_window_minutes: int = Field(default=10, ge=1, le=24 * 60)

    # Secrets and service addresses keep the names their ecosystems use, without our prefix.
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "ENTRAIDE_TELEGRAM_BOT_TOKEN"),
    )
    telegram_api_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_API_URL", "ENTRAIDE_TELEGRAM_API_URL"),
    )
    # With a public HTTPS address, Telegram pushes updates to us instead of long polling.
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    # The bot's @username, for invitation links and their QR codes; unset: asked to Telegram.
    telegram_bot_username: str | None = Field(default=None, pattern=r"^@?[A-Za-z0-9_]{5,32}$")
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
    matrix_store_path: str = Field(default_factory=lambda: str(data_dir() / "matrix-store"))
    rasa_url: str | None = Field(
        default=None, validation_alias=AliasChoices("RASA_URL", "ENTRAIDE_RASA_URL")
    )

    @field_validator("reminder_hours")
    @classmethod
    def _reminder_hours(cls, value: list[int]) -> list[int]:
        if any(not 1 <= hours <= 24 * 7 for hours in value):
            raise ValueError("each reminder is 1 to 168 hours before the task")
        return sorted(set(value), reverse=True)

    @field_validator("escalation_hours")
    @classmethod
    def _escalation_hours(cls, value: list[float]) -> list[float]:
        return _escalation_steps(value)

    @field_validator("escalation_hours_by_territory")
    @classmethod
    def _escalation_by_territory(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        return {name: _escalation_steps(steps) for name, steps in value.items()}

    def escalation_for(self, territory_name: str, own: list[float] | None = None) -> list[float]:
        """The escalation hours of a territory: those its coordinators set (`own`, stored on
        the territory), else those of the settings file for it, else the global ones."""
        if own:
            return [float(hours) for hours in own]
        return self.escalation_hours_by_territory.get(territory_name, self.escalation_hours)

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
        """Return the settings as a dict with secrets hidden, for `entraide config show`:
        tokens and passwords, the credentials of every URL, the webhook's secret path."""
        from core.redaction import MASK, redact, secret_path_of

        shown: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                shown[name] = "********"
            elif name in URL_SETTINGS and isinstance(value, str):
                shown[name] = redact(value)
            elif name == "telegram_webhook_url" and isinstance(value, str):
                path = secret_path_of(value)
                shown[name] = redact(value[: value.rindex(path)] + MASK) if path else redact(value)
            else:
                shown[name] = value
        return shown


def _escalation_steps(value: list[float]) -> list[float]:
    if len(value) != 3 or any(h <= 0 for h in value) or sorted(set(value)) != list(value):
        raise ValueError(
            "give three increasing hours: next volunteers, whole territory, coordinators"
        )
    return [float(h) for h in value]


def load_settings(**overrides: Any) -> Settings:
    """Build the effective settings; keyword arguments win over every other source."""
    return Settings(**overrides)
