"""Excluded time (art. 45) that reaches its stated end: the reviewers are reminded on the working day before, and
on the day itself the clock runs again by the bot's own step (audited, the applicant told through the outbox in
its transaction). Taken once however often this runs; after a restart a stop whose end passed meanwhile ends with
the days up to its stated end only (approvals/clock_stops.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from approvals import clock_stops as cs
from handlers import clock_texts
from handlers.context import AppContext
from storage.ports import Outgoing

log = logging.getLogger(__name__)


async def end_stated_stops(app: AppContext) -> int:
    """Restart every clock whose stated end has come; returns how many."""
    service = app.approvals
    today = service.today()
    ended = 0
    for stop in await service.clock_stops_open():
        if cs.is_due_to_end(stop, today) and await service.end_stated_stop(stop.request_id) is not None:
            ended += 1
    if ended:
        log.info("clock stops ended at their stated end count=%d", ended)
    return ended


async def remind_stated_ends(app: AppContext, now: datetime) -> int:
    """The reviewers' group hears, once per stop, that its stated end is the next working day."""
    service, chat_id = app.approvals, await app.reviewer_chat()
    if chat_id is None:
        return 0
    today = service.today()
    queued = 0
    for stop in await service.clock_stops_open():
        if not cs.is_due_reminder(service.calendar, stop, today):
            continue
        request = await app.repos.requests.get(stop.request_id)
        if request is None:
            continue
        with app.i18n.context(), app.i18n.use_locale(app.group_locale):
            text = clock_texts.reminder(request, stop)
        messages = [Outgoing(chat_id, text, request_id=request.id)]
        if await app.repos.runs.claim_reminder(request.id, cs.reminder_key(stop), messages, now):
            queued += 1
    return queued
