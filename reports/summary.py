"""The daily summary as one reader sees it: figures -> text and charts in the reader's language. Pure rendering,
shared by the scheduled summary (``jobs/summary.py``) and the commands that show it now (``handlers/``)."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import date

from approvals.ledger import KeyProjectStatus
from approvals.models import Lane
from approvals.summary import SummaryFigures
from handlers import leadership_texts, quota_texts
from handlers import texts as t
from handlers.context import AppContext
from handlers.summary_text import chart_titles, key_status_labels, lane_names, late_notice, summary_text
from storage.ports import Outgoing


@dataclass(frozen=True)
class LateDay:
    """A day whose summary is sent after it passed (the process was down at the summary time)."""

    day: date
    approved: int  # approved that day: the one figure that can still be told as of then


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
    from reports import charts  # matplotlib costs ~55 MB; loaded by the first summary with charts, not at start-up

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
