"""/healthz, /readyz and /metrics of the real bot against the local Bot API server (METRICS_PORT=0: a free port).

Each counter moves when its cause happens (an update handled, a Bot API call refused with each error code), and
each of /readyz's four checks is named when it fails, the others still passing.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitoring import Monitor
from monitoring.readiness import Check, Readiness
from storage.codec import stamp
from storage.health import SqliteHealth
from storage.outbox import Outgoing
from tests.bot.conftest import Harness

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def monitored(harness: Harness) -> Harness:
    harness.settings = harness.settings.model_copy(update={"metrics_port": 0})
    await harness.restart()
    return harness


def monitor(h: Harness) -> Monitor:
    assert h.application.monitor is not None
    return h.application.monitor


async def get(h: Harness, path: str) -> tuple[int, str, str]:
    server = monitor(h).server
    assert server is not None and server.port
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}", timeout=aiohttp.ClientTimeout(total=30)) as response,
    ):
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def scrape(h: Harness) -> Samples:
    status, content_type, text = await get(h, "/metrics")
    assert status == 200 and content_type.startswith("text/plain"), (status, content_type)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def counted(h: Harness, name: str, **labels: str) -> float:
    return monitor(h).metrics.registry.get_sample_value(name, labels) or 0.0


async def test_healthz_says_the_process_is_up_and_its_version(monitored: Harness) -> None:
    status, _, text = await get(monitored, "/healthz")
    assert status == 200
    assert f'"version": "{monitor(monitored).version}"' in text and '"status": "ok"' in text
    samples = await scrape(monitored)
    assert value(samples, "green_channel_build_info", version=monitor(monitored).version) == 1


async def test_updates_are_counted_by_type_and_outcome_and_timed(monitored: Harness) -> None:
    h = monitored
    handled = {"type": "message", "outcome": "handled"}
    before = await scrape(h)
    await h.applicant.send("/start")
    await h.applicant.expect("欢迎使用")
    await h.api.wait_until(lambda: counted(h, "green_channel_updates_total", **handled) >= 1)
    after = await scrape(h)
    assert (
        value(after, "green_channel_updates_total", **handled)
        == value(before, "green_channel_updates_total", **handled) + 1
    )
    count = ("green_channel_update_seconds_count", {"type": "message"})
    assert value(after, count[0], **count[1]) == value(before, count[0], **count[1]) + 1
    assert value(after, "green_channel_update_seconds_sum", type="message") > 0
    # the answer to /start came back within the bucket the histogram puts it in: a fast one
    assert value(after, "green_channel_update_seconds_bucket", type="message", le="30.0") >= 1

    await h.applicant.send("/lang")
    choice = await h.applicant.expect("请选择语言")
    assert (await h.applicant.answer(await h.applicant.press(choice, "English")))["text"] == "Language set to English."
    pressed = {"type": "callback_query", "outcome": "handled"}
    await h.api.wait_until(lambda: counted(h, "green_channel_updates_total", **pressed) >= 1)
    assert value(await scrape(h), "green_channel_update_seconds_count", type="callback_query") >= 1


async def test_send_failures_are_counted_by_error_code(monitored: Harness) -> None:
    h = monitored
    failures = "green_channel_send_failures_total"
    h.api.inject("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=h.applicant.id)
    h.api.inject("sendMessage", 502, "Bad Gateway", chat_id=h.applicant.id)
    h.api.inject("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=h.stranger.id)
    h.api.inject("sendMessage", 400, "Bad Request: message text is empty", chat_id=h.applicant_en.id)
    now = h.clock.now()
    await h.repos.outbox.add(
        [Outgoing(h.applicant.id, "通知"), Outgoing(h.stranger.id, "notice"), Outgoing(h.applicant_en.id, "x")], now
    )
    codes = ("429", "5xx", "403", "400")
    await h.api.wait_until(lambda: all(counted(h, failures, code=code) >= 1 for code in codes))
    samples = await scrape(h)
    assert [value(samples, failures, code=code) for code in codes] == [1, 1, 1, 1]
    # the applicant's message went out in the end: a retried message is one failure per refused try, no more
    await h.applicant.expect("通知")
    assert value(await scrape(h), failures, code="network") == 0


async def test_readyz_is_200_when_every_check_passes(monitored: Harness) -> None:
    await monitored.application.jobs.catch_up_done()
    status, _, text = await get(monitored, "/readyz")
    assert status == 200, text
    assert '"failing": []' in text
    for name in ("database", "bot_api", "scheduler", "outbox"):
        assert f'"{name}": "ok"' in text


async def test_readyz_is_503_naming_the_bot_api_while_the_server_fails(monitored: Harness) -> None:
    h = monitored
    h.api.inject("getMe", 502, "Bad Gateway", times=10_000)
    failing: dict[str, Any] = {}

    async def not_ready() -> bool:
        status, _, text = await get(h, "/readyz")  # answers are kept two seconds: the next ones see the fault
        failing["status"], failing["text"] = status, text
        return status == 503

    await eventually(not_ready)
    assert '"failing": ["bot_api"]' in failing["text"] and "Bad Gateway" in failing["text"]
    h.api.world.faults.clear()

    async def ready() -> bool:
        return (await get(h, "/readyz"))[0] == 200

    await eventually(ready)


async def eventually(condition: Any, attempts: int = 120) -> None:
    """Re-ask an HTTP endpoint until ``condition`` holds: nothing in the process can be awaited for it."""
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.25)
    raise AssertionError("the endpoint never answered as expected")


def readiness(h: Harness, **options: Any) -> Readiness:
    """The endpoint's checks as it builds them, answering afresh every time (no two-second cache)."""
    return Readiness(
        health=SqliteHealth(h.db),
        bot=h.application.bot,
        jobs=h.application.jobs,
        clock=h.clock,
        outbox_stuck_seconds=h.settings.outbox_stuck_seconds,
        max_age=0,
        **options,
    )


def failing(checks: list[Check]) -> dict[str, str]:
    return {c.name: c.problem for c in checks if c.problem is not None}


async def test_each_readiness_failure_is_named(monitored: Harness) -> None:
    h = monitored
    await h.application.jobs.catch_up_done()
    assert failing(await readiness(h).checks()) == {}

    # the disk: less room than the check asks for
    problems = failing(await readiness(h, min_free_bytes=2**62).checks())
    assert list(problems) == ["database"] and "MiB free" in problems["database"]

    # the write lock held by another process (an sqlite3 shell left in a transaction)
    other = sqlite3.connect(h.settings.database_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        problems = failing(await readiness(h, timeout=30).checks())
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert list(problems) == ["database"] and "locked" in problems["database"]

    # a job paused, then the outbox sender stopped
    scheduler = h.application.jobs.scheduler
    scheduler.pause_job("reminders")
    problems = failing(await readiness(h).checks())
    scheduler.resume_job("reminders")
    assert problems == {"scheduler": "jobs paused: reminders"}
    await h.application.jobs.sender.stop()
    problems = failing(await readiness(h).checks())
    h.application.jobs.sender.start()
    assert problems == {"scheduler": "the outbox sender is not running"}

    # the outbox: a message waiting an hour (held back by a retry far in the future)
    hour_ago, tomorrow = h.clock.now() - timedelta(hours=1), h.clock.now() + timedelta(days=1)
    async with h.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO outbox (chat_id, text, created_at, next_attempt_at) VALUES (?, 'held', ?, ?)",
            (h.applicant.id, stamp(hour_ago), stamp(tomorrow)),
        )
    problems = failing(await readiness(h).checks())
    assert list(problems) == ["outbox"] and "3600 s" in problems["outbox"], problems

    # the Bot API server
    async with h.db.transaction() as conn:
        await conn.execute("DELETE FROM outbox WHERE text = 'held'")
    h.api.inject("getMe", 401, "Unauthorized")
    problems = failing(await readiness(h).checks())
    assert list(problems) == ["bot_api"] and "Unauthorized" in problems["bot_api"]


async def test_a_taken_metrics_port_leaves_the_bot_running(harness: Harness) -> None:
    """The applicants' service matters more than its dashboard: the bot starts, logs why the endpoint did not."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        harness.settings = harness.settings.model_copy(update={"metrics_port": taken.getsockname()[1]})
        await harness.restart()
        assert monitor(harness).server is None
        await harness.applicant.send("/start")
        await harness.applicant.expect("欢迎使用")
