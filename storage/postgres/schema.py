"""PostgreSQL's schema steps. Never edit one that has shipped: append a new one.

Types are PostgreSQL's own: BIGINT ids (supergroup chat ids overflow 32 bits), timestamptz, and later date and
numeric where SQLite stores text. Tables the SQLite schema guards with append-only triggers are guarded here too
(``refuse_change``, step 2). Foreign keys to ``requests`` come with that table (a later step adds them)."""

from __future__ import annotations

from storage.postgres.schema_documents import DOCUMENTS
from storage.postgres.schema_quota import SERVICES
from storage.postgres.schema_requests import REQUESTS

STEPS: tuple[str, ...] = (
    # 1: the outbox. Several senders share it: each claims a chat's oldest pending row under a lease
    # (claimed_by, lease_until), and only the holder marks it sent. The audit_events and requests foreign keys
    # come with those tables.
    """
    CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        chat_id bigint NOT NULL,
        kind text NOT NULL DEFAULT 'message'
            CHECK (kind IN ('message', 'card', 'edit_card', 'call', 'event', 'paper')),
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
    # 2: people and the roles admins grant. A role names a person the bot knows (grant records them first).
    # refuse_change(): the trigger function of every append-only table.
    """
    CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END
    $$;
    CREATE TABLE people (
        user_id bigint PRIMARY KEY,
        name text NOT NULL DEFAULT '',
        locale text,
        seen_locale text
    );
    CREATE TABLE roles (
        user_id bigint NOT NULL REFERENCES people (user_id),
        role text NOT NULL CHECK (role IN ('applicant', 'reviewer', 'admin', 'chief', 'director')),
        PRIMARY KEY (user_id, role)
    );
    CREATE INDEX roles_role ON roles (role, user_id);
    """,
    # 3: where each request's card is shown (``added``: the order the copies were recorded in, SQLite's rowid),
    # and reviewers' internal notes, append-only
    """
    CREATE TABLE cards (
        request_id bigint NOT NULL,
        chat_id bigint NOT NULL,
        message_id bigint NOT NULL,
        added bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (request_id, chat_id, message_id)
    );
    CREATE INDEX cards_request ON cards (request_id, added);
    CREATE TABLE notes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id bigint NOT NULL,
        author_id bigint NOT NULL,
        author_name text NOT NULL DEFAULT '',
        at timestamptz NOT NULL,
        text text NOT NULL
    );
    CREATE INDEX notes_request ON notes (request_id, id);
    CREATE TRIGGER notes_append_only BEFORE UPDATE OR DELETE ON notes
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER notes_no_truncate BEFORE TRUNCATE ON notes
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    """,
    # 4: the key-project list (codes left out by a later list are archived, never deleted: archived_in is the
    # list version that left them out), its version (one row: every writer locks it first), the imports waiting
    # for an admin's Confirm, and the liaisons an import's column assigns, with their append-only log. The key
    # service's other tables (consultations, the no-EIA mark, bulletins) come with its store.
    """
    CREATE TABLE key_projects (
        code text PRIMARY KEY,
        position integer NOT NULL,
        name text NOT NULL,
        owner text NOT NULL,
        planned_start date,
        planned_approval date,
        archived_in integer
    );
    CREATE TABLE key_project_list (
        id integer PRIMARY KEY CHECK (id = 1),
        version integer NOT NULL
    );
    INSERT INTO key_project_list (id, version) VALUES (1, 0);
    CREATE TABLE key_project_imports (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        admin_id bigint NOT NULL,
        created_at timestamptz NOT NULL,
        base_version integer NOT NULL,
        status text NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'applied', 'cancelled', 'superseded')),
        decided_at timestamptz,
        projects jsonb NOT NULL
    );
    CREATE INDEX key_project_imports_pending ON key_project_imports (admin_id) WHERE status = 'pending';
    CREATE TABLE key_liaisons (
        code text PRIMARY KEY REFERENCES key_projects (code),
        user_id bigint NOT NULL,
        assigned_by bigint NOT NULL,
        assigned_at timestamptz NOT NULL
    );
    CREATE INDEX key_liaisons_user ON key_liaisons (user_id);
    CREATE TABLE key_liaison_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code text NOT NULL REFERENCES key_projects (code),
        user_id bigint,
        by bigint NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE TRIGGER key_liaison_log_append_only BEFORE UPDATE OR DELETE ON key_liaison_log
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER key_liaison_log_no_truncate BEFORE TRUNCATE ON key_liaison_log
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    """,
    # 5: scheduled work claimed once across instances (a day's run per kind, a reminder per request and kind: the
    # primary key decides, INSERT ... ON CONFLICT DO NOTHING), and who receives the daily summary
    """
    CREATE TABLE summary_runs (
        day date NOT NULL,
        kind text NOT NULL,
        claimed_at timestamptz NOT NULL,
        PRIMARY KEY (day, kind)
    );
    CREATE TABLE reminders_sent (
        request_id bigint NOT NULL,
        kind text NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (request_id, kind)
    );
    CREATE TABLE subscribers (
        user_id bigint PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('pending', 'active')),
        requested_at timestamptz NOT NULL
    );
    """,
    # 6: refused attempts, for the bureau's security review (append-only)
    """
    CREATE TABLE denials (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        user_id bigint NOT NULL,
        error text NOT NULL,
        detail text NOT NULL
    );
    CREATE INDEX denials_user ON denials (user_id, id);
    CREATE TRIGGER denials_append_only BEFORE UPDATE OR DELETE ON denials
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER denials_no_truncate BEFORE TRUNCATE ON denials
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    """,
    # 7: the ledger of handled updates (one row each: the primary key lets one instance's mark win), the inbox
    # (updates stored before Telegram is told they arrived; replay_until: an instance replaying the row at its start
    # holds it until then) and the reply journal, whose ids a sequence hands out in blocks of 64 before the rows
    # are written
    """
    CREATE TABLE processed_updates (
        update_id bigint PRIMARY KEY,
        at timestamptz NOT NULL
    );
    CREATE TABLE inbox (
        update_id bigint PRIMARY KEY,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL,
        replay_until timestamptz
    );
    CREATE SEQUENCE reply_ids INCREMENT BY 64;
    CREATE TABLE replies (
        id bigint PRIMARY KEY,
        chat_id bigint NOT NULL,
        method text NOT NULL,
        payload jsonb NOT NULL,
        file bytea,
        request_id bigint,
        created_at timestamptz NOT NULL
    );
    """,
    # 8: the outbox wakes the sending instance: a notification at the commit of every insert, from any instance
    # (channels are per database; the payload names the schema, so runs in schemas of their own do not mix)
    """
    CREATE FUNCTION outbox_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('green_channel_outbox', current_schema());
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER outbox_added AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_added();
    """,
    *REQUESTS,  # 9-11: the approval store: requests, documents, audit log, clock stops, numbers
    *DOCUMENTS,  # 12-15: chats, checklists, notices, papers
    *SERVICES,  # 16-17 (storage/postgres/schema_quota.py): the key-project service's tables, pollutant quotas
    # 18: the foreign keys to requests (and a paper's audit event) of the tables whose steps came before requests'
    """
    ALTER TABLE notices ADD CONSTRAINT notices_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE public_comments ADD CONSTRAINT public_comments_request
        FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE papers ADD CONSTRAINT papers_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE papers ADD CONSTRAINT papers_event FOREIGN KEY (event_id) REFERENCES audit_events (id);
    ALTER TABLE quota_entries ADD CONSTRAINT quota_entries_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE request_quota ADD CONSTRAINT request_quota_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE quota_holds ADD CONSTRAINT quota_holds_request FOREIGN KEY (request_id) REFERENCES requests (id);
    """,
    # 19: the figures' reads. The public board (storage/postgres/board.py), as SQLite's: the notices running on a
    # day (by their end), and the archive walked by publication day and id with what its filter reads, so that only
    # the notices kept are read from the table. The health endpoint (storage/postgres/health.py): requests counted
    # by status and lane on an index alone (SQLite keeps request_counts), each daily run's last claim.
    """
    CREATE INDEX notices_open ON notices (ends_on, opens_on);
    CREATE INDEX notices_published ON notices (opens_on, id) INCLUDE (ends_on, project_name, organisation);
    CREATE INDEX requests_status_lane ON requests (status, lane);
    CREATE INDEX summary_runs_kind ON summary_runs (kind, claimed_at);
    """,
)
