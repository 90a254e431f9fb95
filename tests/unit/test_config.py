import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]
FAKE = "4242:TEST-not-a-real-token"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in {"BOT_TOKEN", "ADMIN_IDS", "TIMEZONE", "REVIEWER_CHAT_ID", "TELEGRAM_API_BASE"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


def test_defaults_and_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", FAKE)
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("REVIEWER_CHAT_ID", "-100123")
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081")
    settings = load_settings()
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.reviewer_chat_id == -100123
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_locale == "zh_CN"
    assert settings.group_locale == "zh_CN"
    assert str(settings.database_path) == "data/green_channel.db"
    assert str(settings.files_dir) == "data/files"  # the bureau's copies of documents
    assert FAKE not in repr(settings)  # the token is a secret even in reprs


def test_office_hours_end_reaches_the_deadline_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    from assembly import build_policy

    monkeypatch.setenv("BOT_TOKEN", FAKE)
    assert build_policy(load_settings()).office_hours_end == time(17, 30)
    monkeypatch.setenv("OFFICE_HOURS_END", "18:00")
    monkeypatch.setenv("RISK_DAYS", "5")
    policy = build_policy(load_settings())
    assert (policy.office_hours_end, policy.risk_days) == (time(18, 0), 5)


async def test_the_approval_number_pattern_reaches_the_service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from approvals.validation import DEFAULT_APPROVAL_NUMBER_PATTERN
    from assembly import create_application

    monkeypatch.setenv("BOT_TOKEN", FAKE)
    assert load_settings().approval_number_pattern == DEFAULT_APPROVAL_NUMBER_PATTERN
    monkeypatch.setenv("APPROVAL_NUMBER_PATTERN", "")
    assert load_settings().approval_number_pattern == ""  # any number
    monkeypatch.setenv("APPROVAL_NUMBER_PATTERN", r"XH-\d+")
    application = await create_application(load_settings(database_path=tmp_path / "g.db"))
    try:
        assert application.app.approvals.clean_number("XH-12") == "XH-12"
    finally:
        await application.close()


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({}, "configuration error: BOT_TOKEN is missing"),
        ({"BOT_TOKEN": "nonsense"}, "configuration error: BOT_TOKEN is invalid"),
        ({"BOT_TOKEN": FAKE, "ADMIN_IDS": "1,x"}, "configuration error: ADMIN_IDS is invalid"),
        ({"BOT_TOKEN": FAKE, "TIMEZONE": "Mars/Olympus"}, "configuration error: TIMEZONE is invalid"),
        ({"BOT_TOKEN": FAKE, "TELEGRAM_API_BASE": "not a url"}, "configuration error: TELEGRAM_API_BASE is invalid"),
        ({"BOT_TOKEN": FAKE, "DEFAULT_LOCALE": "fr"}, "configuration error: DEFAULT_LOCALE is invalid"),
        ({"BOT_TOKEN": FAKE, "OFFICE_HOURS_END": "after five"}, "configuration error: OFFICE_HOURS_END is invalid"),
        (
            {"BOT_TOKEN": FAKE, "APPROVAL_NUMBER_PATTERN": "区环审[(2026"},
            "configuration error: APPROVAL_NUMBER_PATTERN is",
        ),
    ],
)
def test_a_bad_setting_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], line: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(line)
    assert "\n" not in message
    assert "nonsense" not in message  # values are never echoed: one of them is the token


def test_bot_py_stops_with_one_clear_line_per_bad_setting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.upper() != "BOT_TOKEN"} | {"RISK_DAYS": "many"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert sorted(result.stderr.strip().splitlines()) == [
        "configuration error: BOT_TOKEN is missing",
        "configuration error: RISK_DAYS is invalid: Input should be a valid integer, unable to parse string as an "
        "integer",
    ]


def test_the_error_names_missing_and_refused_settings_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """bot.py starts the sandbox only when nothing but the token is missing: it reads these, not the text."""
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as only_token:
        load_settings(_env_file=None)
    assert (only_token.value.missing, only_token.value.invalid) == ({"BOT_TOKEN"}, frozenset())
    monkeypatch.setenv("RISK_DAYS", "many")
    with pytest.raises(ConfigError) as both:
        load_settings(_env_file=None)
    assert (both.value.missing, both.value.invalid) == ({"BOT_TOKEN"}, {"RISK_DAYS"})


def test_group_locale_is_chinese_or_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", FAKE)
    monkeypatch.setenv("GROUP_LOCALE", "en")
    assert load_settings(_env_file=None).group_locale == "en"
    monkeypatch.setenv("GROUP_LOCALE", "fr")
    with pytest.raises(ConfigError, match="GROUP_LOCALE is invalid"):
        load_settings(_env_file=None)


async def test_the_approval_number_format_reaches_the_service_and_a_bad_one_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from approvals.numbering import NumberFormat
    from assembly import create_application

    monkeypatch.setenv("BOT_TOKEN", FAKE)
    assert load_settings().numbering == NumberFormat("{prefix}〔{year}〕{seq}号", "区环审")  # issued by default
    monkeypatch.setenv("APPROVAL_NUMBER_FORMAT", "")
    assert load_settings().numbering is None  # typed, as before
    monkeypatch.setenv("APPROVAL_NUMBER_FORMAT", "{prefix}-{year}-{seq:04d}")
    monkeypatch.setenv("APPROVAL_NUMBER_PREFIX", "东环建")
    application = await create_application(load_settings(database_path=tmp_path / "g.db"))
    try:
        assert application.app.approvals.numbering == NumberFormat("{prefix}-{year}-{seq:04d}", "东环建")
    finally:
        await application.close()
    for template, says in (("{prefix}〔{year}〕{no}号", "unknown placeholder {no}"), ("{prefix}{seq}", "{year}")):
        monkeypatch.setenv("APPROVAL_NUMBER_FORMAT", template)
        with pytest.raises(ConfigError) as caught:
            load_settings()
        assert str(caught.value).startswith("configuration error: APPROVAL_NUMBER_FORMAT is invalid")
        assert says in str(caught.value) and "\n" not in str(caught.value)
    monkeypatch.setenv("APPROVAL_NUMBER_FORMAT", "{prefix}〔{year}〕{seq}号")
    monkeypatch.setenv("APPROVAL_NUMBER_PREFIX", "")
    with pytest.raises(ConfigError, match=r"APPROVAL_NUMBER_FORMAT is invalid.*PREFIX is empty"):
        load_settings()


async def test_the_sign_off_chain_is_checked_at_start_and_reaches_the_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from approvals.models import Role
    from assembly import create_application

    monkeypatch.setenv("BOT_TOKEN", FAKE)
    assert load_settings().chain == (Role.REVIEWER,)  # the default: the reviewer decides, as before
    for value, why in (
        ("chief,director", "it must start with reviewer"),
        ("reviewer,chief,chief", "chief appears twice"),
        ("reviewer,deputy", "unknown role 'deputy'; use reviewer, chief, director"),
    ):
        monkeypatch.setenv("APPROVAL_CHAIN", value)
        with pytest.raises(ConfigError) as caught:
            load_settings()
        assert str(caught.value).startswith("configuration error: APPROVAL_CHAIN is invalid")
        assert why in str(caught.value) and "\n" not in str(caught.value)
    monkeypatch.setenv("APPROVAL_CHAIN", "reviewer, chief, director")
    application = await create_application(load_settings(database_path=tmp_path / "g.db"))
    try:
        assert application.app.approvals.chain == (Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)
        assert application.app.approvals.signs_off
    finally:
        await application.close()


def test_database_url_chooses_postgresql_only_beside_redis_and_is_never_echoed() -> None:
    url = "postgresql://green:s3cret-pw@db.internal/green_channel"
    assert load_settings(bot_token=FAKE, _env_file=None).database_url is None  # SQLite, as before
    assert load_settings(bot_token=FAKE, database_url="", _env_file=None).database_url is None  # DATABASE_URL=
    with pytest.raises(ConfigError) as alone:
        load_settings(bot_token=FAKE, database_url=url, _env_file=None)
    assert str(alone.value) == (
        "configuration error: DATABASE_URL is invalid: Value error, needs REDIS_URL too (several instances share a "
        "PostgreSQL database through Redis)"
    )
    with pytest.raises(ConfigError) as other:
        load_settings(
            bot_token=FAKE, database_url="mysql://green:s3cret-pw@db/x", redis_url="redis://r", _env_file=None
        )
    assert "DATABASE_URL is invalid" in str(other.value) and "s3cret-pw" not in str(other.value)
    settings = load_settings(bot_token=FAKE, database_url=url, redis_url="redis://r:6379/0", _env_file=None)
    assert settings.database_url is not None and settings.database_url.get_secret_value() == url
    assert "s3cret-pw" not in repr(settings)
