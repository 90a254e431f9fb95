"""The register of approval numbers the bureau issues, on PostgreSQL: a gapless sequence per year.

A number is taken inside the transaction that records the approval (``PostgresApprovalStore.apply``), after its
compare-and-set won: the upsert of the year's counter row takes that row's lock until COMMIT, so two decisions on
any instances take turns, and a transaction rolled back — or a connection lost before COMMIT — takes its counter
step with it. A SEQUENCE would not do: it skips the values of transactions rolled back."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from approvals.ports import NumberIssue
from storage.ports import IssuedNumber

_NEXT = (
    "INSERT INTO approval_number_counters AS c (year, last) VALUES ($1, 1) "
    "ON CONFLICT (year) DO UPDATE SET last = c.last + 1 RETURNING last"
)


async def issue_number(conn: asyncpg.Connection, issue: NumberIssue, request_id: int, at: datetime) -> str:
    """Take the next number of ``issue.year`` for ``request_id``. Call only inside a transaction."""
    seq = int(await conn.fetchval(_NEXT, issue.year))
    number = issue.render(issue.year, seq)
    await conn.execute(
        "INSERT INTO approval_numbers (year, seq, number, request_id, issued_at) VALUES ($1, $2, $3, $4, $5)",
        issue.year,
        seq,
        number,
        request_id,
        at,
    )
    return number


class PostgresApprovalNumbers:
    """Implements ``storage.ports.ApprovalNumbers``: reads the register; numbers are written only by
    ``issue_number``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def issued(self, year: int) -> list[IssuedNumber]:
        rows = await self.pool.fetch(
            "SELECT year, seq, number, request_id FROM approval_numbers WHERE year = $1 ORDER BY seq", year
        )
        return [IssuedNumber(*row) for row in rows]
