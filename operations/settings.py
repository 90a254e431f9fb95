"""The settings the upkeep commands (backup, restore, migrate) read: only where the data lives.

These commands never talk to Telegram, so they must run on a machine (or in a drill) with no BOT_TOKEN and none of
the bot's other settings; a bad value in a setting they do not read must not stop them either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config import ConfigError


class OperationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_path: Path = Path("data/green_channel.db")
    database_url: SecretStr | None = None  # PostgreSQL: backup and restore go through pg_dump (operations/postgres.py)
    files_dir: Path = Path("data/files")
    backup_dir: Path | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    bot_token: SecretStr | None = None  # never required here: only kept out of the logs when it is set

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_case_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("backup_dir", "bot_token", "database_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def secrets(self) -> tuple[str, ...]:
        return (self.bot_token.get_secret_value(),) if self.bot_token else ()


def load_operations_settings() -> OperationsSettings:
    try:
        return OperationsSettings()
    except ValidationError as exc:
        lines = [
            f"configuration error: {str(e['loc'][0]).upper() if e['loc'] else '?'} is invalid: {e['msg']}"
            for e in exc.errors()
        ]
        raise ConfigError(
            "\n".join(lines), invalid=frozenset(str(e["loc"][0]).upper() for e in exc.errors() if e["loc"])
        ) from None
