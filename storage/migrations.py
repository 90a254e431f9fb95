"""Schema versions. Each entry upgrades version n-1 to n; PRAGMA user_version records where a file stands.

Append new steps; never edit a released one (a bureau's database already ran it).
"""

from __future__ import annotations

import sqlite3

from storage.inline import InlineConnection

# as the queries spell them: SQLite uses a partial index only for the very term it was created with
OPEN = "('received', 'submitted', 'resubmitted', 'in_review', 'in_notice')"
OPEN_15 = "('received', 'submitted', 'resubmitted', 'in_review')"  # migrations 15-17
FINAL = "('approved', 'rejected', 'withdrawn', 'returned')"
OPEN_1 = "('submitted', 'resubmitted', 'in_review')"  # migrations 1-12 (released: never edited)

# the requests table's columns as migrations 1-12 left it, in order (migration 13 copies them)
_COLUMNS_12 = (
    "id, applicant_id, project_name, organisation, contact_name, phone, category, document_type, investment, "
    "location, description, key_code, lane, status, version, submitted_at, updated_at, accepted_on, claimed_by, "
    "decided_by, decided_at, decided_on, approval_number, last_reason, paused_since, paused_working_days, "
    "promised_due, statutory_due, client_key"
)

MIGRATIONS: tuple[str, ...] = (
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
    # 13: approval numbers the bureau issues (APPROVAL_NUMBER_FORMAT). One counter per year, advanced in the
    # transaction that records the approval, so a decision rolled back or killed before COMMIT takes no number
    # and two decisions never take the same one; every number issued is kept, a revoked decision's too
    # (append-only), and no number is issued twice. Numbers typed before (or where the format is empty) are not
    # in this register: they stay on their requests and in the audit log as they were.
    """
    CREATE TABLE approval_number_counters (
        year INTEGER PRIMARY KEY,
        last INTEGER NOT NULL CHECK (last >= 1)
    );
    CREATE TABLE approval_numbers (
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        number TEXT NOT NULL,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        issued_at TEXT NOT NULL,
        PRIMARY KEY (year, seq)
    );
    CREATE UNIQUE INDEX approval_numbers_number ON approval_numbers (number);
    CREATE INDEX approval_numbers_request ON approval_numbers (request_id);
    CREATE TRIGGER approval_numbers_no_update BEFORE UPDATE ON approval_numbers
        BEGIN SELECT RAISE(ABORT, 'issued approval numbers are append-only'); END;
    CREATE TRIGGER approval_numbers_no_delete BEFORE DELETE ON approval_numbers
        BEGIN SELECT RAISE(ABORT, 'issued approval numbers are append-only'); END;
    """,
    # 14: the sign-off roles an admin gives: section chief (审核) and director (签发). The roles table is rebuilt
    # with the wider CHECK; every role already given is kept.
    """
    CREATE TABLE roles_14 (
        user_id INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('applicant', 'reviewer', 'admin', 'chief', 'director')),
        PRIMARY KEY (user_id, role)
    );
    INSERT INTO roles_14 (user_id, role) SELECT user_id, role FROM roles;
    DROP TABLE roles;
    ALTER TABLE roles_14 RENAME TO roles;
    """,
    # 15: receipt and the completeness check (Administrative Licensing Law art. 32). A request is first received
    # (收件), then accepted (受理), sent one list of missing material (incomplete) or returned (退件): the status
    # CHECK is widened, which SQLite does by rebuilding the table (foreign keys are off meanwhile, see migrate).
    # Requests already on record were accepted and stay so: their receipt is their acceptance day. The queue's
    # partial indexes take received requests in. The bureau's own checklists of standard materials.
    f"""
    CREATE TABLE requests_15 (
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
        status TEXT NOT NULL CHECK (status IN ('received', 'incomplete', 'returned',
            'submitted', 'in_review', 'needs_info', 'resubmitted', 'approved', 'rejected', 'withdrawn')),
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
        statutory_due TEXT NOT NULL,
        client_key TEXT,
        received_on TEXT,
        listed_on TEXT,
        listed_documents INTEGER
    );
    INSERT INTO requests_15 SELECT {_COLUMNS_12}, accepted_on, NULL, NULL FROM requests;
    DROP TABLE requests;
    ALTER TABLE requests_15 RENAME TO requests;
    CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN {OPEN_15};
    CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN {OPEN_15};
    CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN {OPEN_15};
    CREATE INDEX requests_decided ON requests (status, decided_on);
    CREATE INDEX requests_applicant ON requests (applicant_id, id);
    CREATE INDEX requests_key ON requests (key_code, status) WHERE key_code IS NOT NULL;
    CREATE UNIQUE INDEX requests_client_key ON requests (client_key) WHERE client_key IS NOT NULL;
    CREATE INDEX requests_claimed ON requests (claimed_by) WHERE status = 'in_review';
    CREATE INDEX requests_status_id ON requests (status, id);
    CREATE INDEX requests_name ON requests (project_name COLLATE NOCASE);
    CREATE INDEX requests_organisation ON requests (organisation COLLATE NOCASE);
    CREATE INDEX requests_contact ON requests (contact_name COLLATE NOCASE);
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
    CREATE TABLE material_checklists (
        document_type TEXT PRIMARY KEY,
        items TEXT NOT NULL
    );
    """,
    # 16: excluded time (Administrative Licensing Law art. 45). A request whose clock stopped for a technical
    # assessment, expert review or hearing is 'excluded': the status CHECK is widened (the table rebuilt as in 15,
    # every row kept as it is: nothing on record is in excluded time). One row per stop: its kind, stated length,
    # the day it stopped, its stated end and how it ended (day, who, result, the working days it excluded). At most
    # one stop per request is open.
    f"""
    CREATE TABLE requests_16 (
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
        status TEXT NOT NULL CHECK (status IN ('received', 'incomplete', 'returned', 'submitted', 'in_review',
            'needs_info', 'resubmitted', 'excluded', 'approved', 'rejected', 'withdrawn')),
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
        statutory_due TEXT NOT NULL,
        client_key TEXT,
        received_on TEXT,
        listed_on TEXT,
        listed_documents INTEGER
    );
    INSERT INTO requests_16 SELECT {_COLUMNS_12}, received_on, listed_on, listed_documents FROM requests;
    DROP TABLE requests;
    ALTER TABLE requests_16 RENAME TO requests;
    CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN {OPEN_15};
    CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN {OPEN_15};
    CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN {OPEN_15};
    CREATE INDEX requests_decided ON requests (status, decided_on);
    CREATE INDEX requests_applicant ON requests (applicant_id, id);
    CREATE INDEX requests_key ON requests (key_code, status) WHERE key_code IS NOT NULL;
    CREATE UNIQUE INDEX requests_client_key ON requests (client_key) WHERE client_key IS NOT NULL;
    CREATE INDEX requests_claimed ON requests (claimed_by) WHERE status = 'in_review';
    CREATE INDEX requests_status_id ON requests (status, id);
    CREATE INDEX requests_name ON requests (project_name COLLATE NOCASE);
    CREATE INDEX requests_organisation ON requests (organisation COLLATE NOCASE);
    CREATE INDEX requests_contact ON requests (contact_name COLLATE NOCASE);
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
    CREATE TABLE clock_stops (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL CHECK (kind IN ('technical_assessment', 'expert_review', 'hearing')),
        days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 120),
        started_on TEXT NOT NULL,
        started_at TEXT NOT NULL,
        expected_end TEXT NOT NULL,
        ended_on TEXT,
        ended_at TEXT,
        ended_by INTEGER,
        result TEXT,
        excluded_days INTEGER CHECK (excluded_days >= 0),
        CHECK ((ended_on IS NULL) = (ended_at IS NULL))
    );
    CREATE INDEX clock_stops_request ON clock_stops (request_id, id);
    CREATE UNIQUE INDEX clock_stops_open ON clock_stops (request_id) WHERE ended_on IS NULL;
    """,
    # 17: the sign-off chain (经办 → 审核 → 签发). A proposed decision waits for signatures (status signing): the
    # status CHECK is widened (with 18's in_notice too, so the notices' step need not rebuild the table again for
    # it), which SQLite does by rebuilding the table as in 16; the decision proposed and the chain's step awaited
    # are kept on the request (the signatures themselves are the audit log's SIGN events). No request on record is
    # signing: every row keeps its status.
    f"""
    CREATE TABLE requests_17 (
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
        status TEXT NOT NULL CHECK (status IN ('received', 'incomplete', 'returned', 'submitted', 'in_review',
            'needs_info', 'resubmitted', 'excluded', 'signing', 'in_notice', 'approved', 'rejected', 'withdrawn')),
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
        statutory_due TEXT NOT NULL,
        client_key TEXT,
        received_on TEXT,
        listed_on TEXT,
        listed_documents INTEGER,
        signing_decision TEXT CHECK (signing_decision IN ('approve', 'reject')),
        signing_step INTEGER NOT NULL DEFAULT 0 CHECK (signing_step >= 0)
    );
    INSERT INTO requests_17 SELECT {_COLUMNS_12}, received_on, listed_on, listed_documents, NULL, 0 FROM requests;
    DROP TABLE requests;
    ALTER TABLE requests_17 RENAME TO requests;
    CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN {OPEN_15};
    CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN {OPEN_15};
    CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN {OPEN_15};
    CREATE INDEX requests_decided ON requests (status, decided_on);
    CREATE INDEX requests_applicant ON requests (applicant_id, id);
    CREATE INDEX requests_key ON requests (key_code, status) WHERE key_code IS NOT NULL;
    CREATE UNIQUE INDEX requests_client_key ON requests (client_key) WHERE client_key IS NOT NULL;
    CREATE INDEX requests_claimed ON requests (claimed_by) WHERE status = 'in_review';
    CREATE INDEX requests_status_id ON requests (status, id);
    CREATE INDEX requests_name ON requests (project_name COLLATE NOCASE);
    CREATE INDEX requests_organisation ON requests (organisation COLLATE NOCASE);
    CREATE INDEX requests_contact ON requests (contact_name COLLATE NOCASE);
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
    # 18: public notices (环办〔2013〕103号). A request proposed for approval is in notice (in_notice, already in
    # 17's status CHECK) until its notice of the intended decision has run; it stays with the bureau, so the queue's
    # partial indexes are made again to take it in. Every request on record keeps its status and dates. The notices
    # themselves, with what they published, and what the public sent while one was open: comments and hearing
    # requests (a hearing request stays open, blocking the decision, until a reviewer records it closed).
    f"""
    DROP INDEX requests_queue_due;
    DROP INDEX requests_queue_lane;
    DROP INDEX requests_statutory;
    CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN {OPEN};
    CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN {OPEN};
    CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN {OPEN};
    CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        kind TEXT NOT NULL CHECK (kind IN ('acceptance', 'intended_decision', 'decision')),
        opened_at TEXT NOT NULL,
        opens_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        project_name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        location TEXT NOT NULL,
        summary TEXT NOT NULL,
        eia_firm TEXT,
        outcome TEXT,
        approval_number TEXT,
        closed_at TEXT
    );
    CREATE INDEX notices_request ON notices (request_id, id);
    CREATE INDEX notices_to_close ON notices (ends_on) WHERE closed_at IS NULL;
    CREATE TABLE public_comments (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES requests (id),
        notice_id INTEGER NOT NULL REFERENCES notices (id),
        kind TEXT NOT NULL CHECK (kind IN ('comment', 'hearing')),
        at TEXT NOT NULL,
        name TEXT NOT NULL,
        contact TEXT NOT NULL,
        text TEXT NOT NULL,
        state TEXT CHECK (state IN ('open', 'closed')),
        closed_at TEXT,
        closed_by INTEGER,
        outcome TEXT,
        CHECK ((kind = 'hearing') = (state IS NOT NULL))
    );
    CREATE INDEX public_comments_request ON public_comments (request_id, id);
    CREATE INDEX public_comments_open_hearings ON public_comments (request_id) WHERE state = 'open';
    """,
)


async def schema_version(conn: InlineConnection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: InlineConnection) -> int:
    """Apply every step the file has not seen, each in its own transaction. Safe to run at every start.

    Foreign keys are off while a step runs (a step may rebuild a table others refer to, SQLite's documented way
    to change a constraint) and checked before it commits."""
    current = await schema_version(conn)
    if current > len(MIGRATIONS):
        raise RuntimeError(f"database schema {current} is newer than this program ({len(MIGRATIONS)})")
    async with conn.execute("PRAGMA foreign_keys") as cursor:
        row = await cursor.fetchone()
    enforced = bool(row and row[0])
    await conn.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or SQLite ignores it
    try:
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    await conn.execute(statement)
                async with conn.execute("PRAGMA foreign_key_check") as cursor:
                    broken = await cursor.fetchall()
                if broken:
                    raise RuntimeError(f"migration {number} would break foreign keys: {broken[:3]}")
                await conn.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
    finally:
        await conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a script into statements; triggers hold inner ';', which sqlite3 itself knows how to skip."""
    parts: list[str] = []
    buffer = ""
    for chunk in script.split(";"):
        buffer += chunk + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                parts.append(buffer.strip())
            buffer = ""
    return parts
