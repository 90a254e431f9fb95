"""PostgreSQL's schema steps for the approval store: requests, their documents, audit log, clock stops and approval
numbers, and the foreign keys to requests that earlier steps deferred (storage/postgres/schema.py appends them).

As the SQLite schema has them at migration 22, in PostgreSQL's own types: dates are ``date``, the investment is
``numeric``, times ``timestamptz``. Differences that matter:

- No ``request_counts`` table or triggers: each count is served by an index (``count_open`` walks the open requests'
  partial index, the summary's backlog by lane the same index, a status count ``requests_status_id``). A counter
  row updated by every step would be locked by two transactions moving requests in opposite directions in opposite
  orders (a deadlock across instances) and would make every submission of a lane wait for the one before to commit.
- Names are searched from their start through expression indexes of the name with ASCII letters folded (as
  SQLite's NOCASE folds them), under the "C" collation, walked as a range (``storage/postgres/search.py``): a range
  of parameters keeps the index in a generic plan, where a ``LIKE $1`` would not.
- "Due at once" (SQLite's '') is ``-infinity``.
"""

from __future__ import annotations

from storage.schema_terms import OPEN

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def folded(column: str) -> str:
    """``column`` with ASCII letters lower-cased, compared byte by byte: the expression the name indexes hold."""
    return f"(translate({column}, '{UPPER}', '{UPPER.lower()}') COLLATE \"C\")"


REQUESTS: tuple[str, ...] = (
    # requests (every status of SQLite's migration 18, the EIA firm of 19), their documents with the bureau's
    # copies still to make (claiming them across instances comes with the copies' store), and the append-only audit
    # log. Indexes as SQLite's, the queue's partial ones over the open statuses.
    f"""
    CREATE TABLE requests (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        applicant_id bigint NOT NULL,
        project_name text NOT NULL,
        organisation text NOT NULL,
        contact_name text NOT NULL,
        phone text NOT NULL,
        category text NOT NULL,
        document_type text NOT NULL,
        investment numeric NOT NULL,
        location text NOT NULL,
        description text NOT NULL,
        key_code text,
        lane smallint NOT NULL CHECK (lane IN (0, 1, 2)),
        status text NOT NULL CHECK (status IN ('received', 'incomplete', 'returned', 'submitted', 'in_review',
            'needs_info', 'resubmitted', 'excluded', 'signing', 'in_notice', 'approved', 'rejected', 'withdrawn')),
        version integer NOT NULL,
        submitted_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        accepted_on date NOT NULL,
        claimed_by bigint,
        decided_by bigint,
        decided_at timestamptz,
        decided_on date,
        approval_number text,
        last_reason text,
        paused_since date,
        paused_working_days integer NOT NULL DEFAULT 0,
        promised_due date NOT NULL,
        statutory_due date NOT NULL,
        client_key text,
        received_on date,
        listed_on date,
        listed_documents integer,
        signing_decision text CHECK (signing_decision IN ('approve', 'reject')),
        signing_step integer NOT NULL DEFAULT 0 CHECK (signing_step >= 0),
        eia_firm text
    );
    CREATE INDEX requests_queue_due ON requests (promised_due, lane, submitted_at, id) WHERE status IN {OPEN};
    CREATE INDEX requests_queue_lane ON requests (lane, promised_due, submitted_at, id) WHERE status IN {OPEN};
    CREATE INDEX requests_statutory ON requests (statutory_due) WHERE status IN {OPEN};
    CREATE INDEX requests_decided ON requests (status, decided_on);
    CREATE INDEX requests_applicant ON requests (applicant_id, id);
    CREATE INDEX requests_key ON requests (key_code, status) WHERE key_code IS NOT NULL;
    CREATE UNIQUE INDEX requests_client_key ON requests (client_key) WHERE client_key IS NOT NULL;
    CREATE INDEX requests_claimed ON requests (claimed_by) WHERE status = 'in_review';
    CREATE INDEX requests_status_id ON requests (status, id);
    CREATE INDEX requests_name ON requests ({folded("project_name")});
    CREATE INDEX requests_organisation ON requests ({folded("organisation")});
    CREATE INDEX requests_contact ON requests ({folded("contact_name")});
    CREATE INDEX people_name ON people ({folded("name")});

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
    CREATE INDEX attachments_request ON attachments (request_id, id);
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
    CREATE INDEX audit_request ON audit_events (request_id, id);
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    """,
    # excluded time (at most one open stop per request), and the approval numbers the bureau issues: one counter
    # row per year, advanced in the approval's transaction under its row lock (a SEQUENCE would skip values on
    # rollback), and the register of every number issued, append-only
    """
    CREATE TABLE clock_stops (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id bigint NOT NULL REFERENCES requests (id),
        kind text NOT NULL CHECK (kind IN ('technical_assessment', 'expert_review', 'hearing')),
        days integer NOT NULL CHECK (days BETWEEN 1 AND 120),
        started_on date NOT NULL,
        started_at timestamptz NOT NULL,
        expected_end date NOT NULL,
        ended_on date,
        ended_at timestamptz,
        ended_by bigint,
        result text,
        excluded_days integer CHECK (excluded_days >= 0),
        CHECK ((ended_on IS NULL) = (ended_at IS NULL))
    );
    CREATE INDEX clock_stops_request ON clock_stops (request_id, id);
    CREATE UNIQUE INDEX clock_stops_open ON clock_stops (request_id) WHERE ended_on IS NULL;
    CREATE INDEX clock_stops_due ON clock_stops (expected_end, id) WHERE ended_on IS NULL;

    CREATE TABLE approval_number_counters (
        year integer PRIMARY KEY,
        last integer NOT NULL CHECK (last >= 1)
    );
    CREATE TABLE approval_numbers (
        year integer NOT NULL,
        seq integer NOT NULL CHECK (seq >= 1),
        number text NOT NULL,
        request_id bigint NOT NULL REFERENCES requests (id),
        issued_at timestamptz NOT NULL,
        PRIMARY KEY (year, seq)
    );
    CREATE UNIQUE INDEX approval_numbers_number ON approval_numbers (number);
    CREATE INDEX approval_numbers_request ON approval_numbers (request_id);
    CREATE TRIGGER approval_numbers_append_only BEFORE UPDATE OR DELETE ON approval_numbers
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER approval_numbers_no_truncate BEFORE TRUNCATE ON approval_numbers
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    """,
    # the foreign keys to requests and audit events that steps 1-5 left for these tables (the reply journal's
    # request_id has none, as on SQLite: a reply may name a card the journal outlives)
    """
    ALTER TABLE outbox ADD CONSTRAINT outbox_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE outbox ADD CONSTRAINT outbox_event FOREIGN KEY (event_id) REFERENCES audit_events (id);
    ALTER TABLE cards ADD CONSTRAINT cards_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE notes ADD CONSTRAINT notes_request FOREIGN KEY (request_id) REFERENCES requests (id);
    ALTER TABLE reminders_sent ADD CONSTRAINT reminders_sent_request FOREIGN KEY (request_id) REFERENCES requests (id);
    """,
)
