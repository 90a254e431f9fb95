"""/find's queries, on the reader connection: each one an index walk or a bounded scan, each with a LIMIT.

A million requests must not be scanned for one reviewer's query (it would hold the reader for seconds), so text
is matched in two ways: the start of a project, organisation or contact name through their NOCASE indexes
(migration 9), at any age; and any part of those names only among the newest ``FIND_WINDOW`` requests, a range
of the primary key. Measured plans are checked in tests/storage/test_search_sql.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from approvals.models import ApprovalRequest, Status
from storage.reader import SnapshotReader

FIND_WINDOW = 20_000  # newest requests searched inside names: a query matching nothing took 11-13 ms here (reader)
PEOPLE_LIMIT = 5  # applicants whose Telegram name starts with the text, each with their newest requests
NAMED = (
    ("requests_name", "project_name"),
    ("requests_organisation", "organisation"),
    ("requests_contact", "contact_name"),
)

Select = Callable[[SnapshotReader, str, Sequence[Any]], Awaitable[list[ApprovalRequest]]]


def like_escape(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\' (a % or _ typed by a reviewer is not a wildcard)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def find_requests(
    conn: SnapshotReader, select: Select, base: str, *, text: str, status: Status | None, limit: int
) -> tuple[list[ApprovalRequest], bool]:
    """``base`` is the SELECT of request columns; ``select`` runs it and loads the attachments."""
    take = limit + 1  # one more than wanted: tells whether more match
    found: list[ApprovalRequest] = []
    more = False

    async def run(sql: str, params: Sequence[Any]) -> None:
        nonlocal more
        rows = await select(conn, f"{base} {sql} LIMIT ?", (*params, take))
        found.extend(rows)
        more = more or len(rows) == take

    if status is not None:
        await run("INDEXED BY requests_status_id WHERE status = ? ORDER BY id DESC", (status.value,))
    if text:
        prefix = like_escape(text) + "%"
        for index, column in NAMED:
            await run(
                f"INDEXED BY {index} WHERE {column} LIKE ? ESCAPE '\\' ORDER BY {column} COLLATE NOCASE", (prefix,)
            )
        async with conn.execute(
            "SELECT user_id FROM people INDEXED BY people_name WHERE name LIKE ? ESCAPE '\\' "
            "ORDER BY name COLLATE NOCASE LIMIT ?",
            (prefix, PEOPLE_LIMIT),
        ) as cursor:
            applicants = [row[0] for row in await cursor.fetchall()]
        for applicant in applicants:
            await run("INDEXED BY requests_applicant WHERE applicant_id = ? ORDER BY id DESC", (applicant,))
        async with conn.execute("SELECT coalesce(max(id), 0) FROM requests") as cursor:
            row = await cursor.fetchone()
        newest = int(row[0]) if row else 0
        inside = "%" + like_escape(text) + "%"
        names = " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for _, column in NAMED)
        await run(f"WHERE id > ? AND ({names}) ORDER BY id DESC", (newest - FIND_WINDOW, *(inside,) * len(NAMED)))
    unique = sorted({r.id: r for r in found}.values(), key=lambda r: r.id, reverse=True)
    return unique[:limit], more or len(unique) > limit
