"""Stand-ins, for the PostgreSQL contract tests only, of the approval store's tables that the stores under test read
or write beside their own: a request's status, attachments, the audit log. They have the columns those stores use,
as SQLite's schema names them. The approval store's schema step brings the real tables: then these go, and
``PostgresBackend.request`` stores a real request."""

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
