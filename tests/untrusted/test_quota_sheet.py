"""Opening-quota sheets are read in a confined child: a genuine sheet comes back as text rows; a bomb, entities, a
dimension that claims the whole sheet or too many rows are refused by name, and the bot's process is untouched."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from approvals.validation import InvalidField
from tests import hostile_files as hostile
from untrusted.quota_sheet import ConfinedQuotaSheetReader


def opening_sheet(rows: list[tuple[object, object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_genuine_sheet_is_read_as_text_rows_the_header_skipped() -> None:
    data = opening_sheet([("污染物", "吨/年"), ("COD", 12.35), ("NOx", "0.8"), (None, None), ("SO2", 3)])
    assert await ConfinedQuotaSheetReader().read(data) == [("COD", "12.35"), ("NOx", "0.8"), ("SO2", "3")]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (hostile.shared_string_bomb(300), "sheet_unreadable"),
        (hostile.entity_sheet(), "sheet_unreadable"),
        (b"PK\x03\x04 not really a zip", "sheet_unreadable"),
        (opening_sheet([(f"P{n}", n) for n in range(60)]), "sheet_rows"),
    ],
    ids=["shared-string-bomb", "entities", "damaged", "too-many-rows"],
)
async def test_hostile_or_oversized_sheets_are_refused_by_name(data: bytes, problem: str) -> None:
    with pytest.raises(InvalidField) as refused:
        await ConfinedQuotaSheetReader().read(data)
    assert refused.value.problem == problem


async def test_a_dimension_bomb_is_read_no_further_than_the_first_rows_and_columns() -> None:
    """The sheet claims every cell (A1:XFD1048576) and has one far away: the child reads two columns of the first
    rows only, so it finds the header row's cells and nothing else, at once."""
    rows = await ConfinedQuotaSheetReader().read(hostile.dimension_bomb())
    assert rows == [("code", "name")]
