"""The public board's reads on PostgreSQL (``approvals.board.BoardReader``), as ``storage/board.py`` reads them:
each on an index (schema step 19) and bounded. Only ``notices`` (the published snapshot) and the comment count are
read: nothing here can reach a request's contact, phone, documents or notes.

Names are matched as SQLite's LIKE matches them: any part of the name, ASCII letters in either case (other letters
as they are), the term's own %, _ and \\ as themselves."""

from __future__ import annotations

from datetime import date

import asyncpg

from approvals.board import ArchivePage, ArchiveQuery, Cursor
from approvals.notices import Notice, NoticeKind
from storage.postgres.notices import _SELECT_NOTICES, _notice
from storage.postgres.schema_requests import UPPER, folded

FAR_PAST, FAR_FUTURE = date(1, 1, 1), date(9999, 12, 31)
LAST_ID = 2**63 - 1
_FOLD = str.maketrans(UPPER, UPPER.lower())


def containing(term: str) -> str:
    """A LIKE pattern for any part of a folded name."""
    escaped = term.translate(_FOLD).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PostgresBoardReader:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def notice(self, notice_id: int) -> Notice | None:
        row = await self.pool.fetchrow(f"{_SELECT_NOTICES} WHERE id = $1", notice_id)
        return _notice(row) if row else None

    async def open_on(self, today: date, kind: NoticeKind | None, *, offset: int, limit: int) -> list[Notice]:
        # the range of notices_open from today: the ones still running (tens), sorted in memory
        sql = f"{_SELECT_NOTICES} WHERE ends_on >= $1 AND opens_on <= $1"
        parameters: list[object] = [today]
        if kind is not None:
            sql += " AND kind = $2"
            parameters.append(kind.value)
        n = len(parameters)
        sql += f" ORDER BY opens_on DESC, id DESC LIMIT ${n + 1} OFFSET ${n + 2}"
        return [_notice(row) for row in await self.pool.fetch(sql, *parameters, limit, offset)]

    async def archive(self, today: date, query: ArchiveQuery, *, limit: int, scan: int) -> ArchivePage:
        """As SQLite's: walk notices_published downwards from ``query.after`` through at most ``scan`` rows of the
        date range, keeping the ended notices whose names contain the terms; the walk's far end is found first on
        the index alone, then the page is read in the index's order and stops when full."""
        low = query.published_from or FAR_PAST
        high = query.published_to or FAR_FUTURE
        after = (query.after.opens_on, query.after.id) if query.after else (FAR_FUTURE, LAST_ID)
        end = await self.pool.fetchrow(
            "SELECT opens_on, id FROM notices WHERE opens_on BETWEEN $1 AND $2 AND (opens_on, id) < ($3, $4) "
            "ORDER BY opens_on DESC, id DESC LIMIT 1 OFFSET $5",
            low,
            high,
            *after,
            scan - 1,
        )
        stop = Cursor(end[0], int(end[1])) if end else None
        bottom = (stop.opens_on, stop.id) if stop else (low, 0)
        named = [
            (column, term)
            for column, term in (("project_name", query.project), ("organisation", query.organisation))
            if term
        ]
        sql = (
            "SELECT id FROM notices WHERE opens_on BETWEEN $1 AND $2 AND (opens_on, id) < ($3, $4) "
            "AND (opens_on, id) >= ($5, $6) AND ends_on < $7 "
            + "".join(f"AND {folded(column)} LIKE ${8 + n} ESCAPE '\\' " for n, (column, _) in enumerate(named))
            + f"ORDER BY opens_on DESC, id DESC LIMIT ${8 + len(named)}"
        )
        terms = [containing(term) for _, term in named]
        rows = await self.pool.fetch(sql, low, high, *after, *bottom, today, *terms, limit + 1)
        found = await self._by_ids([int(row[0]) for row in rows])
        if len(found) > limit:
            last = found[limit - 1]
            return ArchivePage(tuple(found[:limit]), Cursor(last.opens_on, last.id), None)
        if stop is None:
            return ArchivePage(tuple(found), None, None)  # the range is walked to its end
        return ArchivePage(tuple(found), stop, stop.opens_on)

    async def _by_ids(self, ids: list[int]) -> list[Notice]:
        """The notices ``ids`` (a page: at most a few tens), newest publication first."""
        if not ids:
            return []
        rows = await self.pool.fetch(f"{_SELECT_NOTICES} WHERE id = ANY($1::bigint[])", ids)
        return sorted((_notice(row) for row in rows), key=lambda n: (n.opens_on, n.id), reverse=True)

    async def newest(self, limit: int) -> list[Notice]:
        return [_notice(row) for row in await self.pool.fetch(f"{_SELECT_NOTICES} ORDER BY id DESC LIMIT $1", limit)]

    async def comment_count(self, notice_id: int) -> int:
        count = await self.pool.fetchval(
            "SELECT count(*) FROM public_comments WHERE notice_id = $1 AND kind = 'comment'", notice_id
        )
        return int(count or 0)
