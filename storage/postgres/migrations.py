"""PostgreSQL's own schema steps, applied in order, each once, in a transaction with its record.

Several instances starting together on an empty database all call ``migrate``: a session advisory lock (one per
schema) lets one apply the steps while the others wait, then find nothing left to do."""

from __future__ import annotations

import asyncpg

from storage.migrations import SchemaTooNew as NewerSchema
from storage.postgres.schema import STEPS

# two int4 keys: a fixed class id (ASCII "GrCh") and the schema's hash, so each schema's migrations lock alone
LOCK_CLASS = 0x47724368
LOCK = "SELECT pg_advisory_lock($1, hashtext(current_schema()))"
UNLOCK = "SELECT pg_advisory_unlock($1, hashtext(current_schema()))"
LEDGER = """
CREATE TABLE IF NOT EXISTS schema_steps (
    step integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by integer NOT NULL DEFAULT pg_backend_pid()
)
"""


class SchemaTooNew(NewerSchema):
    """The database has steps this code does not know: an older build must not write to it. One of SQLite's kind,
    so the entry point reports either alike."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


async def migrate(conn: asyncpg.Connection, steps: tuple[str, ...] = STEPS) -> int:
    """Apply the steps not yet applied; returns how many this call applied."""
    await conn.execute(LOCK, LOCK_CLASS)
    try:
        await conn.execute(LEDGER)
        done = {row["step"] for row in await conn.fetch("SELECT step FROM schema_steps")}
        if done and max(done) > len(steps):
            raise SchemaTooNew(f"database schema step {max(done)} is newer than this code's {len(steps)}")
        applied = 0
        for number, sql in enumerate(steps, start=1):
            if number in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_steps (step) VALUES ($1)", number)
            applied += 1
        return applied
    finally:
        await conn.execute(UNLOCK, LOCK_CLASS)
