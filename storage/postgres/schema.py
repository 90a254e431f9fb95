"""PostgreSQL's schema steps. Never edit one that has shipped: append a new one.

Types are PostgreSQL's own: BIGINT ids (supergroup chat ids overflow 32 bits), timestamptz, and later date and
numeric where SQLite stores text."""

from __future__ import annotations

STEPS: tuple[str, ...] = (
    # 1: the outbox. Several senders share it: each claims a chat's oldest pending row under a lease
    # (claimed_by, lease_until), and only the holder marks it sent. The audit_events and requests foreign keys
    # come with those tables.
    """
    CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        chat_id bigint NOT NULL,
        kind text NOT NULL DEFAULT 'message'
            CHECK (kind IN ('message', 'card', 'edit_card', 'call', 'event')),
        text text,
        photo bytea,
        reply_markup jsonb,
        request_id bigint,
        edit_message_id bigint,
        event_id bigint,
        method text,
        payload jsonb,
        created_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'undeliverable')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        claimed_by text,
        lease_until timestamptz,
        sent_at timestamptz,
        last_error text,
        CHECK ((claimed_by IS NULL) = (lease_until IS NULL))
    );
    -- each chat's oldest pending row, and the chats that have one
    CREATE INDEX outbox_pending ON outbox (chat_id, id) WHERE status = 'pending';
    """,
)
