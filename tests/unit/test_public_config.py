"""The public board's settings: off unless PUBLIC_PORT is set, never on the webhook's port."""

import pytest

from config import ConfigError, load_settings

TOKEN = "123456:" + "A" * 35


def test_the_board_is_off_unless_a_port_is_set_and_then_listens_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PUBLIC_PORT", "PUBLIC_HOST", "PUBLIC_BASE_URL", "PUBLIC_TRUST_PROXY", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    settings = load_settings(_env_file=None)
    assert settings.public_port is None and settings.public_trust_proxy is False
    monkeypatch.setenv("PUBLIC_PORT", "8090")
    on = load_settings(_env_file=None)
    assert (on.public_host, on.public_port) == ("127.0.0.1", 8090)


def test_the_board_and_the_webhook_cannot_share_a_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.cn/telegram/webhook")
    monkeypatch.setenv("WEBHOOK_SECRET", "s" * 20)
    monkeypatch.setenv("PUBLIC_PORT", "8080")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert "PUBLIC_PORT is invalid" in str(caught.value) and "WEBHOOK_PORT" in str(caught.value)
    monkeypatch.setenv("PUBLIC_PORT", "70000")
    with pytest.raises(ConfigError):
        load_settings(_env_file=None)
