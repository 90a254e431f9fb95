"""/export: every request and its history as an XLSX workbook, in the reader's language."""

from __future__ import annotations

import io
import re
from datetime import tzinfo

from aiogram.utils.i18n import gettext as _

from approvals.models import BOT_ACTOR_ID, ApprovalRequest, AuditEvent
from handlers import texts as t

# openpyxl's own rule (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), without importing openpyxl at start-up
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _headers() -> tuple[list[str], list[str]]:
    requests = [
        _("Number"),
        _("Project"),
        _("Organisation"),
        _("Contact"),
        _("Phone"),
        _("Category"),
        _("Document"),
        _("Investment (万元)"),
        _("Location"),
        _("Key project"),
        _("Lane"),
        _("Status"),
        _("Submitted"),
        _("Accepted on"),
        _("Promised by"),
        _("Legal limit"),
        _("Paused working days"),
        _("Decided on"),
        _("Approval number"),
        _("Reason"),
        _("Documents"),
        _("SHA-256"),  # of each document, in the order of their names: what the bureau's copies are named by
    ]
    history = [_("Number"), _("Time"), _("Action"), _("By"), _("From"), _("To"), _("Reason")]
    history += [_("Approval number"), _("Other reviewer")]  # what a step set; whom a claim went to or came from
    history += [_("File"), _("SHA-256"), _("Size (bytes)")]  # the bureau's copy of a document kept
    return requests, history


def workbook(requests: list[ApprovalRequest], events: list[AuditEvent], tz: tzinfo) -> bytes:
    """Plain values only (numbers, dates as text): nothing a spreadsheet could take for a formula."""
    from openpyxl import Workbook  # ~30 MB: loaded by the first export, not at start-up

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = _("Requests")[:31]
    request_headers, history_headers = _headers()
    first.append(request_headers)
    for r in requests:
        first.append(
            [
                r.id,
                _cell(r.project_name),
                _cell(r.organisation),
                _cell(r.contact_name),
                _cell(r.phone),
                t.category(r.category),
                t.document_type(r.document_type),
                float(r.investment),
                _cell(r.location),
                r.key_code or "",
                t.lane(r.lane),
                t.status(r.status),
                r.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                r.accepted_on.isoformat(),
                r.promised_due.isoformat(),
                r.statutory_due.isoformat(),
                r.paused_working_days,
                r.decided_on.isoformat() if r.decided_on else "",
                _cell(r.approval_number or ""),
                _cell(r.last_reason or ""),
                ", ".join(_cell(a.name) for a in r.attachments),
                ", ".join(a.sha256 or "—" for a in r.attachments),
            ]
        )
    second = book.create_sheet(_("History")[:31])
    second.append(history_headers)
    for e in events:
        second.append(
            [
                e.request_id,
                e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                t.action(e.action),
                _cell(e.actor_name) or (_("Green Channel") if e.actor_id == BOT_ACTOR_ID else str(e.actor_id)),
                t.status(e.from_status) if e.from_status else "",
                t.status(e.to_status),
                _cell(e.reason or ""),
                _cell(e.approval_number or ""),
                _cell(e.target_name),
                _cell(e.file_name),
                e.sha256 or "",
                e.file_size if e.file_size is not None else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(text: str) -> str:
    """User text that starts like a formula is stored as text (CSV/XLSX injection); characters a workbook cannot
    hold (control characters, which older rows may still carry) are dropped rather than failing the export."""
    text = _ILLEGAL.sub("", text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
