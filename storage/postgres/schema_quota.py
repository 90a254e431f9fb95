"""PostgreSQL's schema steps for the key-project service's own tables and the pollutant quotas (总量控制), appended to
``schema.STEPS`` (the SQLite twins: storage/schema_keyservice.py, storage/schema_quota.py).

Amounts are tonnes a year as ``numeric(15, 3)``: exact, three decimals as the bureau writes them (SQLite keeps
whole kilograms for the same reason). ``request_id`` columns are plain bigints until ``requests`` exists here: the
step that creates it adds their foreign keys (``quota_entries``, ``request_quota``, ``quota_holds``)."""

from __future__ import annotations

SERVICES: tuple[str, ...] = (
    # the key-project service (专人帮包): pre-application consultations, the no-EIA mark, and the weekly
    # bulletin's claims (one row a week: sent once however many instances try). Liaisons and their log: step 4.
    """
    CREATE TABLE key_consultations (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code text NOT NULL REFERENCES key_projects (code),
        held_on date NOT NULL,
        note text NOT NULL CHECK (char_length(note) BETWEEN 1 AND 500),
        by bigint NOT NULL,
        recorded_at timestamptz NOT NULL
    );
    CREATE INDEX key_consultations_code ON key_consultations (code, held_on);
    CREATE TABLE key_no_eia (
        code text PRIMARY KEY REFERENCES key_projects (code),
        since date NOT NULL,
        by bigint NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE TABLE bulletin_runs (
        week date PRIMARY KEY,
        claimed_at timestamptz NOT NULL
    );
    """,
    # pollutant quotas: the running balance per pollutant, changed only with its ledger entries in one transaction
    # (a reservation locks the rows it checks: storage/postgres/quota.py); the append-only ledger; what requests
    # declare and hold; reduction projects. The request_id columns' foreign keys come with the requests table.
    """
    CREATE TABLE quota_balances (
        pollutant text PRIMARY KEY,
        opening numeric(15, 3) NOT NULL DEFAULT 0,
        credits numeric(15, 3) NOT NULL DEFAULT 0 CHECK (credits >= 0),
        reserved numeric(15, 3) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        allocated numeric(15, 3) NOT NULL DEFAULT 0 CHECK (allocated >= 0)
    );
    CREATE TABLE reduction_projects (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        organisation text NOT NULL DEFAULT '',
        declared_at timestamptz NOT NULL,
        declared_by bigint NOT NULL,
        confirmed_on date,
        confirmed_by bigint
    );
    CREATE INDEX reduction_projects_confirmed ON reduction_projects (confirmed_on) WHERE confirmed_on IS NOT NULL;
    CREATE TABLE reduction_amounts (
        reduction_id bigint NOT NULL REFERENCES reduction_projects (id),
        pollutant text NOT NULL,
        tonnes numeric(15, 3) NOT NULL CHECK (tonnes > 0),
        PRIMARY KEY (reduction_id, pollutant)
    );
    CREATE TABLE quota_entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        pollutant text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('opening', 'credit', 'reserve', 'release', 'allocate', 'return')),
        tonnes numeric(15, 3) NOT NULL,
        actor_id bigint NOT NULL,
        actor_name text NOT NULL DEFAULT '',
        at timestamptz NOT NULL,
        reason text NOT NULL DEFAULT '',
        request_id bigint,
        reduction_id bigint REFERENCES reduction_projects (id)
    );
    CREATE INDEX quota_entries_request ON quota_entries (request_id) WHERE request_id IS NOT NULL;
    CREATE TRIGGER quota_entries_append_only BEFORE UPDATE OR DELETE ON quota_entries
        FOR EACH ROW EXECUTE FUNCTION refuse_change();
    CREATE TRIGGER quota_entries_no_truncate BEFORE TRUNCATE ON quota_entries
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
    CREATE TABLE request_quota (
        request_id bigint PRIMARY KEY,
        source text NOT NULL CHECK (source IN ('allocation', 'reduction', 'exempt')),
        reduction_id bigint REFERENCES reduction_projects (id),
        exempt_as text
    );
    CREATE TABLE request_discharges (
        request_id bigint NOT NULL REFERENCES request_quota (request_id),
        pollutant text NOT NULL,
        tonnes numeric(15, 3) NOT NULL CHECK (tonnes > 0),
        PRIMARY KEY (request_id, pollutant)
    );
    CREATE TABLE quota_holds (
        request_id bigint NOT NULL,
        pollutant text NOT NULL,
        tonnes numeric(15, 3) NOT NULL CHECK (tonnes > 0),
        state text NOT NULL CHECK (state IN ('reserved', 'allocated')),
        reduction_id bigint REFERENCES reduction_projects (id),
        PRIMARY KEY (request_id, pollutant)
    );
    CREATE INDEX quota_holds_reduction ON quota_holds (reduction_id) WHERE reduction_id IS NOT NULL;
    """,
)
