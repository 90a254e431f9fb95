"""Schema versions. Each entry upgrades version n-1 to n; PRAGMA user_version records where a file stands.

Append new steps; never edit a released one (a bureau's database already ran it).
"""

from __future__ import annotations

import sqlite3

from storage.inline import InlineConnection
from storage.schema_early import EARLY
from storage.schema_keyservice import KEYSERVICE
from storage.schema_paperwork import PAPERWORK
from storage.schema_procedure import PROCEDURE
from storage.schema_public import PUBLIC
from storage.schema_quota import QUOTA
from storage.schema_terms import FINAL, OPEN

__all__ = ["FINAL", "MIGRATIONS", "OPEN", "SchemaTooNew", "migrate", "schema_version"]

# 19: the public board; 20: the written notices; 21: the key-project service; 22: pollutant quotas
MIGRATIONS: tuple[str, ...] = (*EARLY, *PROCEDURE, *PUBLIC, *PAPERWORK, *KEYSERVICE, *QUOTA)


class SchemaTooNew(RuntimeError):
    """The file was upgraded by a newer version: this one must not write to it (it cannot go back)."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"database schema {found} is newer than this program's {known}: it was upgraded by a newer Green "
            "Channel; run that version (or restore a backup taken before the upgrade)"
        )
        self.found = found
        self.known = known


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
        raise SchemaTooNew(current, len(MIGRATIONS))
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
