"""/export: every request and its history as an XLSX workbook, in the reader's language."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from unicodedata import east_asian_width

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


DAY = "yyyy-mm-dd"
MINUTE = "yyyy-mm-dd hh:mm"
SECOND = "yyyy-mm-dd hh:mm:ss"
FORMULA_START = ("=", "+", "-", "@")  # what a spreadsheet would read as the start of a formula
MIN_WIDTH, MAX_WIDTH = 6, 60  # characters; a long description wraps nothing, it is cut off at the column's edge
Value = str | int | float | Decimal | date | datetime | None


def workbook(requests: list[ApprovalRequest], events: list[AuditEvent], tz: tzinfo) -> bytes:
    """A spreadsheet to work in: a frozen header row with filters, columns as wide as what they hold, dates as
    dates (local time), numbers as numbers, and every piece of text as text — one that starts like a formula too,
    stored as a string cell, so it shows as typed and is never evaluated."""
    from openpyxl import Workbook  # ~30 MB: loaded by the first export, not at start-up

    book = Workbook(write_only=True)  # rows go to the file as they are written, not kept as cell objects
    request_headers, history_headers = _headers()
    _sheet(book, _("Requests"), request_headers, [_request_row(r, tz) for r in requests], times=MINUTE)
    _sheet(book, _("History"), history_headers, [_event_row(e, tz) for e in events], times=SECOND)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _request_row(r: ApprovalRequest, tz: tzinfo) -> list[Value]:
    return [
        r.id,
        _text(r.project_name),
        _text(r.organisation),
        _text(r.contact_name),
        _text(r.phone),
        t.category(r.category),
        t.document_type(r.document_type),
        float(r.investment),
        _text(r.location),
        r.key_code or "",
        t.lane_name(r.lane),
        t.status(r.status),
        _local(r.submitted_at, tz),
        r.accepted_on,
        r.promised_due,
        r.statutory_due,
        r.paused_working_days,
        r.decided_on,
        _text(r.approval_number or ""),
        _text(r.last_reason or ""),
        ", ".join(_text(a.name) for a in r.attachments),
        ", ".join(a.sha256 or "—" for a in r.attachments),
    ]


def _event_row(e: AuditEvent, tz: tzinfo) -> list[Value]:
    return [
        e.request_id,
        _local(e.at, tz),
        t.action(e.action),
        _text(e.actor_name) or (_("Green Channel") if e.actor_id == BOT_ACTOR_ID else str(e.actor_id)),
        t.status(e.from_status) if e.from_status else "",
        t.status(e.to_status),
        _text(e.reason or ""),
        _text(e.approval_number or ""),
        _text(e.target_name),
        _text(e.file_name),
        e.sha256 or "",
        e.file_size,
    ]


def _sheet(book: Any, title: str, headers: list[str], rows: list[list[Value]], *, times: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title[:31])
    widths = [_width(h) for h in headers]
    for row in rows:
        for column, value in enumerate(row):
            widths[column] = max(widths[column], _width(value))
    for column, width in enumerate(widths, start=1):  # a write-only sheet takes its columns before its rows
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"

    def cell(value: Value) -> Any:
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"  # openpyxl takes "=…" for a formula: it is the user's text
            if value.startswith(FORMULA_START):
                made.quotePrefix = True  # and stays text when someone edits the cell in Excel
        elif isinstance(value, datetime):
            made.number_format = times
        elif isinstance(value, date):
            made.number_format = DAY
        elif isinstance(value, Decimal):  # tonnes: written exactly, shown with their three decimals
            made.number_format = "0.000"
        return made

    sheet.append([cell(h) for h in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])


def _local(at: datetime, tz: tzinfo) -> datetime:
    """Local time without a zone (spreadsheets hold none), to the second (the column's format may show less)."""
    return at.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _width(value: Value) -> int:
    """Characters a column needs for ``value``; a Chinese character takes two."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    text = str(value)
    return len(text) + sum(1 for ch in text if east_asian_width(ch) in ("W", "F"))


def _text(text: str) -> str:
    """Characters a workbook cannot hold (control characters, which older rows may still carry) are dropped rather
    than failing the export."""
    return _ILLEGAL.sub("", text)
