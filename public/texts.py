"""The board's words that depend on a notice (its kind, its days left, its decision and remedies) and its form's
problems. Through the gettext catalogue like every other string; the templates hold the rest."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals import validation as v
from approvals.models import Status
from approvals.notices import LAWSUIT_MONTHS, REVIEW_DAYS, Notice, NoticeKind


def kind(value: NoticeKind) -> str:
    return {
        NoticeKind.ACCEPTANCE: _("Acceptance notice (受理公示)"),
        NoticeKind.INTENDED_DECISION: _("Notice of the intended decision (拟审批公示)"),
        NoticeKind.DECISION: _("Decision announcement (审批决定公告)"),
    }[value]


def days_left(left: int, notice: Notice, today: date) -> str:
    if today > notice.ends_on:
        return _("Ended on {day}").format(day=notice.ends_on.isoformat())
    if left <= 1:
        return _("Last day: {day}").format(day=notice.ends_on.isoformat())
    return ngettext("{n} working day left", "{n} working days left", left).format(n=left)


def decision(notice: Notice) -> str:
    if notice.outcome is Status.APPROVED:
        if notice.approval_number:
            return _("Approved ({number})").format(number=notice.approval_number)
        return _("Approved")
    return _("Not approved")


def remedies() -> str:
    return _(
        "Anyone whose lawful rights and interests are affected by this decision may apply for administrative review "
        "within {days} days of learning of it, or bring an administrative lawsuit within {months} months."
    ).format(days=REVIEW_DAYS, months=LAWSUIT_MONTHS)


def problem(exc: v.InvalidField) -> tuple[str, str]:
    """The form field a problem belongs to, and what to tell the sender."""
    field = {"public_name": "name", "public_contact": "contact", "public_text": "text"}.get(exc.field, "text")
    p = exc.params
    if exc.problem == "too_short" and field == "text":
        message = _("Please write your comment (at least {min} characters).").format(min=p.get("min"))
    elif exc.problem == "too_short":
        message = _("A hearing request needs your name and a way to reach you.")
    elif exc.problem == "too_long":
        message = _("Too long: at most {max} characters.").format(max=p.get("max"))
    else:
        message = _("Give a telephone number (with its area code) or an e-mail address.")
    return field, message
