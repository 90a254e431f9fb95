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
        """Walk notices_published downwards from ``query.after`` (at most ``scan`` rows inside the date range),
        keep the ended ones whose names contain the terms; the next page starts below the last one kept, or — when
        the walk ran out before the page filled — below the last row walked."""
        low = day(query.published_from) if query.published_from else _FAR_PAST
        high = day(query.published_to) if query.published_to else _FAR_FUTURE
        after_day, after_id = (day(query.after.opens_on), query.after.id) if query.after else (_FAR_FUTURE, 2**63 - 1)
        walk = (
            "SELECT id, opens_on FROM notices INDEXED BY notices_published "
            "WHERE opens_on BETWEEN ? AND ? AND (opens_on < ? OR (opens_on = ? AND id < ?)) "
            "ORDER BY opens_on DESC, id DESC LIMIT ?"
        )
        walk_parameters = (low, high, after_day, after_day, after_id, scan)
        found_sql = (
            f"WITH walked AS ({walk}) {_SELECT_NOTICES} WHERE id IN (SELECT id FROM walked) AND ends_on < ? "
            "AND instr(lower(project_name), lower(?)) > 0 AND instr(lower(organisation), lower(?)) > 0 "
            "ORDER BY opens_on DESC, id DESC LIMIT ?"
        )
        found_parameters = (*walk_parameters, day(today), query.project, query.organisation, limit + 1)
        async with self.db.reader.execute(found_sql, found_parameters) as cursor:
            found = [_notice(row) for row in await cursor.fetchall()]
        if len(found) > limit:
            last = found[limit - 1]
            return ArchivePage(tuple(found[:limit]), Cursor(last.opens_on, last.id), None)
        last_sql = (
            f"WITH walked AS ({walk}) SELECT opens_on, id, (SELECT count(*) FROM walked) FROM walked "
            "ORDER BY opens_on, id LIMIT 1"
        )
        async with self.db.reader.execute(last_sql, walk_parameters) as cursor:
            row = await cursor.fetchone()
        if row is None or int(row[2]) < scan:
            return ArchivePage(tuple(found), None, None)  # the range is walked to its end
        stop = Cursor(must_day(row[0]), int(row[1]))
        return ArchivePage(tuple(found), stop, stop.opens_on)

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
