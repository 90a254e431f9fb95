"""Words for excluded time (art. 45): the kinds, the card's and /status's line, the applicant's written notice,
the reviewers' reminder and the queue's section. Plain data in, HTML out (user text escaped)."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.clock_stops import ClockStop, StopKind, parse_audit_reason
from approvals.deadlines import Deadlines
from approvals.models import BOT_ACTOR_ID, ApprovalRequest
from approvals.progress import RequestView
from handlers import texts as t


def kind(value: StopKind) -> str:
    return {
        StopKind.TECHNICAL_ASSESSMENT: _("technical assessment (技术评估)"),
        StopKind.EXPERT_REVIEW: _("expert review (专家评审)"),
        StopKind.HEARING: _("hearing (听证)"),
    }[value]


def working_days(n: int) -> str:
    return ngettext("{n} working day", "{n} working days", n).format(n=n)


def audited_stop(reason: str | None) -> str:
    """A STOP_CLOCK's audit record ("hearing 10") in words, for the history."""
    parsed = parse_audit_reason(reason)
    if parsed is None:
        return escape(reason or "")
    return _("{kind}, {days}").format(kind=kind(parsed[0]), days=working_days(parsed[1]))


def excluded_span(stop: ClockStop) -> str:
    """The stop's dates as the card and the applicant's notice both say them: the day it stopped, the working days
    after it not counted, the last of them at the latest (a one-day stop reads as plainly as a long one)."""
    return _(
        "the clock stopped on {start}; the working days from the next one are not counted, up to {days}, until "
        "{end} at the latest"
    ).format(start=stop.started_on.isoformat(), days=working_days(stop.days), end=stop.expected_end.isoformat())


def stop_line(stop: ClockStop) -> str:
    """A card's and /status's line for an open stop: what, since when, until when at the latest."""
    return _("⏸ Excluded time for {kind}: {span}").format(kind=kind(stop.kind), span=excluded_span(stop))


def already_stopped(request: ApprovalRequest, stop: ClockStop) -> str:
    """A second stop refused (plain text: an alert too)."""
    return _("The clock of #{id} is already stopped for {kind}, until {end} at the latest.").format(
        id=request.id, kind=kind(stop.kind), end=stop.expected_end.isoformat()
    )


def stopped_notice(request: ApprovalRequest, stop: ClockStop, projected: Deadlines | None) -> str:
    """The written notice art. 45 requires: what is excluded, why, for how long, until when; ``projected``: the
    deadlines if it runs its stated length (None once it has ended: the notice of its end has the dates)."""
    text = _(
        "⏸ Request #{id} {name}: before deciding, the bureau needs this step: {kind}. By the Administrative "
        "Licensing Law (art. 45) the time it takes is not counted in the time limits: {span}. You will be told "
        "when it ends."
    ).format(id=request.id, name=escape(request.project_name), kind=kind(stop.kind), span=excluded_span(stop))
    if projected is None:
        return text
    return (
        text
        + "\n"
        + _(
            "If it takes that long, your request is promised by {promised} (legal limit {statutory}); if it ends "
            "sooner, the dates move less."
        ).format(promised=projected.promised.isoformat(), statutory=projected.statutory.isoformat())
    )


def resumed_notice(request: ApprovalRequest, stop: ClockStop | None) -> str:
    """The stop is over: its result (or that its stated time ran out), the days left out, the new dates."""
    name = escape(request.project_name)
    what = kind(stop.kind) if stop else _("excluded time")
    if stop is None or stop.ended_by == BOT_ACTOR_ID or not stop.result:
        head = _("▶️ Request #{id} {name}: the stated time for the {kind} has ended; the clock runs again.").format(
            id=request.id, name=name, kind=what
        )
    else:
        head = _("▶️ Request #{id} {name}: the {kind} is done. Result: {result}\nThe clock runs again.").format(
            id=request.id, name=name, kind=what, result=escape(stop.result)
        )
    left_out = stop.excluded_days or 0 if stop else 0
    dates = _("Promised by {promised} · legal limit {statutory}").format(
        promised=request.promised_due.isoformat(), statutory=request.statutory_due.isoformat()
    )
    if left_out:  # a stop ended on the day it began left nothing out: "0 working days" would only puzzle
        dates = _("{days} not counted. {dates}").format(days=working_days(left_out), dates=dates)
    return head + "\n" + dates


def reminder(request: ApprovalRequest, stop: ClockStop) -> str:
    return _(
        "⏸ #{id} {name}: the {kind} is stated to end on {end}. Record its result on the card (▶️ Restart the "
        "clock); otherwise the clock runs again on that day by itself."
    ).format(id=request.id, name=escape(request.project_name), kind=kind(stop.kind), end=stop.expected_end)


def queue_section(views: list[RequestView], total: int) -> list[str]:
    """The queue's part for requests in excluded time: never at risk for the days left out; the working days
    they will have left when the clock runs again."""
    if not total:
        return []
    blocks = [_("<b>Excluded time</b> (art. 45) · {n}").format(n=total)]
    for view in views:
        r, stop = view.request, view.clock_stop
        if stop is None:
            continue
        left = t.days_left(view.days_left) if view.days_left is not None else ""
        blocks.append(
            _("⏸ <b>#{id}</b> {name}\n   {kind} until {end} · {left} when the clock restarts").format(
                id=r.id, name=escape(r.project_name), kind=kind(stop.kind), end=stop.expected_end, left=left
            )
        )
    if total > len(views):
        more = total - len(views)
        blocks.append(ngettext("… and {n} more", "… and {n} more", more).format(n=more))
    return blocks
