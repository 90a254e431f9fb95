"""The daily summary: figures -> text and charts per reader's language (``reports/summary.py``) -> claimed once and
queued."""

from __future__ import annotations

import logging
from datetime import date, datetime

from handlers.context import AppContext
from reports.summary import LateDay, render
from storage.ports import Outgoing

log = logging.getLogger(__name__)
SUMMARY = "summary"


async def recipients(app: AppContext) -> list[tuple[int, str]]:
    """The reviewers' group (GROUP_LOCALE) and every approved subscriber (their own language)."""
    found: list[tuple[int, str]] = []
    if app.reviewer_chat_id is not None:
        found.append((app.reviewer_chat_id, app.group_locale))
    for user_id in await app.repos.subscribers.active():
        found.append((user_id, await app.locale_for_chat(user_id)))
    return found


async def daily_messages(app: AppContext, late: LateDay | None = None) -> list[Outgoing]:
    """Every recipient's messages. A late summary is text only: its charts would be today's, and today's own
    summary carries them."""
    figures = await app.figures()
    rendered: dict[str, list[Outgoing]] = {}
    messages: list[Outgoing] = []
    for chat_id, locale in await recipients(app):
        if locale not in rendered:  # one rendering (and one pair of charts) per language
            rendered[locale] = await render(app, figures, locale, with_charts=late is None, late=late)
        messages += [Outgoing(chat_id, m.text, m.photo, m.reply_markup) for m in rendered[locale]]
    return messages


async def send_daily_summary(app: AppContext, day: date, now: datetime) -> bool:
    """Queue ``day``'s summary unless some process already did; marked late if ``day`` is over. True when this
    call claimed it."""
    if await app.repos.runs.is_claimed(SUMMARY, day):
        return False  # cheap early exit; the claim below is what makes it exactly once
    late = None
    if day < now.astimezone(app.tz).date():
        late = LateDay(day, await app.repos.summary.count_approved(day, day))
    messages = await daily_messages(app, late)
    claimed = await app.repos.runs.claim_daily(SUMMARY, day, messages, now)
    log.info("daily summary day=%s late=%s claimed=%s messages=%d", day, late is not None, claimed, len(messages))
    return claimed
