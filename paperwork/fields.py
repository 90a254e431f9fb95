"""A document's fields: plain text, bounded, ready to be put into a template.

Request fields are typed by applicants, so each is cleaned here whatever the form checked before: control
characters go (XML forbids most of them, and they could move text about in a PDF viewer), runs of blanks shrink,
and each field is cut at its limit with "…". Nothing is interpreted: a "{{name}}" or "<b>" an applicant typed is
printed as typed (templates are filled in one pass, and neither renderer reads markup).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the confined child that renders need not load the holiday tables
    from approvals.calendar import WorkCalendar

LINE = 200  # one-line fields: names, places, dates
TEXT = 2_000  # a reason, a result
ITEMS = 40  # lines of a list of missing material
ITEM = 300

_BLANKS = re.compile(r"[ \t\u3000]+")
_NUMBERED = re.compile(
    r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.、．)）]\s*"
)  # a list's own numbers: the template numbers


def chinese_date(day: date) -> str:
    """The date as official documents write it (GB/T 9704-2012 7.3.5.1): 2026年12月1日, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


ESTIMATED = "（估算：节假日安排尚未公布）"  # as the card says it (handlers/card.py)


def chinese_due(day: date, calendar: WorkCalendar) -> str:
    """A deadline as a document states it: with the card's caveat when ``day`` falls in a year whose holiday
    schedule is not yet published (counted on statutory holidays only: the date may still move). Beside each
    date, so any template, a bureau's own too, carries it wherever it states one."""
    return chinese_date(day) + (ESTIMATED if calendar.is_estimated(day) else "")


def clean(text: str, limit: int = LINE, *, lines: bool = False) -> str:
    """``text`` without control or format characters, blanks collapsed, at most ``limit`` characters."""
    kept = []
    for ch in text:
        if ch == "\n" and lines:
            kept.append(ch)
        elif ch in "\t\r\n":
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(ch)
    out = "\n".join(_BLANKS.sub(" ", line).strip() for line in "".join(kept).split("\n"))
    out = re.sub(r"\n{3,}", "\n\n", out).strip()
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def clean_items(text: str) -> tuple[str, ...]:
    """A list typed one item a line (the completeness check's list): at most ``ITEMS`` items of ``ITEM`` chars."""
    items = [_NUMBERED.sub("", clean(line, ITEM), count=1).lstrip("-•·*").strip() for line in text.split("\n")]
    return capped([i for i in items if i])


def capped(items: Sequence[str]) -> tuple[str, ...]:
    """At most ``ITEMS`` items, the last saying how many more there were."""
    if len(items) > ITEMS:
        return (*items[: ITEMS - 1], f"……（另有{len(items) - ITEMS + 1}项，详见系统记录）")
    return tuple(items)


@dataclass(frozen=True)
class PaperFields:
    """Everything a template may name (``{{bureau}}``, ``{{request_id}}`` …). Dates are already in Chinese form;
    a field a document does not concern is empty."""

    bureau: str
    request_id: str
    date: str  # the day the step was taken, the document's date (成文日期)
    project: str
    organisation: str
    document_type: str  # 环境影响报告书 / 报告表
    location: str = ""
    received_on: str = ""
    accepted_on: str = ""
    legal_due: str = ""
    promised_due: str = ""
    approval_number: str = ""
    reason: str = ""
    supply_due: str = ""
    stop_kind: str = ""
    stop_days: str = ""
    stop_until: str = ""
    review_days: str = ""
    lawsuit_months: str = ""
    items: tuple[str, ...] = field(default_factory=tuple)

    def bounded(self) -> PaperFields:
        """The same fields, each cleaned and cut to its limit (see the module's docstring)."""
        values = {k: clean(v, TEXT if k == "reason" else LINE) for k, v in self.values().items()}
        return PaperFields(**values, items=capped([clean(i, ITEM) for i in self.items[: ITEMS + 1]]))

    def values(self) -> dict[str, str]:
        """The one-line fields by name (``items`` is a list: templates place it on a line of its own)."""
        data = asdict(self)
        data.pop("items")
        return data

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PaperFields:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        items = known.pop("items", ())
        strings = {k: str(v) for k, v in known.items()}
        return cls(**strings, items=tuple(str(i) for i in items) if isinstance(items, list | tuple) else ())
