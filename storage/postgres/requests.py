"""Requests, their documents and their audit log on PostgreSQL: ``approvals.ports.ApprovalStore`` for several bot
instances on one database.

A step is one transaction that takes its locks in one order: the request's row (the compare-and-set ``UPDATE ...
WHERE id = $ AND version = $``), then the year's approval-number counter, then whatever the quota takes; everything
else it writes is new rows. Two instances deciding the same request: the second UPDATE waits for the first's row
lock, re-reads the row once the first commits, finds another version and changes nothing (None: exactly one wins).
Two steps on different requests share only the counter, taken last, so they cannot wait for each other in a cycle.
Counts are served by indexes, not counter rows (``schema_requests``).

Public notices and pollutant quotas are written by their own stores' code inside the step's transaction
(``StepWriters``); a step that needs one this store was not given is refused before anything is written."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

import asyncpg

from approvals.clock_stops import ClockStop
from approvals.models import ApprovalRequest, Attachment, AuditEvent, Status
from approvals.notices import Notice
from approvals.ports import NumberIssue
from approvals.quota import QuotaClaim, QuotaMove
from storage.postgres.audit import SELECT_EVENTS, event_of, insert_event
from storage.postgres.clock_stops import ALL_OPEN, OF_REQUEST, OPEN_OF_REQUEST, select_stops, write_stop
from storage.postgres.numbers import issue_number
from storage.postgres.request_rows import (
    INSERT,
    SELECT,
    UPDATE,
    attachments_of,
    insert_attachments,
    request_of,
    row_values,
)
from storage.postgres.rows import changed
from storage.postgres.search import find_requests
from storage.schema_terms import FINAL, OPEN

W = TypeVar("W")


class NoticeWriter(Protocol):
    async def __call__(self, conn: asyncpg.Connection, notices: Sequence[Notice], approval_number: str | None) -> None:
        """The notices a step opens, in its transaction (a decision's announcement takes the number issued)."""


class ClaimWriter(Protocol):
    async def __call__(self, conn: asyncpg.Connection, request_id: int, claim: QuotaClaim) -> None:
        """What a new request declares, in the transaction that stores it."""


class MoveWriter(Protocol):
    async def __call__(
        self,
        conn: asyncpg.Connection,
        request_id: int,
        move: QuotaMove,
        *,
        by: tuple[int, str],
        at: datetime,
        reason: str,
    ) -> None:
        """A step's quota change in its transaction; raises ``QuotaShortfall`` to roll the step back."""


@dataclass(frozen=True)
class StepWriters:
    """Other stores' writes that ride in a step's transaction; None: not stored on PostgreSQL (yet)."""

    notices: NoticeWriter | None = None
    claim: ClaimWriter | None = None
    move: MoveWriter | None = None


class PostgresApprovalStore:
    """Implements ``approvals.ports.ApprovalStore``."""

    def __init__(self, pool: asyncpg.Pool, writers: StepWriters = StepWriters()) -> None:
        self.pool = pool
        self.writers = writers

    async def add(self, request: ApprovalRequest, event: AuditEvent) -> ApprovalRequest:
        claim = _needed(self.writers.claim, request.quota, "quota claim")
        async with self.pool.acquire() as conn, conn.transaction():
            # a form submitted again (double press, redelivered update, another instance at the same moment): the
            # unique client_key makes the later insert wait for the first and then do nothing
            request_id = await conn.fetchval(INSERT, *row_values(request))
            if request_id is None:
                existing = await conn.fetchval("SELECT id FROM requests WHERE client_key = $1", request.client_key)
                return request.model_copy(update={"id": int(existing)})
            await insert_attachments(conn, request_id, request.attachments)
            if claim is not None and request.quota is not None:
                await claim(conn, request_id, request.quota)
            await insert_event(conn, event.model_copy(update={"request_id": request_id}))
        return request.model_copy(update={"id": int(request_id)})

    async def get(self, request_id: int) -> ApprovalRequest | None:
        found = await self._select(f"{SELECT} WHERE id = $1", request_id)
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
        write_notices = _needed(self.writers.notices, notices, "notices")
        move = _needed(self.writers.move, quota, "quota move")
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(UPDATE, *row_values(updated), updated.id, expected_version)
            if changed(status) != 1:
                return None  # someone else changed it first; nothing written, no number taken
            if issue is not None:  # after the compare-and-set won: a lost race takes no number
                number = await issue_number(conn, issue, updated.id, event.at)
                await conn.execute("UPDATE requests SET approval_number = $1 WHERE id = $2", number, updated.id)
                updated = updated.model_copy(update={"approval_number": number})
                event = event.model_copy(update={"approval_number": number})
            if move is not None and quota is not None:  # a shortfall raises and rolls the step back
                await move(
                    conn, updated.id, quota, by=(event.actor_id, event.actor_name), at=event.at, reason=event.action
                )
            await insert_attachments(conn, updated.id, new_attachments)
            if clock is not None:  # before the event: its notice reads the stop
                await write_stop(conn, clock)
            await insert_event(conn, event)
            if write_notices is not None:
                await write_notices(conn, notices, updated.approval_number)
        return updated

    async def open_clock_stop(self, request_id: int) -> ClockStop | None:
        found = await select_stops(self.pool, OPEN_OF_REQUEST, request_id)
        return found[0] if found else None

    async def open_clock_stops(self, *, limit: int) -> list[ClockStop]:
        return await select_stops(self.pool, ALL_OPEN, limit)

    async def clock_stops_of(self, request_id: int) -> list[ClockStop]:
        return await select_stops(self.pool, OF_REQUEST, request_id)

    async def by_applicant(self, applicant_id: int, *, limit: int, offset: int = 0) -> list[ApprovalRequest]:
        return await self._select(
            f"{SELECT} WHERE applicant_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3", applicant_id, limit, offset
        )

    async def undecided_of(self, applicant_id: int) -> list[ApprovalRequest]:
        return await self._select(
            f"{SELECT} WHERE applicant_id = $1 AND status NOT IN {FINAL} ORDER BY id DESC LIMIT 100", applicant_id
        )

    async def find(self, *, text: str, status: Status | None, limit: int) -> tuple[list[ApprovalRequest], bool]:
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            return await find_requests(conn, _select_on, SELECT, text=text, status=status, limit=limit)

    async def history(self, request_id: int) -> list[AuditEvent]:
        rows = await self.pool.fetch(f"{SELECT_EVENTS} WHERE request_id = $1 ORDER BY id", request_id)
        return [event_of(row) for row in rows]

    async def event(self, event_id: int) -> AuditEvent | None:
        row = await self.pool.fetchrow(f"{SELECT_EVENTS} WHERE id = $1", event_id)
        return event_of(row) if row else None

    async def last_events(self, request_ids: Sequence[int], actions: Collection[str]) -> dict[int, AuditEvent]:
        ids, kinds = list(request_ids), list(actions)
        if not ids or not kinds:
            return {}
        rows = await self.pool.fetch(
            f"SELECT DISTINCT ON (request_id) {SELECT_EVENTS.removeprefix('SELECT ')} "
            "WHERE request_id = ANY($1::bigint[]) AND action = ANY($2::text[]) ORDER BY request_id, id DESC",
            ids,
            kinds,
        )
        return {event.request_id: event for event in map(event_of, rows)}

    async def with_status(self, statuses: Collection[Status], *, limit: int) -> list[ApprovalRequest]:
        """Requests in any of ``statuses``, oldest first: one walk of requests_status_id per status."""
        found: list[ApprovalRequest] = []
        for status in statuses:
            found += await self._select(f"{SELECT} WHERE status = $1 ORDER BY id LIMIT $2", status.value, limit)
        return sorted(found, key=lambda r: r.id)[:limit]

    async def claimed_by(self, user_id: int) -> list[ApprovalRequest]:
        # along requests_claimed
        return await self._select(f"{SELECT} WHERE claimed_by = $1 AND status = 'in_review' ORDER BY id", user_id)

    async def queue(
        self,
        *,
        risk_cutoff: date,
        limit: int,
        offset: int = 0,
        unclaimed_only: bool = False,
        exclude_applicant: int | None = None,
    ) -> list[ApprovalRequest]:
        """``lanes.queue_key`` order in two index walks, as on SQLite: the at-risk part along requests_queue_due,
        then the rest along requests_queue_lane; the three reads see one snapshot, so pages do not overlap."""
        # unclaimed_only (/next claims what it finds): a received request is accepted or listed, not claimed
        status = f"{OPEN} AND status NOT IN ('in_review', 'received', 'in_notice')" if unclaimed_only else OPEN
        # a reviewer's own requests are filtered as the index walk meets them (/next: no self-review)
        mine = "" if exclude_applicant is None else " AND applicant_id <> $2"
        also = () if exclude_applicant is None else (exclude_applicant,)
        at_risk = f"WHERE status IN {status} AND promised_due <= $1{mine}"
        n = len(also) + 2
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            risky = await _select_on(
                conn,
                f"{SELECT} {at_risk} ORDER BY promised_due, lane, submitted_at, id LIMIT ${n} OFFSET ${n + 1}",
                (risk_cutoff, *also, limit, offset),
            )
            if len(risky) == limit:
                return risky
            risky_count = int(await conn.fetchval(f"SELECT count(*) FROM requests {at_risk}", risk_cutoff, *also))
            rest = await _select_on(
                conn,
                f"{SELECT} WHERE status IN {status} AND promised_due > $1{mine} "
                f"ORDER BY lane, promised_due, submitted_at, id LIMIT ${n} OFFSET ${n + 1}",
                (risk_cutoff, *also, limit - len(risky), max(offset - risky_count, 0)),
            )
        return risky + rest

    async def count_open(self) -> int:
        # the open requests' partial index, read alone: no counter row that every step would lock
        return int(await self.pool.fetchval(f"SELECT count(*) FROM requests WHERE status IN {OPEN}"))

    async def all_requests(self) -> list[ApprovalRequest]:
        return await self._select(f"{SELECT} ORDER BY id")

    async def all_history(self) -> list[AuditEvent]:
        rows = await self.pool.fetch(f"{SELECT_EVENTS} ORDER BY request_id, id")
        return [event_of(row) for row in rows]

    async def _select(self, sql: str, *params: Any) -> list[ApprovalRequest]:
        # two statements without a transaction (two round trips, not four: ``get`` is read at every press):
        # documents are only ever added, so the second can only show one a step committed in between
        async with self.pool.acquire() as conn:
            return await _select_on(conn, sql, params)


def _needed(writer: W | None, needed: object, what: str) -> W | None:
    """``writer`` when the step has something for it (``needed``); refused, before anything is written, when this
    store was given none."""
    if not needed:
        return None
    if writer is None:
        raise NotImplementedError(f"this PostgreSQL approval store cannot write a step's {what}")
    return writer


async def _select_on(conn: asyncpg.Connection, sql: str, params: tuple[Any, ...]) -> list[ApprovalRequest]:
    """The requests ``sql`` reads, with their documents, on one connection."""
    rows = await conn.fetch(sql, *params)
    files = await attachments_of(conn, [row["id"] for row in rows])
    return [request_of(row, files.get(row["id"], [])) for row in rows]
