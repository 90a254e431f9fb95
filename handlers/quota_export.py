"""/quota export: the quota ledger as an XLSX workbook (one row per entry, oldest first), in the reader's language."""

from __future__ import annotations

import io
from datetime import tzinfo

from aiogram.utils.i18n import gettext as _

from approvals import quota as q
from handlers import texts as t
from handlers.export import SECOND, Value, _local, _sheet, _text


def kind_label(kind: q.EntryKind) -> str:
    return {
        q.EntryKind.OPENING: _("opening set"),
        q.EntryKind.CREDIT: _("reduction credited"),
        q.EntryKind.RESERVE: _("reserved"),
        q.EntryKind.RELEASE: _("reservation released"),
        q.EntryKind.ALLOCATE: _("allocated"),
        q.EntryKind.RETURN: _("allocation returned"),
    }[kind]


def _row(e: q.LedgerEntry, tz: tzinfo) -> list[Value]:
    return [
        _local(e.at, tz),
        _text(e.pollutant),
        kind_label(e.kind),
        e.amount,  # a number cell, written from the Decimal's text, shown as 0.000
        e.request_id,
        e.reduction_id,
        _text(e.actor_name) or str(e.actor_id),
        t.action(e.reason) if e.request_id else _text(e.reason),  # a request's step, or the admin's words
    ]


def ledger_workbook(entries: list[q.LedgerEntry], tz: tzinfo) -> bytes:
    from openpyxl import Workbook

    headers = [
        _("Time"),
        _("Pollutant"),
        _("Change"),
        _("Tonnes a year"),
        _("Request"),
        _("Reduction project"),
        _("By"),
        _("Why"),
    ]
    book = Workbook(write_only=True)
    _sheet(book, _("Quota ledger"), headers, [_row(e, tz) for e in entries], times=SECOND)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
