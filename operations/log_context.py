"""Which update and which request a log line is about, without passing them to every function that logs.

The update's number is set for the whole time an update is handled (``handlers/log_context.py``), the request's
number as soon as it is known (a button naming it, the form it is being typed into, an outbox row or a document
copy that belongs to it). A logging filter copies both onto every record, so ``logsetup.JsonFormatter`` writes
them as fields: ``journalctl … | jq 'select(.request_id == 42)'`` finds everything that happened to #42.
Context variables: each update is handled in its own task, so concurrent updates never see each other's numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

update_id: ContextVar[int | None] = ContextVar("update_id", default=None)
request_id: ContextVar[int | None] = ContextVar("request_id", default=None)


def about_request(number: int | None) -> None:
    """From here on (in this task, until the enclosing ``scope`` ends) log lines are about request ``number``."""
    if number is not None:
        request_id.set(number)


def clear() -> None:
    update_id.set(None)
    request_id.set(None)


@contextmanager
def scope(*, update: int | None = None, request: int | None = None) -> Iterator[None]:
    """Log lines inside are about ``update``/``request``; what was set before is back afterwards, whatever the
    code inside set meanwhile (an error handler runs inside it, so its lines still carry the numbers)."""
    update_token = update_id.set(update)
    request_token = request_id.set(request)
    try:
        yield
    finally:
        request_id.reset(request_token)
        update_id.reset(update_token)


class ContextFilter(logging.Filter):
    """Stamps each record with the numbers in effect where it was logged (a record formatted later — by a
    queue handler's thread, say — keeps them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "update_id"):
            record.update_id = update_id.get()
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True
