"""Structured logs: one JSON object per line, and the bot token scrubbed from everything."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from operations.log_context import ContextFilter

# Anything shaped like a bot token (digits, colon, 30+ URL-safe characters), ours or not.
TOKEN_SHAPE = re.compile(r"(?<!\d)\d{3,12}:[A-Za-z0-9_-]{30,}")


class RedactFilter(logging.Filter):
    """Replaces secrets in the final message (URLs in aiohttp errors can carry the token)."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        for secret in self.secrets:
            message = message.replace(secret, "***")
        message = TOKEN_SHAPE.sub("***", message)
        record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for field in ("update_id", "request_id"):  # set by operations.log_context while an update or request is
            value = getattr(record, field, None)  # in hand: every line about a request carries its number
            if value is not None:
                entry[field] = value
        # ASCII only: user text with U+2028, U+0085 and the like would otherwise split one record into several
        # lines for line-based tools (str.splitlines, log shippers).
        return json.dumps(entry, ensure_ascii=True)


def configure(*secrets: str, level: int | str = logging.INFO, stream: TextIO | None = None) -> None:
    """``level``: a number or a name (``LOG_LEVEL``/``--log-level``: debug, info, warning, error)."""
    if isinstance(level, str):
        level = logging.getLevelNamesMapping()[level.upper()]
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter(*secrets))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every update at INFO ("Update id=… is handled"): thousands of lines an hour that say nothing
    # a bureau needs, and ~3 % of the bot's time under load. Failures still come through at WARNING and above.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
