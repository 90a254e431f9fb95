"""Requests, their attachments and their audit log."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from approvals.clock_stops import ClockStop
from approvals.models import ApprovalRequest, Attachment, AuditEvent, Category, DocumentType, Lane, Status
from approvals.notices import Notice
from approvals.ports import NumberIssue
from approvals.quota import QuotaMove
from storage.audit import SELECT_EVENTS, event_of, insert_event
from storage.clock_stops import ALL_OPEN, OF_REQUEST, OPEN_OF_REQUEST, select_stops, write_stop
from storage.codec import day, must_day, stamp, unday, unstamp
from storage.columns import REQUEST_COLUMNS, REQUEST_PLAIN
from storage.database import Database
from storage.inline import InlineConnection
from storage.migrations import FINAL, OPEN
from storage.notices import insert_notices
from storage.numbers import issue_number
from storage.quota import apply_move, write_claim
from storage.reader import SnapshotReader
from storage.search import find_requests

# Columns written from the model as they are (text, numbers); the rest need converting.
_PLAIN = REQUEST_PLAIN
_COLUMNS = REQUEST_COLUMNS
Connection = SnapshotReader | InlineConnection  # queries shared by the reader and the writer
_SELECT = f"SELECT id, {', '.join(_COLUMNS)} FROM requests"


def _row_values(r: ApprovalRequest) -> list[Any]:
    return [
        *(
            getattr(r, name).value if name in ("category", "document_type", "status") else getattr(r, name)
            for name in _PLAIN
        ),
        str(r.investment),
        int(r.lane),
        stamp(r.submitted_at),
        stamp(r.updated_at),
        day(r.accepted_on),
        stamp(r.decided_at) if r.decided_at else None,
        day(r.decided_on),
        day(r.paused_since),
        day(r.promised_due),
        day(r.statutory_due),
        day(r.received_on),
        day(r.listed_on),
    ]


def _request(row: Sequence[Any], attachments: Sequence[Attachment]) -> ApprovalRequest:
    data = dict(zip(("id", *_COLUMNS), row, strict=True))
    data.update(
        category=Category(data["category"]),
        document_type=DocumentType(data["document_type"]),
        status=Status(data["status"]),
        investment=Decimal(data["investment"]),
        lane=Lane(data["lane"]),
        submitted_at=unstamp(data["submitted_at"]),
        updated_at=unstamp(data["updated_at"]),
        accepted_on=must_day(data["accepted_on"]),
        decided_at=unstamp(data["decided_at"]) if data["decided_at"] else None,
        decided_on=unday(data["decided_on"]),
        paused_since=unday(data["paused_since"]),
        promised_due=must_day(data["promised_due"]),
        statutory_due=must_day(data["statutory_due"]),
        received_on=unday(data["received_on"]),
        listed_on=unday(data["listed_on"]),
        attachments=tuple(attachments),
    )
    # stored rows were validated on the way in; construct without re-running every field rule
    return ApprovalRequest.model_construct(**data)


class SqliteApprovalStore:
    """Implements ``approvals.ports.ApprovalStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, request: ApprovalRequest, event: AuditEvent) -> ApprovalRequest:
        placeholders = ", ".join("?" for _ in _COLUMNS)
        async with self.db.transaction() as conn:
            if request.client_key is not None:
                async with conn.execute("SELECT id FROM requests WHERE client_key = ?", (request.client_key,)) as found:
                    existing = await found.fetchone()
                if existing is not None:  # the same form submitted again (double press, redelivered update)
                    return request.model_copy(update={"id": int(existing[0])})
            cursor = await conn.execute(
                f"INSERT INTO requests ({', '.join(_COLUMNS)}) VALUES ({placeholders})", _row_values(request)
            )
            request_id = cursor.lastrowid
            assert request_id is not None
            copies = await _insert_attachments(conn, request_id, request.attachments)
            await write_claim(conn, request_id, request.quota)
            await insert_event(conn, event.model_copy(update={"request_id": request_id}))
        self.db.poke_outbox()
        if copies:
            self.db.poke_copies()
        return request.model_copy(update={"id": request_id})

    async def get(self, request_id: int) -> ApprovalRequest | None:
        async with self.db.point_read() as conn:
            found = await self._select(conn, f"{_SELECT} WHERE id = ?", (request_id,))
        return found[0] if found else None

    async def apply(
        self,
        updated: ApprovalRequest,
        *,
        expected_version: int,
        event: AuditEvent,
        new_attachments: Sequence[Attachment] = (),
        issue: NumberIssue | None = None,
        notices: Sequence[Notice] = (),
        clock: ClockStop | None = None,
        quota: QuotaMove | None = None,
    ) -> ApprovalRequest | None:
        assignments = ", ".join(f"{name} = ?" for name in _COLUMNS)
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE requests SET {assignments} WHERE id = ? AND version = ?",
                (*_row_values(updated), updated.id, expected_version),
            )
            if cursor.rowcount != 1:
                return None  # someone else changed it first; nothing written, no number taken
            if issue is not None:  # after the compare-and-set won: a lost race takes no number
                number = await issue_number(conn, issue, updated.id, event.at)
                await conn.execute("UPDATE requests SET approval_number = ? WHERE id = ?", (number, updated.id))
                updated = updated.model_copy(update={"approval_number": number})
                event = event.model_copy(update={"approval_number": number})
            if quota is not None:  # after the compare-and-set won; a shortfall raises and rolls the step back
                await apply_move(
                    conn, updated.id, quota, by=(event.actor_id, event.actor_name), at=event.at, reason=event.action
                )
            copies = await _insert_attachments(conn, updated.id, new_attachments)
            if clock is not None:  # before the event: its notice reads the stop
                await write_stop(conn, clock)
            await insert_event(conn, event)
            await insert_notices(conn, notices, updated.approval_number)
        self.db.poke_outbox()
        if copies:
            self.db.poke_copies()
        return updated

    async def open_clock_stop(self, request_id: int) -> ClockStop | None:
        async with self.db.point_read() as conn:
            found = await select_stops(conn, OPEN_OF_REQUEST, (request_id,))
        return found[0] if found else None

    async def open_clock_stops(self, *, limit: int) -> list[ClockStop]:
        return await select_stops(self.db.reader, ALL_OPEN, (limit,))

    async def clock_stops_of(self, request_id: int) -> list[ClockStop]:
        async with self.db.point_read() as conn:
            return await select_stops(conn, OF_REQUEST, (request_id,))

    async def by_applicant(self, applicant_id: int, *, limit: int, offset: int = 0) -> list[ApprovalRequest]:
        return await self._select(
            self.db.reader,
            f"{_SELECT} WHERE applicant_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (applicant_id, limit, offset),
        )

    async def undecided_of(self, applicant_id: int) -> list[ApprovalRequest]:
        async with self.db.point_read() as conn:  # one applicant's requests, along their index
            return await self._select(
                conn,
                f"{_SELECT} INDEXED BY requests_applicant WHERE applicant_id = ? AND status NOT IN {FINAL} "
                "ORDER BY id DESC LIMIT 100",
                (applicant_id,),
            )

    async def find(self, *, text: str, status: Status | None, limit: int) -> tuple[list[ApprovalRequest], bool]:
        return await find_requests(self.db.reader, self._select, _SELECT, text=text, status=status, limit=limit)

    async def history(self, request_id: int) -> list[AuditEvent]:
        async with (
            self.db.point_read() as conn,
            conn.execute(f"{SELECT_EVENTS} WHERE request_id = ? ORDER BY id", (request_id,)) as cursor,
        ):
            return [event_of(row) for row in await cursor.fetchall()]

    async def last_events(self, request_ids: Sequence[int], actions: Collection[str]) -> dict[int, AuditEvent]:
        ids, kinds = list(request_ids), list(actions)
        if not ids or not kinds:
            return {}
        latest = (
            f"SELECT max(id) FROM audit_events WHERE request_id IN ({', '.join('?' for _ in ids)}) "
            f"AND action IN ({', '.join('?' for _ in kinds)}) GROUP BY request_id"
        )
        async with (
            self.db.point_read() as conn,
            conn.execute(f"{SELECT_EVENTS} WHERE id IN ({latest})", (*ids, *kinds)) as cursor,
        ):
            return {event.request_id: event for event in map(event_of, await cursor.fetchall())}

    async def with_status(self, statuses: Collection[Status], *, limit: int) -> list[ApprovalRequest]:
        """Requests in any of ``statuses``, oldest first (along requests_status_id)."""
        found: list[ApprovalRequest] = []
        for status in statuses:
            found += await self._select(
                self.db.reader, f"{_SELECT} WHERE status = ? ORDER BY id LIMIT ?", (status.value, limit)
            )
        return sorted(found, key=lambda r: r.id)[:limit]

    async def claimed_by(self, user_id: int) -> list[ApprovalRequest]:
        # spelled as the partial index requests_claimed (migration 9) is
        return await self._select(
            self.db.reader, f"{_SELECT} WHERE claimed_by = ? AND status = 'in_review' ORDER BY id", (user_id,)
        )

    async def queue(
        self,
        *,
        risk_cutoff: date,
        limit: int,
        offset: int = 0,
        unclaimed_only: bool = False,
        exclude_applicant: int | None = None,
    ) -> list[ApprovalRequest]:
        """``lanes.queue_key`` order, in two index walks: the at-risk part by deadline, then the rest by lane."""
        # the OPEN term must appear as the partial indexes spell it for SQLite to use them
        # unclaimed_only (/next claims what it finds): a received request is accepted or listed, not claimed
        status = f"{OPEN} AND status NOT IN ('in_review', 'received', 'in_notice')" if unclaimed_only else OPEN
        # a reviewer's own requests are filtered as the index walk meets them (/next: no self-review)
        mine = "" if exclude_applicant is None else " AND applicant_id <> ?"
        also = () if exclude_applicant is None else (exclude_applicant,)
        cutoff = day(risk_cutoff)
        at_risk = await self._select(
            self.db.reader,
            f"{_SELECT} INDEXED BY requests_queue_due WHERE status IN {status} AND promised_due <= ?{mine} "
            "ORDER BY promised_due, lane, submitted_at, id LIMIT ? OFFSET ?",
            (cutoff, *also, limit, offset),
        )
        if len(at_risk) == limit:
            return at_risk
        risky_count = await self._count(
            f"INDEXED BY requests_queue_due WHERE status IN {status} AND promised_due <= ?{mine}", (cutoff, *also)
        )
        rest = await self._select(
            self.db.reader,
            f"{_SELECT} INDEXED BY requests_queue_lane WHERE status IN {status} AND promised_due > ?{mine} "
            "ORDER BY lane, promised_due, submitted_at, id LIMIT ? OFFSET ?",
            (cutoff, *also, limit - len(at_risk), max(offset - risky_count, 0)),
        )
        return at_risk + rest

    async def count_open(self) -> int:
        async with self.db.reader.execute(
            f"SELECT coalesce(sum(n), 0) FROM request_counts WHERE status IN {OPEN}"
        ) as cursor:  # kept by triggers (migration 7): a few rows, not a scan of the open requests
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def all_requests(self) -> list[ApprovalRequest]:
        return await self._select(self.db.reader, f"{_SELECT} ORDER BY id", ())

    async def event(self, event_id: int) -> AuditEvent | None:
        async with (
            self.db.point_read() as conn,
            conn.execute(f"{SELECT_EVENTS} WHERE id = ?", (event_id,)) as cursor,
        ):
            row = await cursor.fetchone()
        return event_of(row) if row else None

    async def all_history(self) -> list[AuditEvent]:
        async with self.db.reader.execute(f"{SELECT_EVENTS} ORDER BY request_id, id") as cursor:
            return [event_of(row) for row in await cursor.fetchall()]

    async def _count(self, where: str, params: Sequence[Any]) -> int:
        async with self.db.reader.execute(f"SELECT count(*) FROM requests {where}", params) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _select(self, conn: Connection, sql: str, params: Sequence[Any]) -> list[ApprovalRequest]:
        async with conn.execute(sql, params) as cursor:
            rows = list(await cursor.fetchall())
        files = await _attachments(conn, [row[0] for row in rows])
        return [_request(row, files.get(row[0], [])) for row in rows]


async def _attachments(conn: Connection, ids: Iterable[int]) -> dict[int, list[Attachment]]:
    wanted = list(ids)
    found: dict[int, list[Attachment]] = {}
    if not wanted:
        return found
    marks = ", ".join("?" for _ in wanted)
    async with conn.execute(
        "SELECT request_id, file_id, name, size, mime, unique_id, uploaded_at, sha256 FROM attachments "
        f"WHERE request_id IN ({marks}) ORDER BY id",
        wanted,
    ) as cursor:
        for request_id, file_id, name, size, mime, unique_id, uploaded_at, sha256 in await cursor.fetchall():
            found.setdefault(request_id, []).append(
                Attachment.model_construct(
                    file_id=file_id,
                    name=name,
                    size=size,
                    mime=mime,
                    unique_id=unique_id,
                    uploaded_at=unstamp(uploaded_at) if uploaded_at else None,
                    sha256=sha256,
                )
            )
    return found


async def _insert_attachments(conn: InlineConnection, request_id: int, files: Iterable[Attachment]) -> bool:
    """The request's new documents and, in the same transaction, the bureau's copy of each still to make (the
    obligation is stored with the document: a crash cannot lose it). True when there was any."""
    copies = []
    for f in files:
        cursor = await conn.execute(
            "INSERT INTO attachments (request_id, file_id, name, size, mime, unique_id, uploaded_at, sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                f.file_id,
                f.name,
                f.size,
                f.mime,
                f.unique_id,
                stamp(f.uploaded_at) if f.uploaded_at else None,
                f.sha256,
            ),
        )
        copies.append((cursor.lastrowid,))
    await conn.executemany("INSERT INTO file_copies (attachment_id) VALUES (?)", copies)
    return bool(copies)
