"""Public notices and what the public sent while one was open (comments, hearing requests), on PostgreSQL.

As on SQLite (``storage/notices.py``), each thing the public sends, each hearing request closed and each notice
ended is also an audit event of its request, written in the same transaction with the outbox row that tells the
reviewers. Ending a notice or closing a hearing request is a conditional UPDATE: of two instances doing it at once
the second waits for the first's row lock, then finds it done and writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from approvals.models import AuditEvent, Status
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import HearingState, InputKind, PublicComment
from storage.postgres.audit import insert_event
from storage.postgres.rows import changed

_NOTICE = (
    "request_id",
    "kind",
    "opened_at",
    "opens_on",
    "ends_on",
    "project_name",
    "organisation",
    "location",
    "summary",
    "eia_firm",
    "outcome",
    "approval_number",
)
_INPUT = ("request_id", "notice_id", "kind", "at", "name", "contact", "text", "state")
_SELECT_NOTICES = f"SELECT id, {', '.join(_NOTICE)}, closed_at FROM notices"
_SELECT_INPUT = f"SELECT id, {', '.join(_INPUT)}, closed_at, closed_by, outcome FROM public_comments"
_INSERT_NOTICE = (
    f"INSERT INTO notices ({', '.join(_NOTICE)}) VALUES ({', '.join(f'${n}' for n in range(1, len(_NOTICE) + 1))})"
)
_INSERT_INPUT = (
    f"INSERT INTO public_comments ({', '.join(_INPUT)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_INPUT) + 1))}) RETURNING id"
)


def _notice(row: asyncpg.Record) -> Notice:
    return Notice(
        **{**row, "kind": NoticeKind(row["kind"]), "outcome": Status(row["outcome"]) if row["outcome"] else None}
    )


def _input(row: asyncpg.Record) -> PublicComment:
    return PublicComment(
        **{**row, "kind": InputKind(row["kind"]), "state": HearingState(row["state"]) if row["state"] else None}
    )


async def insert_notices(conn: asyncpg.Connection, notices: Sequence[Notice], approval_number: str | None) -> None:
    """Inside a step's transaction: the notices it opens (a decision's announcement takes the number issued)."""
    await conn.executemany(
        _INSERT_NOTICE,
        [
            (
                n.request_id,
                n.kind.value,
                n.opened_at,
                n.opens_on,
                n.ends_on,
                n.project_name,
                n.organisation,
                n.location,
                n.summary,
                n.eia_firm,
                n.outcome.value if n.outcome else None,
                approval_number if n.kind is NoticeKind.DECISION else n.approval_number,
            )
            for n in notices
        ],
    )


class PostgresNoticeStore:
    """Implements ``approvals.ports.NoticeStore``; each write is one transaction of its own."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def of(self, request_id: int) -> list[Notice]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(f"{_SELECT_NOTICES} WHERE request_id = $1 ORDER BY id", request_id)
        return [_notice(row) for row in rows]

    async def latest(self, request_id: int, kind: NoticeKind) -> Notice | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"{_SELECT_NOTICES} WHERE request_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
                request_id,
                kind.value,
            )
        return _notice(row) if row else None

    async def ended_before(self, today: date, *, limit: int) -> list[Notice]:
        """Notices whose last day is before ``today`` and whose end is not recorded yet, oldest first."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"{_SELECT_NOTICES} WHERE closed_at IS NULL AND ends_on < $1 ORDER BY ends_on, id LIMIT $2",
                today,
                limit,
            )
        return [_notice(row) for row in rows]

    async def close(self, notice_id: int, at: datetime, event: AuditEvent | None) -> bool:
        """Record a notice's end, once; ``event`` (written with it) tells the reviewer. False: already recorded."""
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "UPDATE notices SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL", notice_id, at
            )
            if changed(status) != 1:
                return False
            if event is not None:
                await insert_event(conn, event)
        return True

    async def add_input(self, item: PublicComment, event: AuditEvent) -> PublicComment:
        """Store a comment or hearing request with its audit event (which tells the reviewers)."""
        async with self.pool.acquire() as conn, conn.transaction():
            item_id = await conn.fetchval(
                _INSERT_INPUT,
                item.request_id,
                item.notice_id,
                item.kind.value,
                item.at,
                item.name,
                item.contact,
                item.text,
                item.state.value if item.state else None,
            )
            await insert_event(conn, event)
        return item.model_copy(update={"id": item_id})

    async def inputs(self, request_id: int, *, limit: int = 1000) -> list[PublicComment]:
        """The request's comments and hearing requests, oldest first (the latest ``limit``)."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"{_SELECT_INPUT} WHERE request_id = $1 ORDER BY id DESC LIMIT $2", request_id, limit
            )
        return [_input(row) for row in reversed(rows)]

    async def count_inputs(self, request_id: int) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM public_comments WHERE request_id = $1", request_id))

    async def open_hearings(self, request_id: int) -> list[PublicComment]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(f"{_SELECT_INPUT} WHERE request_id = $1 AND state = 'open' ORDER BY id", request_id)
        return [_input(row) for row in rows]

    async def close_hearing(self, hearing_id: int, *, by: int, outcome: str, event: AuditEvent) -> bool:
        """Record a hearing request closed (held, or withdrawn), once, with its audit event."""
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "UPDATE public_comments SET state = 'closed', closed_at = $1, closed_by = $2, outcome = $3 "
                "WHERE id = $4 AND request_id = $5 AND state = 'open'",
                event.at,
                by,
                outcome,
                hearing_id,
                event.request_id,
            )
            if changed(status) != 1:
                return False
            await insert_event(conn, event)
        return True
