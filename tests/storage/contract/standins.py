"""Stand-ins, for the PostgreSQL contract tests only, of the approval store's tables that the stores under test read
or write beside their own: a request's status, attachments with their copies still to make, the audit log. They
have the columns those stores use, as the approval store's step (``schema_requests.py``) defines them. That step
brings the real tables: then these go, and ``PostgresBackend.request`` stores a real request."""

from __future__ import annotations

STANDINS = """
CREATE TABLE requests (
    id bigint PRIMARY KEY,
    status text NOT NULL
);
CREATE TABLE attachments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES requests (id),
    file_id text NOT NULL,
    name text NOT NULL,
    size bigint NOT NULL,
    mime text NOT NULL,
    unique_id text,
    uploaded_at timestamptz,
    sha256 text,
    stored_at timestamptz
);
CREATE TABLE file_copies (
    attachment_id bigint PRIMARY KEY REFERENCES attachments (id),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
    last_error text
);
CREATE INDEX file_copies_due ON file_copies (next_attempt_at, attachment_id) WHERE status = 'pending';
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES requests (id),
    actor_id bigint NOT NULL,
    actor_name text NOT NULL DEFAULT '',
    at timestamptz NOT NULL,
    action text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    reason text,
    approval_number text,
    target_id bigint,
    target_name text NOT NULL DEFAULT '',
    file_name text NOT NULL DEFAULT '',
    sha256 text,
    file_size bigint
);
"""
