"""Deadline reminders, once per request and threshold; the overdue list once per day."""

from __future__ import annotations

import logging
from datetime import date, datetime
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.models import ApprovalRequest, Status
from approvals.reminders import Reminder, ReminderKind, due_reminders
from handlers import texts as t
from handlers.context import AppContext
from storage.ports import Outgoing

log = logging.getLogger(__name__)
OVERDUE = "overdue"
OPEN_LIMIT = 100_000  # every open request: the bureau has hundreds, not millions


def reminder_text(reminder: Reminder) -> str:
    r = reminder.request
    name = escape(r.project_name)
    if reminder.kind is ReminderKind.CHECK and reminder.until is not None:
        return _(
            "📥 #{id} {name} is not checked yet: accept it or send the list of what is missing by {due}; after "
            "that day the law accepts it as of its receipt."
        ).format(id=r.id, name=name, due=reminder.until.isoformat())
    if reminder.kind is ReminderKind.STATUTORY:
        left = max(reminder.statutory_left, 0)
        return ngettext(
            "⚠️ #{id} {name}: {n} working day left before the legal deadline {due}.",
            "⚠️ #{id} {name}: {n} working days left before the legal deadline {due}.",
            left,
        ).format(id=r.id, name=name, n=left, due=r.statutory_due.isoformat())
    late = reminder.used - reminder.promised
    if late > 0:  # its promise passed while no reminder could go (in notice, or stopped): said as the overdue list
        return "⏰ " + ngettext(
            "#{id} {name} · promised {due} · {n} working day late",
            "#{id} {name} · promised {due} · {n} working days late",
            late,
        ).format(id=r.id, name=name, due=r.promised_due.isoformat(), n=late)
    return ngettext(
        "⏰ #{id} {name}: {used} of {total} promised working day used; promised by {due}.",
        "⏰ #{id} {name}: {used} of {total} promised working days used; promised by {due}.",
        reminder.promised,
    ).format(id=r.id, name=name, used=reminder.used, total=reminder.promised, due=r.promised_due.isoformat())


async def with_the_bureau(app: AppContext, risk_cutoff: date) -> list[ApprovalRequest]:
    """The open requests (the queue) and those whose decision is being signed off: the clock runs for both."""
    requests = await app.repos.requests.queue(risk_cutoff=risk_cutoff, limit=OPEN_LIMIT)
    return requests + await app.repos.requests.with_status((Status.SIGNING,), limit=OPEN_LIMIT)


async def send_reminders(app: AppContext, today: date, now: datetime) -> int:
    """Queue every threshold crossed and not yet reminded; returns how many were queued."""
    requests = await with_the_bureau(app, date.max)
    sent = await app.repos.runs.reminders_sent()
    queued = 0
    for reminder in due_reminders(app.approvals.calendar, requests, today):
        if (reminder.request.id, reminder.key) in sent:
            continue
        chat_id = reminder.recipient if reminder.recipient is not None else app.reviewer_chat_id
        if chat_id is None:
            continue
        with app.i18n.context(), app.i18n.use_locale(await app.locale_for_chat(chat_id)):
            text = reminder_text(reminder)
        if await app.repos.runs.claim_reminder(reminder.request.id, reminder.key, [Outgoing(chat_id, text)], now):
            queued += 1
    if queued:
        log.info("reminders queued count=%d", queued)
    return queued


async def send_overdue_list(app: AppContext, day: date, now: datetime) -> bool:
    """Once a day, the reviewers' group sees every request past its promised date until it is decided.

    A day that is over (the process was down at the summary time) gets its list late, marked as such. Without a
    reviewers' group the day is still claimed, so it is not owed again."""
    if await app.repos.runs.is_claimed(OVERDUE, day):
        return False
    chat_id = app.reviewer_chat_id
    messages: list[Outgoing] = []
    if chat_id is not None:
        requests = await with_the_bureau(app, day)
        overdue = [r for r in requests if r.promised_due < day]
        if overdue:
            late = day < now.astimezone(app.tz).date()
            with app.i18n.context(), app.i18n.use_locale(app.group_locale):
                blocks = overdue_blocks(app, overdue, day, late=late)
            messages = [Outgoing(chat_id, text) for text in t.chunks(blocks)]
    return await app.repos.runs.claim_daily(OVERDUE, day, messages, now)


def overdue_blocks(app: AppContext, overdue: list[ApprovalRequest], day: date, *, late: bool) -> list[str]:
    """The list's blocks for ``texts.chunks``, in the current language."""
    calendar = app.approvals.calendar
    header = _("<b>Overdue requests</b> ({n})").format(n=len(overdue))
    if late:
        header = _("<b>Sent late: the overdue list for {day}</b>").format(day=day.isoformat()) + "\n" + header
    blocks = [header]
    for r in overdue:
        late_by = -calendar.working_days_between(day, r.promised_due)
        blocks.append(
            ngettext(
                "#{id} {name} · promised {due} · {n} working day late",
                "#{id} {name} · promised {due} · {n} working days late",
                late_by,
            ).format(id=r.id, name=escape(r.project_name), due=r.promised_due.isoformat(), n=late_by)
        )
    return blocks
