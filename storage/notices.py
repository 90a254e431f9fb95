"""Public notices and what the public sent while one was open (comments, hearing requests): migration 18.

Each thing the public sends, each hearing request closed and each notice ended is also an audit event of its
request, written in the same transaction: the outbox tells the reviewers from it (handlers/notify.py), and
/status and the export show it with the request's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from approvals.models import AuditEvent, Status
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import HearingState, InputKind, PublicComment
from storage.audit import insert_event
from storage.codec import day, must_day, stamp, unstamp
from storage.database import Database
from storage.inline import InlineConnection

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
    "closed_at",
)
_INPUT = (
    "request_id",
    "notice_id",
    "kind",
    "at",
    "name",
    "contact",
    "text",
    "state",
    "closed_at",
    "closed_by",
    "outcome",
)
_SELECT_NOTICES = f"SELECT id, {', '.join(_NOTICE)} FROM notices"
_SELECT_INPUT = f"SELECT id, {', '.join(_INPUT)} FROM public_comments"


def _notice(row: Sequence[Any]) -> Notice:
    data = dict(zip(("id", *_NOTICE), row, strict=True))
    data.update(
        kind=NoticeKind(data["kind"]),
        opened_at=unstamp(data["opened_at"]),
        opens_on=must_day(data["opens_on"]),
        ends_on=must_day(data["ends_on"]),
        outcome=Status(data["outcome"]) if data["outcome"] else None,
        closed_at=unstamp(data["closed_at"]) if data["closed_at"] else None,
    )
    return Notice(**data)


def _input(row: Sequence[Any]) -> PublicComment:
    data = dict(zip(("id", *_INPUT), row, strict=True))
    data.update(
        kind=InputKind(data["kind"]),
        at=unstamp(data["at"]),
        state=HearingState(data["state"]) if data["state"] else None,
        closed_at=unstamp(data["closed_at"]) if data["closed_at"] else None,
    )
    return PublicComment(**data)


async def insert_notices(conn: InlineConnection, notices: Sequence[Notice], approval_number: str | None) -> None:
    """Inside a step's transaction: the notices it opens (a decision's announcement takes the number issued)."""
    for n in notices:
        number = approval_number if n.kind is NoticeKind.DECISION else n.approval_number
        await conn.execute(
            f"INSERT INTO notices ({', '.join(_NOTICE)}) VALUES ({', '.join('?' for _ in _NOTICE)})",
            (
                n.request_id,
                n.kind.value,
                stamp(n.opened_at),
                day(n.opens_on),
                day(n.ends_on),
                n.project_name,
                n.organisation,
                n.location,
                n.summary,
                n.eia_firm,
                n.outcome.value if n.outcome else None,
                number,
                None,
            ),
        )


class SqliteNoticeStore:
    """Implements ``approvals.ports.NoticeStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def of(self, request_id: int) -> list[Notice]:
        async with (
            self.db.point_read() as conn,
            conn.execute(f"{_SELECT_NOTICES} WHERE request_id = ? ORDER BY id", (request_id,)) as cursor,
        ):
            return [_notice(row) for row in await cursor.fetchall()]

    async def latest(self, request_id: int, kind: NoticeKind) -> Notice | None:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                f"{_SELECT_NOTICES} WHERE request_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                (request_id, kind.value),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _notice(row) if row else None

    async def ended_before(self, today: date, *, limit: int) -> list[Notice]:
        """Notices whose last day is before ``today`` and whose end is not recorded yet, oldest first."""
        async with self.db.reader.execute(
            f"{_SELECT_NOTICES} INDEXED BY notices_to_close WHERE closed_at IS NULL AND ends_on < ? "
            "ORDER BY ends_on, id LIMIT ?",
            (day(today), limit),
        ) as cursor:
            return [_notice(row) for row in await cursor.fetchall()]

    async def close(self, notice_id: int, at: datetime, event: AuditEvent | None) -> bool:
        """Record a notice's end, once; ``event`` (written with it) tells the reviewer. False: already recorded."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notices SET closed_at = ? WHERE id = ? AND closed_at IS NULL", (stamp(at), notice_id)
            )
            if cursor.rowcount != 1:
                return False
            if event is not None:
                await insert_event(conn, event)
        self.db.poke_outbox()
        return True

    async def add_input(self, item: PublicComment, event: AuditEvent) -> PublicComment:
        """Store a comment or hearing request with its audit event (which tells the reviewers)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"INSERT INTO public_comments ({', '.join(_INPUT)}) VALUES ({', '.join('?' for _ in _INPUT)})",
                (
                    item.request_id,
                    item.notice_id,
                    item.kind.value,
                    stamp(item.at),
                    item.name,
                    item.contact,
                    item.text,
                    item.state.value if item.state else None,
                    None,
                    None,
                    None,
                ),
            )
            await insert_event(conn, event)
        self.db.poke_outbox()
        assert cursor.lastrowid is not None
        return item.model_copy(update={"id": cursor.lastrowid})

    async def inputs(self, request_id: int, *, limit: int = 1000) -> list[PublicComment]:
        """The request's comments and hearing requests, oldest first (the latest ``limit``)."""
        async with (
            self.db.point_read() as conn,
            conn.execute(
                f"{_SELECT_INPUT} WHERE request_id = ? ORDER BY id DESC LIMIT ?", (request_id, limit)
            ) as cursor,
        ):
            return [_input(row) for row in reversed(await cursor.fetchall())]

    async def count_inputs(self, request_id: int) -> int:
        async with (
            self.db.point_read() as conn,
            conn.execute("SELECT count(*) FROM public_comments WHERE request_id = ?", (request_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def open_hearings(self, request_id: int) -> list[PublicComment]:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                f"{_SELECT_INPUT} WHERE request_id = ? AND state = 'open' ORDER BY id", (request_id,)
            ) as cursor,
        ):
            return [_input(row) for row in await cursor.fetchall()]

    async def close_hearing(self, hearing_id: int, *, by: int, outcome: str, event: AuditEvent) -> bool:
        """Record a hearing request closed (held, or withdrawn), once, with its audit event."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE public_comments SET state = 'closed', closed_at = ?, closed_by = ?, outcome = ? "
                "WHERE id = ? AND request_id = ? AND state = 'open'",
                (stamp(event.at), by, outcome, hearing_id, event.request_id),
            )
            if cursor.rowcount != 1:
                return False
            await insert_event(conn, event)
        self.db.poke_outbox()
        return True
