"""Schema step 20: the bureau's written notices (文书) — storage/migrations.py applies it after the public board's
step 19."""

from __future__ import annotations

PAPERWORK: tuple[str, ...] = (
    # 20: one row per document issued: which request, which kind, which step (its audit event) — unique, so a
    # step sent again never makes a second document — and the SHA-256 of its DOCX and PDF in FILES_DIR (the
    # audit log records both hashes too). Append-only: an issued document is part of the record.
    """
    CREATE TABLE papers (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL CHECK (kind IN ('acceptance', 'deemed_acceptance', 'completion', 'not_accepted',
            'special_procedure', 'approval', 'rejection')),
        event_id INTEGER NOT NULL REFERENCES audit_events (id),
        title TEXT NOT NULL,
        issued_on TEXT NOT NULL,
        docx_sha256 TEXT NOT NULL CHECK (length(docx_sha256) = 64),
        docx_size INTEGER NOT NULL CHECK (docx_size > 0),
        pdf_sha256 TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
        pdf_size INTEGER NOT NULL CHECK (pdf_size > 0),
        created_at TEXT NOT NULL,
        UNIQUE (request_id, kind, event_id)
    );
    CREATE INDEX papers_request ON papers (request_id, id);
    CREATE TRIGGER papers_no_update BEFORE UPDATE ON papers
        BEGIN SELECT RAISE(ABORT, 'issued documents are append-only'); END;
    CREATE TRIGGER papers_no_delete BEFORE DELETE ON papers
        BEGIN SELECT RAISE(ABORT, 'issued documents are append-only'); END;
    """,
)
