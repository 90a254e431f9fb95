"""Schema step 21 (the lead renumbers it on merge if need be): the key-project service (专人帮包) — liaisons and
the log of every assignment, pre-application consultations (前期对接), the no-EIA mark, and the weekly
bulletin's claims (one row per week: the bulletin goes out once however many processes try)."""

from __future__ import annotations

KEYSERVICE: tuple[str, ...] = (
    # 21: codes are never deleted from key_projects (a list that leaves one out archives it), so these may refer
    # to them; a project's liaison is one reviewer, and every change of it is kept in an append-only log
    """
    CREATE TABLE key_liaisons (
        code TEXT PRIMARY KEY REFERENCES key_projects (code),
        user_id INTEGER NOT NULL,
        assigned_by INTEGER NOT NULL,
        assigned_at TEXT NOT NULL
    );
    CREATE INDEX key_liaisons_user ON key_liaisons (user_id);
    CREATE TABLE key_liaison_log (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL REFERENCES key_projects (code),
        user_id INTEGER,
        by INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TRIGGER key_liaison_log_no_update BEFORE UPDATE ON key_liaison_log
        BEGIN SELECT RAISE(ABORT, 'the liaison log is append-only'); END;
    CREATE TRIGGER key_liaison_log_no_delete BEFORE DELETE ON key_liaison_log
        BEGIN SELECT RAISE(ABORT, 'the liaison log is append-only'); END;
    CREATE TABLE key_consultations (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL REFERENCES key_projects (code),
        held_on TEXT NOT NULL,
        note TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
        by INTEGER NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX key_consultations_code ON key_consultations (code, held_on);
    CREATE TABLE key_no_eia (
        code TEXT PRIMARY KEY REFERENCES key_projects (code),
        since TEXT NOT NULL,
        by INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE bulletin_runs (
        week TEXT PRIMARY KEY,
        claimed_at TEXT NOT NULL
    );
    """,
)
