"""The key-project workbooks, formatted as /export's are (handlers/export.py): the weekly bulletin (one sheet per
colour) and the ledger (台账) in the bureau's layout. Call inside the reader's locale."""

from __future__ import annotations

import io
from datetime import date

from aiogram.utils.i18n import gettext as _

from approvals.bulletin import Bulletin, BulletinRow, Colour, request_days
from approvals.calendar import WorkCalendar
from approvals.key_stages import KeyRequestFacts, ProjectStage
from approvals.ledger import KeyProject
from handlers.export import MINUTE, Value, _sheet, _text
from handlers.key_service_texts import colour_name, movement_name, reason, stage_name


def _bulletin_headers() -> list[str]:
    return [
        _("Code"),
        _("Project"),
        _("Owner"),
        _("Liaison"),
        _("Stage"),
        _("Since"),
        _("Working days in stage"),
        _("Request"),
        _("Promised by"),
        _("Legal limit"),
        _("Why"),
    ]


def _bulletin_row(row: BulletinRow, names: dict[int, str]) -> list[Value]:
    request = row.stage.request
    return [
        row.project.code,
        _text(row.project.name),
        _text(row.project.owner),
        _text(names.get(row.liaison, str(row.liaison))) if row.liaison is not None else "",
        stage_name(row.stage.stage),
        row.stage.since,
        row.rating.days_in_stage,
        request.request_id if request is not None else None,
        request.promised_due if request is not None else None,
        request.statutory_due if request is not None else None,
        _("; ").join(reason(w) for w in row.rating.reasons),
    ]


def bulletin_workbook(bulletin: Bulletin, names: dict[int, str]) -> bytes:
    from openpyxl import Workbook  # ~30 MB: loaded by the first bulletin, not at start-up

    book = Workbook(write_only=True)
    headers = _bulletin_headers()
    for colour in Colour:
        rows = [_bulletin_row(r, names) for r in bulletin.of(colour)]
        _sheet(book, colour_name(colour), headers, rows, times=MINUTE)
    # the week's movements, one row per request and kind: the same steps the message counts
    moves: list[list[Value]] = [
        [movement_name(kind), step.code, step.request_id, step.day]
        for kind, steps in bulletin.movements.items()
        for step in steps
    ]
    _sheet(book, _("This week"), [_("Movement"), _("Code"), _("Request"), _("Day")], moves, times=MINUTE)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LedgerEntry = tuple[KeyProject, ProjectStage, KeyRequestFacts | None, int | None]


def _ledger_headers() -> list[str]:
    return [
        _("Code"),
        _("Project"),
        _("Owner"),
        _("Liaison"),
        _("Stage"),
        _("Since"),
        _("Request"),
        _("Received on"),
        _("Accepted on"),
        _("Notice from"),
        _("Decided on"),
        _("Approval number"),
        _("Working days used"),
        _("Promised limit (working days)"),
        _("Legal limit (working days)"),
    ]


def ledger_workbook(entries: list[LedgerEntry], names: dict[int, str], today: date, calendar: WorkCalendar) -> bytes:
    """The 台账: every project of the current list, one row each, with the request that speaks for it."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows: list[list[Value]] = []
    for project, stage, request, liaison in entries:
        days = request_days(request, today, calendar) if request is not None else None
        rows.append(
            [
                project.code,
                _text(project.name),
                _text(project.owner),
                _text(names.get(liaison, str(liaison))) if liaison is not None else "",
                stage_name(stage.stage),
                stage.since,
                request.request_id if request is not None else None,
                request.received_on if request is not None else None,
                request.accepted_on if request is not None else None,
                request.notice_on if request is not None else None,
                request.decided_on if request is not None else None,
                _text(request.approval_number or "") if request is not None else "",
                *(days if days is not None else (None, None, None)),
            ]
        )
    _sheet(book, _("Key-project ledger"), _ledger_headers(), rows, times=MINUTE)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
