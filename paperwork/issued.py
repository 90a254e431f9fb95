"""A document the bureau issued, as its archive records it, and the port storage serves it through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from paperwork.kinds import PaperKind, file_stem


@dataclass(frozen=True)
class IssuedPaper:
    """One document: which step of which request issued it, and the hashes of its two files in the archive."""

    request_id: int
    kind: PaperKind
    event_id: int  # the audit event of the step that issued it: one document per request, kind and step
    title: str
    issued_on: date  # the document's date: the day of the step
    docx_sha256: str
    docx_size: int
    pdf_sha256: str
    pdf_size: int
    id: int = 0  # 0 until stored

    def file_name(self, extension: str) -> str:
        return f"{file_stem(self.kind, self.request_id)}.{extension}"


class PaperStore(Protocol):
    async def get(self, request_id: int, kind: PaperKind, event_id: int) -> IssuedPaper | None: ...

    async def record(self, paper: IssuedPaper, at: datetime) -> IssuedPaper:
        """Store ``paper`` with its audit records unless this request, kind and step has one already; returns
        the one on record (a document issued once stays the one issued)."""
        ...

    async def of(self, request_id: int) -> list[IssuedPaper]: ...
