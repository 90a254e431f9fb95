"""Schema steps 13-18: approval numbers, sign-off roles, the completeness check, excluded time, the sign-off chain
and public notices (storage/migrations.py applies them)."""

from __future__ import annotations

from storage.schema_terms import COLUMNS_12, OPEN, OPEN_15

PROCEDURE: tuple[str, ...] = (
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
    INSERT INTO requests_15 SELECT {COLUMNS_12}, accepted_on, NULL, NULL FROM requests;
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
    INSERT INTO requests_16 SELECT {COLUMNS_12}, received_on, listed_on, listed_documents FROM requests;
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
    INSERT INTO requests_17 SELECT {COLUMNS_12}, received_on, listed_on, listed_documents, NULL, 0 FROM requests;
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
