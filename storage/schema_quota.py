"""Schema step 22 (as numbered when it was written; storage/migrations.py appends it): pollutant quotas (总量控制).

Amounts are whole kilograms a year (thousandths of the tonnes the bureau writes), so SQL sums are exact.
"""

from __future__ import annotations

QUOTA: tuple[str, ...] = (
    # the running balance per pollutant, changed only with a ledger entry in the same transaction; reserving
    # checks and changes it in one UPDATE (the writer's transaction makes two approvals take turns)
    """
    CREATE TABLE quota_balances (
        pollutant TEXT PRIMARY KEY,
        opening_kg INTEGER NOT NULL DEFAULT 0,
        credits_kg INTEGER NOT NULL DEFAULT 0 CHECK (credits_kg >= 0),
        reserved_kg INTEGER NOT NULL DEFAULT 0 CHECK (reserved_kg >= 0),
        allocated_kg INTEGER NOT NULL DEFAULT 0 CHECK (allocated_kg >= 0)
    );
    CREATE TABLE reduction_projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        organisation TEXT NOT NULL DEFAULT '',
        declared_at TEXT NOT NULL,
        declared_by INTEGER NOT NULL,
        confirmed_on TEXT,
        confirmed_by INTEGER
    );
    CREATE INDEX reduction_projects_confirmed ON reduction_projects (confirmed_on) WHERE confirmed_on IS NOT NULL;
    CREATE TABLE reduction_amounts (
        reduction_id INTEGER NOT NULL REFERENCES reduction_projects (id),
        pollutant TEXT NOT NULL,
        kg INTEGER NOT NULL CHECK (kg > 0),
        PRIMARY KEY (reduction_id, pollutant)
    );
    CREATE TABLE quota_entries (
        id INTEGER PRIMARY KEY,
        pollutant TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('opening', 'credit', 'reserve', 'release', 'allocate', 'return')),
        kg INTEGER NOT NULL,
        actor_id INTEGER NOT NULL,
        actor_name TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        request_id INTEGER REFERENCES requests (id),
        reduction_id INTEGER REFERENCES reduction_projects (id)
    );
    CREATE INDEX quota_entries_request ON quota_entries (request_id) WHERE request_id IS NOT NULL;
    CREATE TRIGGER quota_entries_no_update BEFORE UPDATE ON quota_entries
        BEGIN SELECT RAISE(ABORT, 'the quota ledger is append-only'); END;
    CREATE TRIGGER quota_entries_no_delete BEFORE DELETE ON quota_entries
        BEGIN SELECT RAISE(ABORT, 'the quota ledger is append-only'); END;
    CREATE TABLE request_quota (
        request_id INTEGER PRIMARY KEY REFERENCES requests (id),
        source TEXT NOT NULL CHECK (source IN ('allocation', 'reduction', 'exempt')),
        reduction_id INTEGER REFERENCES reduction_projects (id),
        exempt_as TEXT
    );
    CREATE TABLE request_discharges (
        request_id INTEGER NOT NULL REFERENCES request_quota (request_id),
        pollutant TEXT NOT NULL,
        kg INTEGER NOT NULL CHECK (kg > 0),
        PRIMARY KEY (request_id, pollutant)
    );
    CREATE TABLE quota_holds (
        request_id INTEGER NOT NULL REFERENCES requests (id),
        pollutant TEXT NOT NULL,
        kg INTEGER NOT NULL CHECK (kg > 0),
        state TEXT NOT NULL CHECK (state IN ('reserved', 'allocated')),
        reduction_id INTEGER REFERENCES reduction_projects (id),
        PRIMARY KEY (request_id, pollutant)
    );
    CREATE INDEX quota_holds_reduction ON quota_holds (reduction_id) WHERE reduction_id IS NOT NULL;
    """,
)
