"""Opening-quota sheets read in a confined child: ``python -m untrusted.quota_sheet MEMORY CPU``, the .xlsx on stdin.

The child only turns the first sheet's first two columns into text; the parent checks every value with the
domain's rules (approvals/quota_service.py: import_openings)."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Sequence
from typing import Any

from approvals import validation as v
from approvals.ledger import _check_package
from approvals.quota_service import MAX_SHEET_ROWS
from untrusted.confined import Limits, WorkerFailed, run_confined, serve_child

log = logging.getLogger(__name__)
HEADER_WORDS = ("pollutant", "污染物")  # a first row naming the columns is skipped


class ConfinedQuotaSheetReader:
    """``approvals.quota_service.QuotaSheetReader`` over a child process, one sheet at a time."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits(memory_bytes=256 << 20, cpu_seconds=10, wall_seconds=30.0, input_bytes=1 << 20)
        self._slot = asyncio.Semaphore(1)

    async def read(self, data: bytes) -> list[tuple[str, str]]:
        async with self._slot:
            try:
                answer = await run_confined("untrusted.quota_sheet", [], data, self.limits)
            except WorkerFailed as exc:
                log.warning("quota sheet not read: %s", exc)
                raise v.InvalidField("sheet", "sheet_unreadable") from None
        if "problem" in answer:
            raise v.InvalidField("sheet", str(answer["problem"]), max=MAX_SHEET_ROWS)
        return [(str(name), str(amount)) for name, amount in answer["rows"]]


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()[:40]


def read_in_child(args: Sequence[str], data: bytes) -> dict[str, Any]:
    from openpyxl import load_workbook

    try:
        _check_package(data)  # the key-project import's check: no part that unpacks too big
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # what the file claims about its size is not believed
        rows = []
        for row in sheet.iter_rows(max_col=2, max_row=MAX_SHEET_ROWS + 2, values_only=True):
            name, amount = (_text(cell) for cell in (*row, None, None)[:2])
            if name.casefold() in HEADER_WORDS or not (name or amount):
                continue
            rows.append([name, amount])
        book.close()
    except MemoryError:
        return {"problem": "sheet_unreadable"}
    except Exception:  # a damaged file raises many unrelated types
        return {"problem": "sheet_unreadable"}
    if len(rows) > MAX_SHEET_ROWS:
        return {"problem": "sheet_rows"}
    return {"rows": rows}


if __name__ == "__main__":
    sys.modules["numpy"] = None  # type: ignore[assignment]  # as untrusted/ledger.py: openpyxl need not load it
    serve_child(read_in_child)
