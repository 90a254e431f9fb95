"""PostgreSQL's schema steps for what the bureau publishes, issues and keeps, and for chats the bot cannot reach:
the chats' two tables, the bureau's checklists, public notices with what the public sent, and the register of
written notices (``schema.py`` appends them to its steps). The copies still to make (``file_copies``) are the
approval store's, written with each document.

The tables they point to by id (``requests``, ``audit_events``) come with the approval store's step; the foreign
keys to them come with it too, as for the earlier steps' ``request_id`` columns."""

from __future__ import annotations

DOCUMENTS: tuple[str, ...] = (
    # chats that blocked the bot (their messages are given up until they write again), and groups that became
    # supergroups (their old id is followed to the new one)
    """
    CREATE TABLE undeliverable_chats (
        chat_id bigint PRIMARY KEY,
        since timestamptz NOT NULL,
        reason text NOT NULL
    );
    CREATE TABLE chat_migrations (
        old_chat_id bigint PRIMARY KEY,
        new_chat_id bigint NOT NULL
    );
    """,
    # the bureau's own checklists of standard materials, a JSON array of items per document type (a type without a
    # row keeps the default)
    """
    CREATE TABLE material_checklists (
        document_type text PRIMARY KEY,
        items jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array')
    );
    """,
    # public notices (环办〔2013〕103号), each a snapshot of what it published, and what the public sent while one
    # was open: comments and hearing requests (a hearing request stays open, blocking the decision, until a
    # reviewer records it closed). closed_at: the bot recorded the notice's end, once.
    """
    CREATE TABLE notices (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('acceptance', 'intended_decision', 'decision')),
        opened_at timestamptz NOT NULL,
        opens_on date NOT NULL,
        ends_on date NOT NULL,
        project_name text NOT NULL,
        organisation text NOT NULL,
        location text NOT NULL,
        summary text NOT NULL,
        eia_firm text,
        outcome text,
        approval_number text,
        closed_at timestamptz
    );
    CREATE INDEX notices_request ON notices (request_id, id);
    CREATE INDEX notices_to_close ON notices (ends_on, id) WHERE closed_at IS NULL;
    CREATE TABLE public_comments (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id bigint NOT NULL,
        notice_id bigint NOT NULL REFERENCES notices (id),
        kind text NOT NULL CHECK (kind IN ('comment', 'hearing')),
        at timestamptz NOT NULL,
        name text NOT NULL,
        contact text NOT NULL,
        text text NOT NULL,
        state text CHECK (state IN ('open', 'closed')),
        closed_at timestamptz,
        closed_by bigint,
        outcome text,
        CHECK ((kind = 'hearing') = (state IS NOT NULL))
    );
    CREATE INDEX public_comments_request ON public_comments (request_id, id);
    CREATE INDEX public_comments_open_hearings ON public_comments (request_id, id) WHERE state = 'open';
    CREATE INDEX public_comments_notice ON public_comments (notice_id);
    """,
    # the written notices (文书) issued: one per request, kind and step (its audit event: event_id), so a step
    # recorded again never makes a second document; the SHA-256 of its DOCX and PDF in FILES_DIR. Append-only: an
    # issued document is part of the record.
    """
    CREATE TABLE papers (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('acceptance', 'deemed_acceptance', 'completion', 'not_accepted',
            'special_procedure', 'approval', 'rejection')),
        event_id bigint NOT NULL,
        title text NOT NULL,
        issued_on date NOT NULL,
        docx_sha256 text NOT NULL CHECK (length(docx_sha256) = 64),
        docx_size bigint NOT NULL CHECK (docx_size > 0),
        pdf_sha256 text NOT NULL CHECK (length(pdf_sha256) = 64),
        pdf_size bigint NOT NULL CHECK (pdf_size > 0),
        created_at timestamptz NOT NULL,
        UNIQUE (request_id, kind, event_id)
    );
    CREATE INDEX papers_request ON papers (request_id, id);
    CREATE TRIGGER papers_append_only BEFORE UPDATE OR DELETE ON papers
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER papers_no_truncate BEFORE TRUNCATE ON papers
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    """,
)
