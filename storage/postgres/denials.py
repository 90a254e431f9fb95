"""Refused attempts on PostgreSQL, for the bureau's security review (append-only: a trigger refuses UPDATE and
DELETE)."""

from __future__ import annotations

from datetime import datetime

import asyncpg


class PostgresDenials:
    """Implements ``storage.ports.Denials``; each record is a plain statement of its own."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def record(self, user_id: int, error: str, detail: str, now: datetime) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO denials (at, user_id, error, detail) VALUES ($1, $2, $3, $4)",
                now,
                user_id,
                error,
                detail[:500],
            )

    async def of(self, user_id: int) -> list[tuple[str, str]]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT error, detail FROM denials WHERE user_id = $1 ORDER BY id", user_id)
        return [(row["error"], row["detail"]) for row in rows]
