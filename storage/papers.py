"""The register of written notices issued (migration 20): one row per request, kind and step, with the hashes.

``record`` writes the row and its two ``issue_paper`` audit records (one per file: name, SHA-256, size) in one
transaction, or nothing when the step has its document already — so a step sent again, or a render repeated after
a crash, never leaves two documents on record. The files themselves are in FILES_DIR (storage/blobs.py), written
before the row: a row always names files that exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from approvals.models import Status
from paperwork.issued import IssuedPaper
from paperwork.kinds import PaperKind
from storage.audit import insert_event
from storage.codec import stamp
from storage.database import Database
from storage.paper_records import filed

_COLUMNS = "id, request_id, kind, event_id, title, issued_on, docx_sha256, docx_size, pdf_sha256, pdf_size"


def _paper(row: Sequence[Any]) -> IssuedPaper:
    return IssuedPaper(
        id=int(row[0]),
        request_id=int(row[1]),
        kind=PaperKind(row[2]),
        event_id=int(row[3]),
        title=str(row[4]),
        issued_on=date.fromisoformat(row[5]),
        docx_sha256=str(row[6]),
        docx_size=int(row[7]),
        pdf_sha256=str(row[8]),
        pdf_size=int(row[9]),
    )


class SqlitePapers:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, request_id: int, kind: PaperKind, event_id: int) -> IssuedPaper | None:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE request_id = ? AND kind = ? AND event_id = ?",
                (request_id, kind.value, event_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _paper(row) if row else None

    async def record(self, paper: IssuedPaper, at: datetime) -> IssuedPaper:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO papers (request_id, kind, event_id, title, issued_on, docx_sha256, docx_size, "
                "pdf_sha256, pdf_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    paper.request_id,
                    paper.kind.value,
                    paper.event_id,
                    paper.title,
                    paper.issued_on.isoformat(),
                    paper.docx_sha256,
                    paper.docx_size,
                    paper.pdf_sha256,
                    paper.pdf_size,
                    stamp(at),
                ),
            )
            if cursor.rowcount == 1:
                async with conn.execute("SELECT status FROM requests WHERE id = ?", (paper.request_id,)) as found:
                    row = await found.fetchone()
                assert row is not None  # a document's request is never deleted
                for event in filed(paper, Status(row[0]), at):
                    await insert_event(conn, event, notify=False)
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM papers WHERE request_id = ? AND kind = ? AND event_id = ?",
                (paper.request_id, paper.kind.value, paper.event_id),
            ) as cursor:
                stored = await cursor.fetchone()
        assert stored is not None
        return _paper(stored)

    async def of(self, request_id: int) -> list[IssuedPaper]:
        """A request's documents, in the order they were issued."""
        async with (
            self.db.point_read() as conn,
            conn.execute(f"SELECT {_COLUMNS} FROM papers WHERE request_id = ? ORDER BY id", (request_id,)) as cursor,
        ):
            return [_paper(row) for row in await cursor.fetchall()]
