"""What both registers of written notices (SQLite, PostgreSQL) write beside a document issued: its audit records."""

from __future__ import annotations

from datetime import datetime

from approvals.models import BOT_ACTOR_ID, AuditEvent, Status
from paperwork.issued import IssuedPaper

ISSUE_PAPER = "issue_paper"  # the audit action: recorded, not a transition, no one told (the document itself is)


def filed(paper: IssuedPaper, status: Status, at: datetime) -> list[AuditEvent]:
    """One record per file (name, SHA-256, size); ``status``: the request's, which the filing keeps."""
    return [
        AuditEvent(
            request_id=paper.request_id,
            actor_id=BOT_ACTOR_ID,
            at=at,
            action=ISSUE_PAPER,
            from_status=status,
            to_status=status,
            file_name=paper.file_name(extension),
            sha256=sha,
            file_size=size,
        )
        for extension, sha, size in (
            ("docx", paper.docx_sha256, paper.docx_size),
            ("pdf", paper.pdf_sha256, paper.pdf_size),
        )
    ]
