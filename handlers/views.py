"""Messages built from domain objects. Every piece of user text is escaped here, once."""

from __future__ import annotations

from datetime import tzinfo
from html import escape
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.admin import KeyBoard
from approvals.models import AuditEvent, Note, Status
from approvals.progress import QueuePage, RequestView
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


def card(view: RequestView, *, project_name: str | None = None, notes: int = 0) -> str:
    """The full request card reviewers work from (also the applicant's /status, where ``notes`` stays 0: internal
    notes are for reviewers, not even counted for the applicant)."""
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
    lines.append(_("Documents: {names}").format(names=", ".join(escape(a.name) for a in r.attachments) or "—"))
    lines.append(deadlines(view))
    if view.days_left is not None:
        risk = " ⚠️" + _("at risk") if view.at_risk else ""
        lines.append(_days(view) + risk)
    lines.extend(outcome(view))
    if notes:
        lines.append(
            ngettext("📝 {n} internal note: /notes {id}", "📝 {n} internal notes: /notes {id}", notes).format(
                n=notes, id=r.id
            )
        )
    return "\n".join(lines)


def outcome(view: RequestView) -> list[str]:
    """Who holds or decided the request, and why: the part of a card that changes."""
    r = view.request
    said = view.last_word
    name = escape(said.actor_name if said else "") or "—"
    if r.status is Status.IN_REVIEW:
        return [_("🔒 Claimed by {name}").format(name=escape(view.holder) or "—")]
    if said is not None and said.action == "revoke" and r.status is Status.SUBMITTED:
        return [_("↩️ {name} revoked the decision: {reason}").format(name=name, reason=escape(r.last_reason or ""))]
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
        if e.target_name and e.action == "reassign":
            who += " → " + escape(e.target_name)
        elif e.target_name:
            who += " · " + _("held by {name}").format(name=escape(e.target_name))
        number = f" · {escape(e.approval_number)}" if e.approval_number else ""
        reason = f" — {escape(e.reason)}" if e.reason else ""
        lines.append(f"{when} · {t.action(e.action)} · {who}{number}{reason}")
    return "\n".join(lines)


def notes(request_id: int, found: list[Note], tz: tzinfo) -> list[str]:
    """Internal notes in full, oldest first: for a reviewer's private chat only."""
    blocks = [_("<b>Internal notes on #{id}</b> (not shown to the applicant)").format(id=request_id)]
    if not found:
        blocks.append(_("No notes yet. Add one with /note {id} text").format(id=request_id))
    for note in found:
        when = note.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        blocks.append(f"{when} · <b>{escape(note.author_name) or note.author_id}</b>\n{escape(note.text)}")
    return blocks


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
        claimed = f" · 🔒 {escape(view.holder) or '—'}" if r.status is Status.IN_REVIEW else ""
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


def form_summary(data: dict[str, Any]) -> str:
    """The confirmation screen: everything the applicant typed, before it is submitted."""
    from approvals.models import Category, DocumentType

    rows = [
        (_("Project"), escape(data["project_name"])),
        (_("Organisation"), escape(data["organisation"])),
        (_("Contact"), f"{escape(data['contact_name'])}, {escape(data['phone'])}"),
        (_("Category"), t.category(Category(data["category"]))),
        (_("Document"), t.document_type(DocumentType(data["document_type"]))),
        (_("Investment"), f"{escape(data['investment'])} 万元"),
        (_("Location"), escape(data["location"])),
        (_("Description"), escape(data["description"])),
        (_("Key project"), escape(data.get("key_code") or "—")),
        (_("Documents"), ", ".join(escape(a["name"]) for a in data.get("attachments", [])) or "—"),
    ]
    return _("<b>Please check your request</b>") + "\n" + "\n".join(f"{k}: {v}" for k, v in rows)
