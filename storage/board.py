"""The public board's reads (``approvals.board.BoardReader``): every one on an index and bounded, on the reader
connections only — a page asked for a thousand times a minute never waits on, or holds up, the writer.

Only the ``notices`` table (the published snapshot) and the comment count are read: nothing here can reach a
request's contact, phone, documents or notes."""

from __future__ import annotations

from datetime import date

from approvals.board import ArchivePage, ArchiveQuery, Cursor
from approvals.notices import Notice, NoticeKind
from storage.codec import day, must_day
from storage.database import Database
from storage.notices import _SELECT_NOTICES, _notice

_FAR_PAST, _FAR_FUTURE = "0000-01-01", "9999-12-31"
_LAST_ID = 2**63 - 1


def _containing(term: str) -> str:
    """A LIKE pattern for any part of a name: SQLite's LIKE ignores ASCII case and is several times faster here
    than instr(lower(…)); the term's own %, _ and \\ are matched as themselves."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqliteBoardReader:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def notice(self, notice_id: int) -> Notice | None:
        async with (
            self.db.point_read() as conn,
            conn.execute(f"{_SELECT_NOTICES} WHERE id = ?", (notice_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return _notice(row) if row else None

    async def open_on(self, today: date, kind: NoticeKind | None, *, offset: int, limit: int) -> list[Notice]:
        # the range of notices_open from today: the ones still running (tens), sorted in memory
        sql = f"{_SELECT_NOTICES} INDEXED BY notices_open WHERE ends_on >= ? AND opens_on <= ?"
        parameters: list[object] = [day(today), day(today)]
        if kind is not None:
            sql += " AND kind = ?"
            parameters.append(kind.value)
        sql += " ORDER BY opens_on DESC, id DESC LIMIT ? OFFSET ?"
        async with self.db.reader.execute(sql, (*parameters, limit, offset)) as cursor:
            return [_notice(row) for row in await cursor.fetchall()]

    async def archive(self, today: date, query: ArchiveQuery, *, limit: int, scan: int) -> ArchivePage:
        """Walk notices_published downwards from ``query.after`` through at most ``scan`` rows of the date range,
        keeping the ended notices whose names contain the terms. The walk's far end is found first on the index
        alone; the page then reads rows in the index's order and stops as soon as it is full (no sort). The next
        page starts below the last notice kept, or — when the walk ended before the page filled — below its end."""
        low = query.published_from.isoformat() if query.published_from else _FAR_PAST
        high = query.published_to.isoformat() if query.published_to else _FAR_FUTURE
        after_day, after_id = (
            (query.after.opens_on.isoformat(), query.after.id) if query.after else (_FAR_FUTURE, _LAST_ID)
        )
        top = min(high, after_day)  # one range term per side: SQLite bounds an index walk by one term each
        below_cursor = "(opens_on < ? OR (opens_on = ? AND id < ?))"
        async with self.db.reader.execute(
            f"SELECT opens_on, id FROM notices INDEXED BY notices_published WHERE opens_on BETWEEN ? AND ? "
            f"AND {below_cursor} ORDER BY opens_on DESC, id DESC LIMIT 1 OFFSET ?",
            (low, top, after_day, after_day, after_id, scan - 1),
        ) as cursor:
            end = await cursor.fetchone()
        stop = Cursor(must_day(end[0]), int(end[1])) if end else None
        bottom, bottom_id = (stop.opens_on.isoformat(), stop.id) if stop else (low, 0)
        named = [
            (column, term)
            for column, term in (("project_name", query.project), ("organisation", query.organisation))
            if term
        ]
        sql = (  # on the index alone (it holds the names): only the notices kept are read from the table
            f"SELECT id FROM notices INDEXED BY notices_published WHERE opens_on BETWEEN ? AND ? AND {below_cursor} "
            "AND (opens_on > ? OR (opens_on = ? AND id >= ?)) AND ends_on < ? "
            + "".join(f"AND {column} LIKE ? ESCAPE '\\' " for column, _ in named)
            + "ORDER BY opens_on DESC, id DESC LIMIT ?"
        )
        terms = tuple(_containing(term) for _, term in named)
        parameters = (
            max(low, bottom),
            top,
            after_day,
            after_day,
            after_id,
            bottom,
            bottom,
            bottom_id,
            day(today),
            *terms,
            limit + 1,
        )
        async with self.db.reader.execute(sql, parameters) as cursor:
            ids = [int(row[0]) for row in await cursor.fetchall()]
        found = await self._by_ids(ids)
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
        marks = ", ".join("?" for _ in ids)
        async with self.db.reader.execute(f"{_SELECT_NOTICES} WHERE id IN ({marks})", ids) as cursor:
            found = [_notice(row) for row in await cursor.fetchall()]
        return sorted(found, key=lambda n: (n.opens_on, n.id), reverse=True)

    async def newest(self, limit: int) -> list[Notice]:
        async with self.db.reader.execute(f"{_SELECT_NOTICES} ORDER BY id DESC LIMIT ?", (limit,)) as cursor:
            return [_notice(row) for row in await cursor.fetchall()]

    async def comment_count(self, notice_id: int) -> int:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT count(*) FROM public_comments INDEXED BY public_comments_notice "
                "WHERE notice_id = ? AND kind = 'comment'",
                (notice_id,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
