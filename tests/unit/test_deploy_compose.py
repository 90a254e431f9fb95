"""deploy/compose/: three bots on PostgreSQL and Redis behind nginx. No container runs here (no registry to pull
from): what is checked is what a mistake in these files would break — every bot gets the shared database, Redis
and the webhook's secret; nginx sends to exactly those bots and refuses a request without the secret; the
settings the bots are started with are a valid configuration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import Settings

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose"
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def dotenv(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def interpolated(text: str, env: dict[str, str]) -> str:
    """What docker compose makes of ${NAME}, ${NAME:?message} and ${NAME:-default} (its .env as ``env``)."""

    def value(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if name in env:
            return env[name]
        assert kind == "-", f"compose would refuse to start: {name} is unset ({rest})"
        return rest

    return VARIABLE.sub(value, text)


@pytest.fixture
def compose() -> dict[str, Any]:
    text = interpolated((COMPOSE / "compose.yaml").read_text(), dotenv(COMPOSE / ".env.example"))
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def bots(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/compose/Dockerfile"
    }


def test_three_bots_share_the_database_redis_documents_and_secret(compose: dict[str, Any]) -> None:
    found = bots(compose)
    assert sorted(found) == ["bot1", "bot2", "bot3"]
    secret = dotenv(COMPOSE / ".env.example")["WEBHOOK_SECRET"]
    for service in found.values():
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert (env["WEBHOOK_HOST"], env["WEBHOOK_SECRET"]) == ("0.0.0.0", secret)
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert f"files:{env['FILES_DIR']}" in service["volumes"]  # every instance reads the copies any made
    assert {"postgres", "redis"} <= set(compose["services"]) and "healthcheck" in compose["services"]["postgres"]


def test_nginx_sends_to_exactly_the_bots_and_refuses_a_request_without_the_secret(compose: dict[str, Any]) -> None:
    template = (COMPOSE / "nginx.conf.template").read_text()
    upstream = re.search(r"upstream green_channel_bots \{(.*?)\}", template, re.S)
    assert upstream is not None
    servers = set(re.findall(r"server (\w+):(\d+)", upstream.group(1)))
    assert servers == {(name, s["environment"]["WEBHOOK_PORT"]) for name, s in bots(compose).items()}
    location = re.search(r"location = \$\{WEBHOOK_PATH\} \{(.*)\n    \}", template, re.S)
    assert location is not None
    body = location.group(1)
    check = body.index('if ($http_x_telegram_bot_api_secret_token != "${WEBHOOK_SECRET}")')
    assert "return 403;" in body[check:] and check < body.index("proxy_pass http://green_channel_bots;")
    proxy = compose["services"]["proxy"]
    assert proxy["environment"]["WEBHOOK_SECRET"] == dotenv(COMPOSE / ".env.example")["WEBHOOK_SECRET"]
    assert "./nginx.conf.template:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]


def test_a_bot_s_settings_are_a_valid_configuration(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of this checkout's own
    service = bots(compose)["bot1"]
    for key, value in {**dotenv(COMPOSE / f"{service['env_file']}.example"), **service["environment"]}.items():
        monkeypatch.setenv(key, str(value))
    settings = Settings()  # type: ignore[call-arg]
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    assert str(settings.webhook_url).endswith(settings.webhook_path)


def test_the_image_runs_the_bot_as_an_unprivileged_user() -> None:
    dockerfile = (COMPOSE / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert dockerfile[-1] == 'CMD ["green-channel"]'
