"""The daily summary's words and charts, for one reader's language (call inside i18n.use_locale)."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.admin import KeyBoard
from approvals.ledger import KeyProjectStatus
from approvals.summary import SummaryFigures
from handlers import key_texts, views
from handlers import texts as t

BAR_CELLS = 20


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR_CELLS * done / total) if total else 0
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def summary_text(f: SummaryFigures, board: KeyBoard, names: dict[int, str]) -> list[str]:
    """Blocks for ``texts.chunks``: the figures, the key-project progress, and what needs attention."""
    blocks = [views.stats(f)]
    percent = round(100 * board.approved / board.total) if board.total else 0
    blocks.append(
        _("<b>Key projects</b>: {approved} of {total} approved").format(approved=board.approved, total=board.total)
        + f"\n<code>{progress_bar(board.approved, board.total)}</code> {percent}%"
    )
    blocks += key_texts.attention(f.key_attention)  # a few lines however long the list: the rest on /keyprojects
    if f.at_risk_items:
        blocks.append(_("<b>Needs attention</b>"))
        for r in f.at_risk_items:
            left = f.days_left.get(r.id, 0)
            when = t.days_left(left)
            reviewer = escape(names.get(r.claimed_by, "")) if r.claimed_by else _("unclaimed")
            blocks.append(f"⚠️ #{r.id} {escape(r.project_name)} · {reviewer} · {when}")
        hidden = f.at_risk + f.overdue_promise - len(f.at_risk_items)
        if hidden > 0:
            blocks.append(ngettext("… and {n} more — /queue", "… and {n} more — /queue", hidden).format(n=hidden))
    return blocks


def late_notice(day: date, approved: int, today: date) -> str:
    """The first lines of a summary sent after its day: which day it stands for, and that its figures are today's
    (only that day's approvals can be counted after the fact)."""
    return (
        _("<b>Sent late: the daily summary for {day}</b>").format(day=day.isoformat())
        + "\n"
        + ngettext(
            "{n} request was approved on {day}; the figures below are as they stand on {today}.",
            "{n} requests were approved on {day}; the figures below are as they stand on {today}.",
            approved,
        ).format(n=approved, day=day.isoformat(), today=today.isoformat())
    )


def chart_titles() -> dict[str, str]:
    return {
        "title": _("Green channel"),
        "per_day": _("Approvals per day, last 30 days"),
        "backlog": _("Backlog by lane"),
        "ledger": _("Key projects: {approved} of {total} approved"),
    }


def lane_names() -> list[str]:
    from approvals.models import Lane

    return [t.lane_name(lane) for lane in Lane]


def key_status_labels() -> dict[KeyProjectStatus, str]:
    return {status: t.key_status(status) for status in KeyProjectStatus}
