"""Schema steps 1-12: the tables as released before the statutory procedure (storage/migrations.py applies them).
Released: never edited, a bureau's database already ran them."""

from __future__ import annotations

from storage.schema_terms import OPEN_1

EARLY: tuple[str, ...] = (
    # 1: requests, attachments, audit log, key projects, people and roles, chat form state
    f"""
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        applicant_id INTEGER NOT NULL,
        project_name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        contact_name TEXT NOT NULL,
        phone TEXT NOT NULL,
        category TEXT NOT NULL,
        document_type TEXT NOT NULL,
        investment TEXT NOT NULL,
        location TEXT NOT NULL,
        description TEXT NOT NULL,
        key_code TEXT,
        lane INTEGER NOT NULL CHECK (lane IN (0, 1, 2)),
        status TEXT NOT NULL CHECK (status IN
            ('submitted', 'in_review', 'needs_info', 'resubmitted', 'approved', 'rejected', 'withdrawn')),
        version INTEGER NOT NULL,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        accepted_on TEXT NOT NULL,
        claimed_by INTEGER,
        decided_by INTEGER,
        decided_at TEXT,
        decided_on TEXT,
        approval_number TEXT,
        last_reason TEXT,
        paused_since TEXT,
        paused_working_days INTEGER NOT NULL DEFAULT 0,
        promised_due TEXT NOT NULL,
        statutory_due TEXT NOT NULL
    );
    -- the queue: at-risk part walks deadlines, the rest walks lanes; both only over open requests
    CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN {OPEN_1};
    CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN {OPEN_1};
    CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN {OPEN_1};
    CREATE INDEX requests_decided ON requests (status, decided_on);
    CREATE INDEX requests_applicant ON requests (applicant_id, id);
    CREATE INDEX requests_key ON requests (key_code, status) WHERE key_code IS NOT NULL;

    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        file_id TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mime TEXT NOT NULL
    );
    CREATE INDEX attachments_request ON attachments (request_id, id);

    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        actor_id INTEGER NOT NULL,
        actor_name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT
    );
    CREATE INDEX audit_request ON audit_events (request_id, id);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

    CREATE TABLE key_projects (
        code TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        planned_start TEXT,
        planned_approval TEXT
    );

    CREATE TABLE people (
        user_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        locale TEXT
    );
    CREATE TABLE roles (
        user_id INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('applicant', 'reviewer', 'admin')),
        PRIMARY KEY (user_id, role)
    );

    CREATE TABLE fsm (
        key TEXT PRIMARY KEY,
        state TEXT,
        data TEXT NOT NULL DEFAULT '{{}}'
    );
    """,
    # 2: where each request's card is shown, so every copy is updated when the request changes
    """
    CREATE TABLE cards (
        request_id INTEGER NOT NULL REFERENCES requests (id),
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (request_id, chat_id, message_id)
    );
    """,
    # 3: outbox, daily runs claimed once per day, reminders sent once, summary subscribers
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        text TEXT,
        photo BLOB,
        reply_markup TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'undeliverable')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        sent_at TEXT,
        last_error TEXT
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';

    CREATE TABLE summary_runs (
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        PRIMARY KEY (day, kind)
    );

    CREATE TABLE reminders_sent (
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (request_id, kind)
    );

    CREATE TABLE subscribers (
        user_id INTEGER PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
        requested_at TEXT NOT NULL
    );
    """,
    # 4: the language a person's Telegram app uses, for messages sent to them unprompted
    """
    ALTER TABLE people ADD COLUMN seen_locale TEXT;
    """,
    # 5: reliability. The outbox also carries domain events (expanded into messages by the sender), cards to
    # post and to edit; chats that blocked the bot or moved; updates already handled; one request per form.
    """
    ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
    ALTER TABLE outbox ADD COLUMN event_id INTEGER REFERENCES audit_events (id);
    ALTER TABLE outbox ADD COLUMN request_id INTEGER REFERENCES requests (id);
    ALTER TABLE outbox ADD COLUMN edit_message_id INTEGER;
    CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
    DROP INDEX outbox_due;

    CREATE TABLE undeliverable_chats (
        chat_id INTEGER PRIMARY KEY,
        since TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TABLE chat_migrations (
        old_chat_id INTEGER PRIMARY KEY,
        new_chat_id INTEGER NOT NULL
    );
    CREATE TABLE processed_updates (
        update_id INTEGER PRIMARY KEY,
        at TEXT NOT NULL
    );
    ALTER TABLE requests ADD COLUMN client_key TEXT;
    CREATE UNIQUE INDEX requests_client_key ON requests (client_key) WHERE client_key IS NOT NULL;
    """,
    # 6: refused attempts (someone pressing Approve without the role, asking for another's request), append-only
    """
    CREATE TABLE denials (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        error TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TRIGGER denials_no_update BEFORE UPDATE ON denials BEGIN SELECT RAISE(ABORT, 'append-only'); END;
    CREATE TRIGGER denials_no_delete BEFORE DELETE ON denials BEGIN SELECT RAISE(ABORT, 'append-only'); END;
    """,
    # 7: requests counted per status and lane, kept by triggers: the summary's backlog and /queue's page count
    # read a few rows instead of scanning every open request (~70 ms at a million)
    """
    CREATE TABLE request_counts (
        status TEXT NOT NULL,
        lane INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, lane)
    ) WITHOUT ROWID;
    INSERT INTO request_counts (status, lane, n) SELECT status, lane, count(*) FROM requests GROUP BY status, lane;
    CREATE TRIGGER request_counts_insert AFTER INSERT ON requests BEGIN
        INSERT INTO request_counts (status, lane, n) VALUES (new.status, new.lane, 1)
            ON CONFLICT (status, lane) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER request_counts_update AFTER UPDATE OF status, lane ON requests
    WHEN old.status <> new.status OR old.lane <> new.lane BEGIN
        UPDATE request_counts SET n = n - 1 WHERE status = old.status AND lane = old.lane;
        INSERT INTO request_counts (status, lane, n) VALUES (new.status, new.lane, 1)
            ON CONFLICT (status, lane) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER request_counts_delete AFTER DELETE ON requests BEGIN
        UPDATE request_counts SET n = n - 1 WHERE status = old.status AND lane = old.lane;
    END;
    """,
    # 8: nothing acknowledged is lost. The inbox holds each update from before Telegram is told it arrived until
    # it is handled; the reply journal holds each reply from the commit it confirms until it is sent (a crash
    # between the two sends it at the next start, through the outbox, which can now carry any Bot API call).
    """
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE TABLE replies (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        method TEXT NOT NULL,
        payload TEXT NOT NULL,
        file BLOB,
        request_id INTEGER,
        created_at TEXT NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN method TEXT;
    ALTER TABLE outbox ADD COLUMN payload TEXT;
    """,
    # 9: claims and oversight. The audit log keeps the approval number a step set (an approval, a correction; a
    # revocation: the one it annulled) and the other reviewer a step is about (a reassignment's new holder, a
    # forced release's old one). Reviewers' internal notes, append-only. The claims each reviewer holds, found
    # without a scan when a reviewer is removed.
    """
    ALTER TABLE audit_events ADD COLUMN approval_number TEXT;
    ALTER TABLE audit_events ADD COLUMN target_id INTEGER;
    ALTER TABLE audit_events ADD COLUMN target_name TEXT NOT NULL DEFAULT '';
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        author_id INTEGER NOT NULL,
        author_name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX notes_request ON notes (request_id, id);
    CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes BEGIN SELECT RAISE(ABORT, 'append-only'); END;
    CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'append-only'); END;
    CREATE INDEX requests_claimed ON requests (claimed_by) WHERE status = 'in_review';
    """,
    # 10: /find. Requests by status, newest first; the start of a project, organisation, contact or applicant's
    # name, ignoring ASCII case (LIKE 'text%' walks a NOCASE index; storage/search.py)
    """
    CREATE INDEX requests_status_id ON requests (status, id);
    CREATE INDEX requests_name ON requests (project_name COLLATE NOCASE);
    CREATE INDEX requests_organisation ON requests (organisation COLLATE NOCASE);
    CREATE INDEX requests_contact ON requests (contact_name COLLATE NOCASE);
    CREATE INDEX people_name ON people (name COLLATE NOCASE);
    """,
    # 11: key-project imports shown before they apply. A code a new list leaves out is archived (archived_in: the
    # list version that left it out), keeping its name for the requests that name it; the list has a version; a
    # file read waits as a pending import (its projects as JSON, owned by the admin who sent it, compared with
    # one version of the list) until Confirm or Cancel.
    """
    ALTER TABLE key_projects ADD COLUMN archived_in INTEGER;
    CREATE TABLE key_project_list (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO key_project_list (id, version) VALUES (1, 0);
    CREATE TABLE key_project_imports (
        id INTEGER PRIMARY KEY,
        admin_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        base_version INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'applied', 'cancelled', 'superseded')),
        decided_at TEXT,
        projects TEXT NOT NULL
    );
    CREATE INDEX key_project_imports_pending ON key_project_imports (admin_id) WHERE status = 'pending';
    """,
    # 12: the bureau keeps its own copy of every document. An attachment records Telegram's unique id for the file
    # (the same file sent again), when it arrived, the SHA-256 of the bytes checked at receipt and when the
    # bureau's copy was stored. Each copy still to make is a row of file_copies, written with the attachment and
    # claimed by a worker (jobs/copies.py) that retries with backoff. Documents already on record are copied too.
    # The audit log names the document a step is about, with its hash and size.
    """
    ALTER TABLE attachments ADD COLUMN unique_id TEXT;
    ALTER TABLE attachments ADD COLUMN uploaded_at TEXT;
    ALTER TABLE attachments ADD COLUMN sha256 TEXT;
    ALTER TABLE attachments ADD COLUMN stored_at TEXT;
    CREATE TABLE file_copies (
        attachment_id INTEGER PRIMARY KEY REFERENCES attachments (id),
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL DEFAULT '',
        last_error TEXT
    );
    CREATE INDEX file_copies_due ON file_copies (next_attempt_at, attachment_id) WHERE status = 'pending';
    INSERT INTO file_copies (attachment_id) SELECT id FROM attachments;
    ALTER TABLE audit_events ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE audit_events ADD COLUMN sha256 TEXT;
    ALTER TABLE audit_events ADD COLUMN file_size INTEGER;
    """,
)
