"""Logs: one JSON object per line, each line about an update or a request carrying its number; the threshold from
LOG_LEVEL or --log-level."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

import logsetup
from config import ConfigError, load_settings
from operations import cli
from operations.log_context import ContextFilter, about_request, scope

TOKEN = "4242:TEST-not-a-real-token"


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture(name="captured")
def captured_logs() -> Iterator[io.StringIO]:
    """The production formatter and filters on a handler of the root logger, beside pytest's own."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logsetup.JsonFormatter())
    handler.addFilter(logsetup.RedactFilter(TOKEN))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_lines_inside_a_scope_carry_its_numbers_and_lines_outside_carry_none(captured: io.StringIO) -> None:
    log = logging.getLogger("green_channel.test")
    with scope(update=7):
        log.info("update in hand")
        about_request(42)
        log.warning("about a request")
    log.info("after")
    first, second, third = lines(captured)
    assert (first["update_id"], "request_id" in first) == (7, False)
    assert (second["update_id"], second["request_id"], second["level"]) == (7, 42, "warning")
    assert "update_id" not in third and "request_id" not in third


async def test_concurrent_tasks_never_see_each_others_request(captured: io.StringIO) -> None:
    log = logging.getLogger("green_channel.test")
    both = asyncio.Barrier(2)

    async def handle(update: int, request: int) -> None:
        with scope(update=update):
            about_request(request)
            await both.wait()  # both numbers are set before either logs
            log.info("handled %d", request)

    await asyncio.gather(handle(1, 101), handle(2, 202))
    assert sorted((e["update_id"], e["request_id"], e["event"]) for e in lines(captured)) == [
        (1, 101, "handled 101"),
        (2, 202, "handled 202"),
    ]


def test_log_level_from_the_setting_and_the_flag() -> None:
    assert load_settings(bot_token=TOKEN, log_level="WARNING", _env_file=None).log_level == "warning"
    assert load_settings(bot_token=TOKEN, backup_dir=" ", _env_file=None).backup_dir is None  # BACKUP_DIR= : off
    with pytest.raises(ConfigError, match="LOG_LEVEL is invalid"):
        load_settings(bot_token=TOKEN, log_level="loud", _env_file=None)
    options = cli.parse(["--log-level", "DEBUG"])
    assert isinstance(options, cli.Options) and options.log_level == "debug" and options.command is None
    assert cli.parse(["--log-level", "loud"]) == 2
    stream = io.StringIO()
    logsetup.configure(TOKEN, level="warning", stream=stream)
    try:
        logging.getLogger("green_channel.test").info("not shown")
        logging.getLogger("green_channel.test").warning("shown")
    finally:
        logsetup.configure(level=logging.WARNING)
    assert [e["event"] for e in lines(stream)] == ["shown"]
