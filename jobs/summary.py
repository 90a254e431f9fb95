"""The daily summary: figures -> text and charts per reader's language -> claimed once and queued."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from approvals.ledger import KeyProjectStatus
from approvals.models import Lane
from approvals.summary import SummaryFigures
from handlers import leadership_texts, quota_texts
from handlers import texts as t
from handlers.context import AppContext
from handlers.summary_text import chart_titles, key_status_labels, lane_names, late_notice, summary_text
from storage.outbox import Outgoing

log = logging.getLogger(__name__)
SUMMARY = "summary"


@dataclass(frozen=True)
class LateDay:
    """A day whose summary is sent after it passed (the process was down at the summary time)."""

    day: date
    approved: int  # approved that day: the one figure that can still be told as of then


async def recipients(app: AppContext) -> list[tuple[int, str]]:
    """The reviewers' group (GROUP_LOCALE) and every approved subscriber (their own language)."""
    found: list[tuple[int, str]] = []
    if app.reviewer_chat_id is not None:
        found.append((app.reviewer_chat_id, app.group_locale))
    for user_id in await app.repos.subscribers.active():
        found.append((user_id, await app.locale_for_chat(user_id)))
    return found


async def render(
    app: AppContext, figures: SummaryFigures, locale: str, *, with_charts: bool, late: LateDay | None = None
) -> list[Outgoing]:
    """The messages for one chat, without a chat id yet (0): text chunks, then the two charts.

    A late summary opens with the day it stands for."""
    board = await app.admin.key_board()
    claimed = {r.claimed_by for r in figures.at_risk_items if r.claimed_by}
    names = {uid: (await app.admin.actor(uid)).name or str(uid) for uid in claimed}
    leadership = await app.leadership()
    quota = await app.quotas.standing()
    with app.i18n.context(), app.i18n.use_locale(locale):
        blocks = summary_text(figures, board, names)
        blocks[1:1] = leadership_texts.blocks(leadership, quota_texts.summary_line(*quota))  # after the figures
        if late is not None:
            blocks.insert(0, late_notice(late.day, late.approved, figures.today))
        texts = t.chunks(blocks)
        titles = chart_titles()
        lanes = lane_names()
        labels = key_status_labels()
    messages = [Outgoing(chat_id=0, text=text) for text in texts]
    if not with_charts:
        return messages
    from jobs import charts  # matplotlib costs ~55 MB; loaded by the first summary with charts, not at start-up

    backlog = {lanes[lane]: figures.backlog.get(lane, 0) for lane in Lane}
    counts = Counter(status for _, status in board.rows)
    activity = await asyncio.to_thread(
        charts.activity_chart,
        figures.approvals_by_day,
        backlog,
        title=f"{titles['title']} · {figures.today.isoformat()}",
        per_day_title=titles["per_day"],
        backlog_title=titles["backlog"],
    )
    ledger = await asyncio.to_thread(
        charts.ledger_chart,
        {KeyProjectStatus(k): v for k, v in counts.items()},
        labels,
        title=titles["ledger"].format(approved=board.approved, total=board.total),
    )
    return [*messages, Outgoing(chat_id=0, photo=activity), Outgoing(chat_id=0, photo=ledger)]


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
