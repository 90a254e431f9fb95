"""The register of written notices issued, on PostgreSQL: one row per request, kind and step, with the hashes.

``record`` writes the row and its two ``issue_paper`` audit records (one per file: name, SHA-256, size) in one
transaction, or nothing when the step has its document already, as on SQLite (``storage/papers.py``). Two instances
recording the same step at once: the unique key makes the second wait for the first's row, then insert nothing and
read the first's. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from approvals.models import Status
from paperwork.issued import IssuedPaper
from paperwork.kinds import PaperKind
from storage.paper_records import filed
from storage.postgres.audit import insert_event

_COLUMNS = "id, request_id, kind, event_id, title, issued_on, docx_sha256, docx_size, pdf_sha256, pdf_size"
_INSERT = """
INSERT INTO papers (request_id, kind, event_id, title, issued_on, docx_sha256, docx_size, pdf_sha256, pdf_size,
    created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (request_id, kind, event_id) DO NOTHING
RETURNING id
"""
_GET = f"SELECT {_COLUMNS} FROM papers WHERE request_id = $1 AND kind = $2 AND event_id = $3"


def _paper(row: asyncpg.Record) -> IssuedPaper:
    return IssuedPaper(**{**row, "kind": PaperKind(row["kind"])})


class PostgresPapers:
    """Implements ``paperwork.issued.PaperStore``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, request_id: int, kind: PaperKind, event_id: int) -> IssuedPaper | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(_GET, request_id, kind.value, event_id)
        return _paper(row) if row else None

    async def record(self, paper: IssuedPaper, at: datetime) -> IssuedPaper:
        async with self.pool.acquire() as conn, conn.transaction():
            added = await conn.fetchval(
                _INSERT,
                paper.request_id,
                paper.kind.value,
                paper.event_id,
                paper.title,
                paper.issued_on,
                paper.docx_sha256,
                paper.docx_size,
                paper.pdf_sha256,
                paper.pdf_size,
                at,
            )
            if added is not None:
                status = await conn.fetchval("SELECT status FROM requests WHERE id = $1", paper.request_id)
                for event in filed(paper, Status(status), at):
                    await insert_event(conn, event, notify=False)  # no one is told of a filing
            stored = await conn.fetchrow(_GET, paper.request_id, paper.kind.value, paper.event_id)
        assert stored is not None
        return _paper(stored)

    async def of(self, request_id: int) -> list[IssuedPaper]:
        """A request's documents, in the order they were issued."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(f"SELECT {_COLUMNS} FROM papers WHERE request_id = $1 ORDER BY id", request_id)
        return [_paper(row) for row in rows]
