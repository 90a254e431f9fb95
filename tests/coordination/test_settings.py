"""REDIS_URL and REDIS_PREFIX: read from the environment, the URL kept secret, a bad prefix refused at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings

FAKE = "4242:TEST-not-a-real-token"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_PREFIX", raising=False)
    monkeypatch.setenv("BOT_TOKEN", FAKE)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout


def test_without_redis_url_nothing_is_shared() -> None:
    settings = load_settings()
    assert settings.redis_url is None and settings.redis_prefix == "green_channel"


def test_the_url_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2-pass@redis.internal:6379/2")
    monkeypatch.setenv("REDIS_PREFIX", "district-7")
    settings = load_settings()
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == "redis://:hunter2-pass@redis.internal:6379/2"
    assert "hunter2" not in repr(settings)
    assert settings.redis_prefix == "district-7"


def test_a_prefix_with_spaces_or_wildcards_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_PREFIX", "green *")
    with pytest.raises(ConfigError, match="REDIS_PREFIX is invalid"):
        load_settings()
