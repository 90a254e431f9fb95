"""Messages built from domain objects. Every piece of user text is escaped here, once."""

from __future__ import annotations

from datetime import tzinfo
from html import escape
from typing import Any

from aiogram.utils.i18n import gettext as _

from approvals.admin import KeyBoard
from approvals.models import ApprovalRequest, AuditEvent, Status
from approvals.service import QueuePage, RequestView
from approvals.states import status_event
from approvals.summary import SummaryFigures
from handlers import texts as t


def _days(view: RequestView) -> str:
    if view.days_left is None:
        return ""
    if view.days_left < 0:
        return _("overdue by {n} working days").format(n=-view.days_left)
    return _("{n} working days left").format(n=view.days_left)


def deadlines(view: RequestView) -> str:
    r = view.request
    estimated = _(" (estimated: holiday schedule not yet published)") if view.estimated else ""
    return _("Promised by {promised} · legal limit {statutory}{estimated}").format(
        promised=r.promised_due.isoformat(), statutory=r.statutory_due.isoformat(), estimated=estimated
    )


def card(view: RequestView, *, project_name: str | None = None) -> str:
    """The full request card reviewers work from (also the applicant's /status)."""
    r = view.request
    lines = [
        f"<b>#{r.id} {escape(r.project_name)}</b>",
        f"{t.lane(r.lane)} · {t.document_type(r.document_type)} · <b>{t.status(r.status)}</b>",
        _("Organisation: {value}").format(value=escape(r.organisation)),
        _("Contact: {name}, {phone}").format(name=escape(r.contact_name), phone=escape(r.phone)),
        _("Category: {category} · Investment: {amount} 万元").format(
            category=t.category(r.category), amount=r.investment
        ),
        _("Location: {value}").format(value=escape(r.location)),
    ]
    if r.key_code:
        name = f" {escape(project_name)}" if project_name else ""
        lines.append(_("Key project: {code}{name}").format(code=escape(r.key_code), name=name))
    lines.append(_("Description: {value}").format(value=escape(r.description)))
    lines.append(_("Documents: {names}").format(names=t.listing(escape(a.name) for a in r.attachments) or "—"))
    lines.append(deadlines(view))
    if view.days_left is not None:
        risk = " ⚠️" + _("at risk") if view.at_risk else ""
        lines.append(_days(view) + risk)
    decisive = status_event(view.history)  # who claimed or decided: not an applicant who added material since
    lines.extend(outcome(r, decisive.actor_name if decisive else ""))
    return "\n".join(lines)


def outcome(r: ApprovalRequest, who: str) -> list[str]:
    """Who holds or decided the request, and why: the part of a card that changes."""
    name = escape(who) or "—"
    if r.status is Status.IN_REVIEW:
        return [_("🔒 Claimed by {name}").format(name=name)]
    if r.status is Status.APPROVED:
        number = _(", approval number {number}").format(number=escape(r.approval_number)) if r.approval_number else ""
        return [_("✅ Approved by {name} on {day}{number}").format(name=name, day=r.decided_on, number=number)]
    if r.status is Status.REJECTED:
        return [_("❌ Rejected by {name}: {reason}").format(name=name, reason=escape(r.last_reason or ""))]
    if r.status is Status.NEEDS_INFO:
        return [_("📎 {name} asked for more material: {reason}").format(name=name, reason=escape(r.last_reason or ""))]
    if r.status is Status.WITHDRAWN:
        return [_("Withdrawn by the applicant.")]
    return []


def history(events: list[AuditEvent], tz: tzinfo) -> str:
    lines = [_("<b>History</b>")]
    for e in events:
        when = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        who = escape(e.actor_name) or str(e.actor_id)
        reason = f" — {escape(e.reason)}" if e.reason else ""
        lines.append(f"{when} · {t.action(e.action)} · {who}{reason}")
    return "\n".join(lines)


def receipt(view: RequestView) -> str:
    r = view.request
    return "\n".join(
        [
            _("✅ Request #{id} received: {name}").format(id=r.id, name=escape(r.project_name)),
            _("Lane: {lane}").format(lane=t.lane(r.lane)),
            _("Accepted on {day}").format(day=r.accepted_on.isoformat()),
            deadlines(view),
            _("Use /status {id} to follow it.").format(id=r.id),
        ]
    )


def short_row(view: RequestView) -> str:
    r = view.request
    days = _days(view)
    risk = " ⚠️" if view.at_risk else ""
    return f"#{r.id} {escape(r.project_name)} · {t.status(r.status)}" + (f" · {days}{risk}" if days else "")


def queue_page(page: QueuePage) -> list[str]:
    blocks = [
        _("<b>Queue</b> · {total} open · page {page}/{pages}").format(
            total=page.total, page=page.page + 1, pages=page.pages
        )
    ]
    if not page.items:
        blocks.append(_("The queue is empty."))
    for view in page.items:
        r = view.request
        risk = "⚠️ " if view.at_risk else ""
        claimed = " · 🔒" if r.status is Status.IN_REVIEW else ""
        own = " · " + _("submitted by you: a colleague reviews it") if r.id in page.own else ""
        blocks.append(
            f"{risk}{t.lane(r.lane)} <b>#{r.id}</b> {escape(r.project_name)}\n"
            f"   {r.promised_due.isoformat()} · {_days(view)}{claimed}{own}"
        )
    return blocks


def stats(f: SummaryFigures) -> str:
    lines = [
        _("<b>Green channel · {day}</b>").format(day=f.today.isoformat()),
        _("{total} projects approved so far, {key} of the {key_total} key projects.").format(
            total=f.approved_total, key=f.key_approved, key_total=f.key_total
        ),
        _("Approved today: {today} · this year: {year}").format(today=f.approved_today, year=f.approved_this_year),
        _("Backlog: {total} ({lanes})").format(
            total=f.backlog_total, lanes=", ".join(f"{t.lane(k)} {v}" for k, v in f.backlog.items())
        ),
        _("Waiting for applicants' material: {n}").format(n=f.waiting_on_applicants),
        _("At risk: {risk} · past the promise: {promise} · past the legal limit: {legal}").format(
            risk=f.at_risk, promise=f.overdue_promise, legal=f.overdue_statutory
        ),
    ]
    for lane_, timing in f.timing.items():
        if timing.decided:
            lines.append(
                _("{lane}: {n} decided, median {median} working days, {within} within the promise").format(
                    lane=t.lane(lane_), n=timing.decided, median=f"{timing.median_days:g}", within=timing.within_promise
                )
            )
    if f.at_risk_items:
        lines.append(_("<b>Needs attention</b>"))
        lines.extend(f"⚠️ #{r.id} {escape(r.project_name)} · {r.promised_due.isoformat()}" for r in f.at_risk_items)
    if f.calendar_estimated:
        lines.append(_("Note: this year's holiday schedule is not published yet; dates are estimated."))
    return "\n".join(lines)


def key_board(board: KeyBoard) -> list[str]:
    blocks = [
        _("<b>Key projects</b>: {approved} of {total} approved").format(approved=board.approved, total=board.total)
    ]
    blocks += [f"{escape(p.code)} {escape(p.name)} · {escape(p.owner)} · {t.key_status(s)}" for p, s in board.rows]
    if not board.rows:
        blocks.append(_("The list is empty."))
    blocks.append(_("To replace the list, send a CSV or XLSX file with columns code, name, owner."))
    return blocks


def form_summary(data: dict[str, Any], *, key_name: str | None = None) -> str:
    """The confirmation screen: everything the applicant gave, in the words and punctuation of the request card."""
    from approvals.models import Category, DocumentType

    key = data.get("key_code")
    key_line = (
        _("Key project: {code}{name}").format(code=escape(key), name=f" {escape(key_name)}" if key_name else "")
        if key
        else _("Key project: none")
    )
    lines = [
        _("<b>Please check your request</b>"),
        _("Project: {value}").format(value=escape(data["project_name"])),
        _("Organisation: {value}").format(value=escape(data["organisation"])),
        _("Contact: {name}, {phone}").format(name=escape(data["contact_name"]), phone=escape(data["phone"])),
        _("Category: {category} · Investment: {amount} 万元").format(
            category=t.category(Category(data["category"])), amount=escape(data["investment"])
        ),
        _("Document: {value}").format(value=t.document_type(DocumentType(data["document_type"]))),
        _("Location: {value}").format(value=escape(data["location"])),
        key_line,
        _("Description: {value}").format(value=escape(data["description"])),
        _("Documents: {names}").format(names=t.listing(escape(a["name"]) for a in data.get("attachments", [])) or "—"),
    ]
    return "\n".join(lines)
