"""/find on PostgreSQL: each query an index walk or a bounded range of the primary key, each with a LIMIT.

As on SQLite (``storage/search.py``): the start of a project, organisation, contact or applicant's name at any age,
through the folded-name indexes (``schema_requests.folded``: ASCII letters lower-cased, as NOCASE does, compared
byte by byte); any part of those names only among the newest ``FIND_WINDOW`` requests. A name's start is asked for
as a range (``>= text``, ``< the next text``) rather than ``LIKE $1``: the planner turns a LIKE into an index range
only for a pattern it can read, which a prepared statement's generic plan cannot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from approvals.models import ApprovalRequest, Status
from storage.postgres.schema_requests import UPPER, folded

FIND_WINDOW = 20_000  # newest requests searched inside names
PEOPLE_LIMIT = 5  # applicants whose Telegram name starts with the text, each with their newest requests
NAMED = ("project_name", "organisation", "contact_name")
_FOLD = str.maketrans(UPPER, UPPER.lower())
_SURROGATES = range(0xD800, 0xE000)

Select = Callable[[asyncpg.Connection, str, tuple[Any, ...]], Awaitable[list[ApprovalRequest]]]


def fold(text: str) -> str:
    return text.translate(_FOLD)


def successor(prefix: str) -> str | None:
    """The least text greater than every text starting with ``prefix`` (code point order, which is UTF-8's byte
    order); None when there is none."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if last in _SURROGATES:  # not encodable: the next character is the first after them
            last = _SURROGATES.stop
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return None


def like_escape(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\' (a % or _ typed by a reviewer is not a wildcard)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def starts_with(column: str, low: str) -> tuple[str, list[str], str]:
    """The terms of a name's start as a range of ``folded(column)`` (its bounds as ``$1`` and ``$2``, their values),
    and the key to order by."""
    key = folded(column)
    high = successor(low)
    if high is None:  # only a text of U+10FFFF characters: no upper bound
        return f"{key} >= $1", [low], key
    return f"{key} >= $1 AND {key} < $2", [low, high], key


async def find_requests(
    conn: asyncpg.Connection, select: Select, base: str, *, text: str, status: Status | None, limit: int
) -> tuple[list[ApprovalRequest], bool]:
    """``base`` is the SELECT of request columns; ``select`` runs it and loads the attachments."""
    take = limit + 1  # one more than wanted: tells whether more match
    found: list[ApprovalRequest] = []
    more = False

    async def run(sql: str, *params: Any) -> None:
        nonlocal more
        rows = await select(conn, f"{base} {sql} LIMIT ${len(params) + 1}", (*params, take))
        found.extend(rows)
        more = more or len(rows) == take

    if status is not None:
        await run("WHERE status = $1 ORDER BY id DESC", status.value)
    if text:
        low = fold(text)
        for column in NAMED:
            where, bounds, key = starts_with(column, low)
            await run(f"WHERE {where} ORDER BY {key}", *bounds)
        where, bounds, key = starts_with("name", low)
        people = await conn.fetch(
            f"SELECT user_id FROM people WHERE {where} ORDER BY {key} LIMIT ${len(bounds) + 1}", *bounds, PEOPLE_LIMIT
        )
        for person in people:
            await run("WHERE applicant_id = $1 ORDER BY id DESC", person["user_id"])
        newest = int(await conn.fetchval("SELECT coalesce(max(id), 0) FROM requests"))
        names = " OR ".join(f"{folded(column)} LIKE $2 ESCAPE '\\'" for column in NAMED)
        await run(f"WHERE id > $1 AND ({names}) ORDER BY id DESC", newest - FIND_WINDOW, f"%{like_escape(low)}%")
    unique = sorted({r.id: r for r in found}.values(), key=lambda r: r.id, reverse=True)
    return unique[:limit], more or len(unique) > limit
