"""Settings from the environment or a .env file. A bad setting stops start-up with one line naming it."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from approvals.models import Role
from approvals.numbering import (
    DEFAULT_APPROVAL_NUMBER_FORMAT,
    DEFAULT_APPROVAL_NUMBER_PREFIX,
    MAX_PREFIX,
    BadNumberFormat,
    NumberFormat,
    parse_number_format,
)
from approvals.quota_settings import QuotaSettings, parse_quota_settings
from approvals.sign_off import BadChain, parse_chain
from approvals.validation import DEFAULT_APPROVAL_NUMBER_PATTERN
from paperwork.templates import TemplateError, Templates

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    telegram_api_base: AnyHttpUrl | None = None
    database_path: Path = Path("data/green_channel.db")
    files_dir: Path = Path("data/files")  # the bureau's own copy of every document, named by its SHA-256
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    reviewer_chat_id: int | None = None
    timezone: str = "Asia/Shanghai"
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    group_locale: Literal["zh_CN", "en"] = "zh_CN"  # what the reviewers' group reads: cards, summaries, lists
    calendar_file: Path | None = None
    risk_days: int = Field(default=3, ge=0, le=30)
    # working days an applicant has to supply the material a list of missing material asked for; then 退件
    completion_days: int = Field(default=15, ge=1, le=60)
    # public notices (环办〔2013〕103号): their days outside the bureau's promise (always inside the legal limit),
    # and whether a 报告表's acceptance is noticed too (a 报告书's always is)
    promise_excludes_notices: bool = True
    notice_report_forms: bool = False
    summary_time: time = time(8, 30)
    summary_workdays_only: bool = False
    # the weekly key-project bulletin (一周一通报): its day and time, and the working days that make a project red
    # (stuck in one stage) or yellow (waiting on the applicant)
    bulletin_day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    bulletin_time: time = time(9, 0)
    bulletin_red_days: int = Field(default=20, ge=1, le=250)
    bulletin_yellow_days: int = Field(default=10, ge=1, le=250)
    office_hours_end: time = time(17, 30)  # a 登记表 handed in from then on is due the next working day
    # the form of an approval number (批复文号): a regular expression the whole number must match; '' = any
    approval_number_pattern: str = Field(default=DEFAULT_APPROVAL_NUMBER_PATTERN, max_length=500)
    # approval numbers the bureau issues in order: the organ's short name, and the form ('' = reviewers type them)
    approval_number_prefix: str = Field(default=DEFAULT_APPROVAL_NUMBER_PREFIX, max_length=MAX_PREFIX)
    approval_number_format: str = Field(default=DEFAULT_APPROVAL_NUMBER_FORMAT, max_length=200)
    # the roles that sign a decision, in order (经办 → 审核 → 签发); 'reviewer' alone: the reviewer decides
    approval_chain: str = Field(default="reviewer", max_length=100)
    # the written notices (文书): the issuing bureau's full name, and a folder of the bureau's own templates
    bureau_name: str = Field(default="某某区生态环境局", min_length=1, max_length=60)
    templates_dir: Path | None = None
    written_notices: bool = True
    max_concurrent_updates: int = Field(default=64, ge=1, le=10_000)
    # Telegram's limits; a self-hosted Bot API server (or a test) may allow more
    pace_private_seconds: float = Field(default=1.0, ge=0)
    pace_group_seconds: float = Field(default=3.0, ge=0)
    pace_per_second: float = Field(default=30.0, gt=0)
    # flood control per user: sustained updates per second, and how many may arrive at once
    throttle_rate: float = Field(default=3.0, gt=0)
    throttle_burst: float = Field(default=20.0, ge=1)
    # the health and metrics endpoint (monitoring/): off unless METRICS_PORT is set; a message waiting longer than
    # OUTBOX_STUCK_SECONDS makes /readyz fail
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    outbox_stuck_seconds: int = Field(default=900, ge=10)
    # webhook mode (instead of long polling) when WEBHOOK_URL is set
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram/webhook"
    # several instances: Redis shares update claims, flood control, chat locks and form state (coordination/)
    redis_url: SecretStr | None = None  # may carry a password
    redis_prefix: str = Field(default="green_channel", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # PostgreSQL instead of the SQLite file (postgresql://user:password@host/db): several instances share it, and
    # so need REDIS_URL too. Unset: DATABASE_PATH, one process.
    database_url: SecretStr | None = None  # carries the password: never logged
    # operations (operations/): the logs' threshold, and the nightly backup (off unless BACKUP_DIR is set)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    backup_dir: Path | None = None
    backup_keep: int = Field(default=14, ge=1, le=3650)  # days of nightly backups kept
    backup_time: time = time(2, 30)
    # the public notice board (公示栏, public/): served when PUBLIC_PORT is set
    public_host: str = "127.0.0.1"
    public_port: int | None = Field(default=None, ge=1, le=65535)
    public_base_url: AnyHttpUrl | None = None  # how the public reaches it (the feed's links); else from the request
    public_trust_proxy: bool = False  # the sender's address is the last X-Forwarded-For entry (behind a proxy)
    # pollutant quotas (总量控制): pollutants counted, substitution ratios (倍量替代), categories needing none
    quota_pollutants: str = Field(default="COD,NH3-N,NOx,VOCs,SO2,颗粒物", max_length=500)
    quota_ratios: str = Field(default="", max_length=2000)
    quota_exempt: str = Field(default="road,rail,hydropower,solar,onshore_wind", max_length=500)

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url is not None:
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
                raise ValueError("WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return self

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_case_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("backup_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # BACKUP_DIR= in .env: no backups

    @field_validator("database_url", "redis_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # DATABASE_URL= in .env: SQLite

    @field_validator("database_url")
    @classmethod
    def _postgres_with_redis(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            return value
        if urlsplit(value.get_secret_value()).scheme not in ("postgres", "postgresql"):
            raise ValueError("expected postgresql://user:password@host/database")  # never echo it: a password
        if info.data.get("redis_url") is None:  # form state, chat locks, update claims: shared through Redis
            raise ValueError("needs REDIS_URL too (several instances share a PostgreSQL database through Redis)")
        return value

    @field_validator("public_port")
    @classmethod
    def _board_beside_the_webhook(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("webhook_url") is not None and value == info.data.get("webhook_port"):
            raise ValueError("must differ from WEBHOOK_PORT")
        return value

    @field_validator("bulletin_day", mode="before")
    @classmethod
    def _a_weekday(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def bulletin_weekday(self) -> int:
        """Monday 0 … Sunday 6."""
        return WEEKDAY_NAMES.index(self.bulletin_day)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        left, sep, right = value.get_secret_value().partition(":")
        if not (sep and left.isdigit() and right and " " not in right):
            raise ValueError("expected the form 123456:ABC... from @BotFather")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("approval_number_pattern")
    @classmethod
    def _a_regular_expression(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression ({exc.msg})") from None
        return value

    @field_validator("approval_number_format")
    @classmethod
    def _a_number_format(cls, value: str, info: ValidationInfo) -> str:
        prefix = info.data.get("approval_number_prefix")
        if prefix is None:
            return value  # the prefix itself was refused, and is reported as such
        try:
            parse_number_format(value, prefix)
        except BadNumberFormat as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def numbering(self) -> NumberFormat | None:
        """How the bureau issues approval numbers; None where reviewers type them."""
        return parse_number_format(self.approval_number_format, self.approval_number_prefix)

    @field_validator("approval_chain")
    @classmethod
    def _a_sign_off_chain(cls, value: str) -> str:
        try:
            parse_chain(value)
        except BadChain as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def chain(self) -> tuple[Role, ...]:
        """The sign-off chain's roles (approvals/sign_off.py)."""
        return parse_chain(self.approval_chain)

    @field_validator("templates_dir")
    @classmethod
    def _templates_load(cls, value: Path | None) -> Path | None:
        try:
            Templates.load(value)  # every template, the bureau's and the defaults: a typo stops start-up here
        except (TemplateError, OSError) as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("quota_pollutants", "quota_ratios", "quota_exempt")
    @classmethod
    def _quota_settings(cls, value: str, info: ValidationInfo) -> str:
        """Each checked as it comes (the ratios name pollutants): the error names the setting that is wrong."""
        given = {
            "quota_pollutants": "",
            "quota_ratios": "",
            "quota_exempt": "",
            **info.data,
            str(info.field_name): value,
        }
        if "quota_pollutants" in given:  # else the pollutants were refused, and are reported as such
            parse_quota_settings(given["quota_pollutants"], given["quota_ratios"], given["quota_exempt"])
        return value

    @property
    def quota(self) -> QuotaSettings:
        return parse_quota_settings(self.quota_pollutants, self.quota_ratios, self.quota_exempt)

    @field_validator("calendar_file")
    @classmethod
    def _calendar_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file {value}")
        return value


class ConfigError(Exception):
    """One line per bad setting, naming the variable; never echoes a value (it may be the token)."""

    def __init__(
        self, message: str, missing: frozenset[str] = frozenset(), invalid: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(message)
        self.missing = missing  # settings not given at all, e.g. {"BOT_TOKEN"}
        self.invalid = invalid  # settings given with a value that is refused


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines: list[str] = []
        missing: set[str] = set()
        invalid: set[str] = set()
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "WEBHOOK_SECRET"
            problem = "is missing" if error["type"] == "missing" else f"is invalid: {error['msg']}"
            lines.append(f"configuration error: {name} {problem}")
            (missing if error["type"] == "missing" else invalid).add(name)
        raise ConfigError("\n".join(lines), frozenset(missing), frozenset(invalid)) from None
