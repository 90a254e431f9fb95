"""The register of approval numbers the bureau issues: a gapless sequence per year (migration 13).

A number is taken inside the transaction that records the approval (``SqliteApprovalStore.apply``): the writer's
BEGIN IMMEDIATE serialises two decisions racing, in this process or another, and a transaction rolled back — or
a process killed before its COMMIT — takes its counter step with it. So the numbers issued in a year are 1, 2, 3…
with none skipped and none twice; the unique index on the number refuses a format that would write two alike.
"""

from __future__ import annotations

from datetime import datetime

from approvals.ports import NumberIssue
from storage.codec import stamp
from storage.database import Database
from storage.inline import InlineConnection
from storage.ports import IssuedNumber as IssuedNumber


async def issue_number(conn: InlineConnection, issue: NumberIssue, request_id: int, at: datetime) -> str:
    """Take the next number of ``issue.year`` for ``request_id``. Call only inside a write transaction."""
    await conn.execute(
        "INSERT INTO approval_number_counters (year, last) VALUES (?, 1) "
        "ON CONFLICT (year) DO UPDATE SET last = last + 1",
        (issue.year,),
    )
    async with conn.execute("SELECT last FROM approval_number_counters WHERE year = ?", (issue.year,)) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    seq = int(row[0])
    number = issue.render(issue.year, seq)
    await conn.execute(
        "INSERT INTO approval_numbers (year, seq, number, request_id, issued_at) VALUES (?, ?, ?, ?, ?)",
        (issue.year, seq, number, request_id, stamp(at)),
    )
    return number


class SqliteApprovalNumbers:
    """Reads the register (the export and the tests); numbers are written only by ``issue_number``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def issued(self, year: int) -> list[IssuedNumber]:
        async with self.db.reader.execute(
            "SELECT year, seq, number, request_id FROM approval_numbers WHERE year = ? ORDER BY seq", (year,)
        ) as cursor:
            return [IssuedNumber(*row) for row in await cursor.fetchall()]
