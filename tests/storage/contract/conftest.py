"""The storage contract: each test here gets a fresh store on SQLite and, when the run has TEST_DATABASE_URL, on
PostgreSQL (``backend_kind`` is generated in tests/conftest.py: without a server the leg is left out and the
terminal summary says so). The same assertions run on both, so a second dialect cannot drift from the first.

``Backend`` gives the repositories under test and the few things a test needs to see or arrange around them
that no port offers (the outbox's pending rows, a request to hang notes on, a card, a notice a step opened, a
document with its copy to make, an injected write fault)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from approvals.board import BoardReader
from approvals.checklists import ChecklistStore
from approvals.leadership import LeadershipSource
from approvals.models import ApprovalRequest, AuditEvent, Lane
from approvals.notices import Notice
from approvals.ports import ApprovalStore, KeyProjectStore, NoteStore, NoticeStore, PeopleStore, SummarySource
from approvals.quota import QuotaClaim, QuotaMove
from approvals.quota_service import QuotaStore
from paperwork.issued import PaperStore
from storage import quota as sqlite_quota
from storage.codec import stamp
from storage.database import Database
from storage.group_commit import GroupCommit
from storage.notices import insert_notices
from storage.outbox import Outgoing
from storage.ports import (
    ApprovalNumbers,
    CardStore,
    Chats,
    Copies,
    Denials,
    Health,
    Inbox,
    KeyServiceRecords,
    Outbox,
    Replies,
    Runs,
    Subscribers,
    Units,
    Updates,
)
from storage.postgres import notices as pg_notices
from storage.postgres import quota as pg_quota
from storage.postgres.board import PostgresBoardReader
from storage.postgres.cards import PostgresCardStore
from storage.postgres.chats import PostgresChats
from storage.postgres.checklists import PostgresChecklists
from storage.postgres.committer import PostgresCommitter
from storage.postgres.copies import PostgresCopies
from storage.postgres.denials import PostgresDenials
from storage.postgres.health import PostgresHealth
from storage.postgres.key_projects import PostgresKeyProjectStore
from storage.postgres.key_service import PostgresKeyService
from storage.postgres.leadership import PostgresLeadershipSource
from storage.postgres.notes import PostgresNoteStore
from storage.postgres.notices import PostgresNoticeStore
from storage.postgres.numbers import PostgresApprovalNumbers
from storage.postgres.outbox import PostgresOutbox
from storage.postgres.papers import PostgresPapers
from storage.postgres.people import PostgresPeopleStore
from storage.postgres.pool import open_pool
from storage.postgres.quota_store import PostgresQuotaStore
from storage.postgres.replies import PostgresReplies
from storage.postgres.requests import PostgresApprovalStore, StepWriters
from storage.postgres.runs import PostgresRuns, PostgresSubscribers
from storage.postgres.summary import PostgresSummarySource
from storage.postgres.updates import PostgresInbox, PostgresUpdates
from storage.repositories import Repositories
from storage.unit import Units as WriteUnits
from tests.conftest import SHANGHAI
from tests.factories import APPLICANT, make_draft
from tests.faults import refusing_messages_to
from tests.servers import pg_space

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def sent(message: Outgoing) -> tuple[Any, ...]:
    """What a test compares of a queued message (reply markup and payloads are JSON each dialect may respace)."""
    return (message.chat_id, message.kind, message.text, message.request_id, message.edit_message_id)


@dataclass
class Backend:
    """The repositories under test, and what a test arranges or inspects around them."""

    kind: str
    people: PeopleStore
    notes: NoteStore
    key_projects: KeyProjectStore
    runs: Runs
    subscribers: Subscribers
    denials: Denials
    fault: type[Exception]  # what a write raises while ``refusing_messages_to`` refuses its outbox rows
    updates: Updates
    inbox: Inbox
    replies: Replies
    units: Units  # each update's unit of work, over the backend's committer
    requests: ApprovalStore
    numbers: ApprovalNumbers  # the register of approval numbers issued
    notices: NoticeStore
    papers: PaperStore
    copies: Copies
    checklists: ChecklistStore
    chats: Chats
    quota: QuotaStore
    key_service: KeyServiceRecords  # reads days in Asia/Shanghai
    summary: SummarySource
    leadership: LeadershipSource
    board: BoardReader
    health: Health
    cards: CardStore
    outbox: Outbox  # the sender's side: what ``cards.posted`` marks sent

    async def close(self) -> None:
        """Before the database closes: what the store holds of it (PostgreSQL's outbox: its sender connection)."""

    async def settled(self) -> None:
        """Wait until the writes left to be stored soon (a unit's end, rows stored ahead) are stored."""
        raise NotImplementedError

    async def queued(self) -> list[tuple[Any, ...]]:
        """The outbox's pending messages, oldest first, as ``sent`` gives them."""
        raise NotImplementedError

    async def request(self) -> int:
        """A request's id to hang notes, cards and reminders on (its announcement marked sent: not under test)."""
        request = ApprovalRequest(
            **make_draft().model_dump(),
            id=0,
            applicant_id=APPLICANT.user_id,
            lane=Lane.GREEN,
            submitted_at=NOW,
            updated_at=NOW,
            accepted_on=date(2026, 11, 30),
            promised_due=date(2026, 12, 14),
            statutory_due=date(2027, 1, 11),
        )
        event = AuditEvent(
            request_id=0, actor_id=1, at=NOW, action="submit", from_status=None, to_status=request.status
        )
        stored = await self.requests.add(request, event)
        await self.rows("UPDATE outbox SET status = 'sent' WHERE kind = 'event'")
        return stored.id

    async def add_card(self, request_id: int, chat_id: int, message_id: int) -> None:
        raise NotImplementedError

    async def open_notices(self, notices: list[Notice], approval_number: str | None = None) -> None:
        """The notices a step opens, as ``ApprovalStore.apply`` writes them with it."""
        raise NotImplementedError

    async def add_document(self, request_id: int, name: str, size: int, sha256: str | None) -> int:
        """An attachment of the request and its copy to make, as ``add`` or ``apply`` writes them; its id."""
        raise NotImplementedError

    def refusing_messages_to(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        """Every outbox row for ``chat_id`` fails to be written (``fault``) while this is open."""
        raise NotImplementedError

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """A statement without parameters, in SQL both dialects read alike, run and committed on a connection of its
        own (what a test inspects, or tries behind the repositories' backs)."""
        raise NotImplementedError

    def another(self) -> AbstractAsyncContextManager[Backend]:
        """A second process's (instance's) store on the same database."""
        raise NotImplementedError

    async def declare(self, request_id: int, claim: QuotaClaim) -> None:
        """What request ``request_id`` declares of its discharges, written as the approval store writes it."""
        raise NotImplementedError

    async def move(self, request_id: int, move: QuotaMove, *, at: datetime) -> None:
        """A step's quota change, in a transaction of its own (the approval store makes it inside a decision's)."""
        raise NotImplementedError


class SqliteBackend(Backend):
    def __init__(self, db: Database) -> None:
        repos = Repositories.over(db, SHANGHAI)
        super().__init__(
            "sqlite",
            repos.people,
            repos.notes,
            repos.key_projects,
            repos.runs,
            repos.subscribers,
            repos.denials,
            sqlite3.IntegrityError,
            repos.updates,
            repos.inbox,
            repos.replies,
            repos.units,
            requests=repos.requests,
            numbers=repos.numbers,
            notices=repos.notices,
            papers=repos.papers,
            copies=repos.copies,
            checklists=repos.checklists,
            chats=repos.chats,
            quota=repos.quota,
            key_service=repos.key_service,
            summary=repos.summary,
            leadership=repos.leadership,
            board=repos.board,
            health=repos.health,
            cards=repos.cards,
            outbox=repos.outbox,
        )
        self.db = db
        self.repos = repos
        assert isinstance(repos.committer, GroupCommit)
        self.committer = repos.committer

    async def settled(self) -> None:
        await self.committer.stored()

    async def queued(self) -> list[tuple[Any, ...]]:
        return [sent(q.message) for q in await self.repos.outbox.pending()]

    async def add_card(self, request_id: int, chat_id: int, message_id: int) -> None:
        await self.repos.cards.add(request_id, chat_id, message_id)

    async def open_notices(self, notices: list[Notice], approval_number: str | None = None) -> None:
        async with self.db.transaction() as conn:
            await insert_notices(conn, notices, approval_number)

    async def add_document(self, request_id: int, name: str, size: int, sha256: str | None) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO attachments (request_id, file_id, name, size, mime, unique_id, uploaded_at, sha256) "
                "VALUES (?, ?, ?, ?, 'application/pdf', ?, ?, ?)",
                (request_id, f"file-{name}", name, size, f"u-{name}", stamp(NOW), sha256),
            )
            assert cursor.lastrowid is not None
            await conn.execute("INSERT INTO file_copies (attachment_id) VALUES (?)", (cursor.lastrowid,))
        return cursor.lastrowid

    def refusing_messages_to(self, chat_id: int) -> AbstractAsyncContextManager[None]:
        return refusing_messages_to(self.db, chat_id)

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.db.path, timeout=30)) as conn, conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]

    @asynccontextmanager
    async def another(self) -> AsyncIterator[Backend]:  # type: ignore[override]
        other = await Database.open(self.db.path)
        try:
            yield SqliteBackend(other)
        finally:
            await other.close()

    async def declare(self, request_id: int, claim: QuotaClaim) -> None:
        async with self.db.transaction() as conn:
            await sqlite_quota.write_claim(conn, request_id, claim)

    async def move(self, request_id: int, move: QuotaMove, *, at: datetime) -> None:
        async with self.db.transaction() as conn:
            await sqlite_quota.apply_move(conn, request_id, move, by=(1, "审批员"), at=at, reason="")


class PostgresBackend(Backend):
    def __init__(self, pool: asyncpg.Pool, url: str, schema: str) -> None:
        committer = PostgresCommitter(pool)
        outbox = PostgresOutbox(pool)
        super().__init__(
            "postgres",
            PostgresPeopleStore(pool),
            PostgresNoteStore(pool),
            PostgresKeyProjectStore(pool),
            PostgresRuns(pool),
            PostgresSubscribers(pool),
            PostgresDenials(pool),
            asyncpg.RaiseError,
            PostgresUpdates(pool, committer),
            PostgresInbox(pool, committer),
            PostgresReplies(pool),
            WriteUnits(committer),
            requests=PostgresApprovalStore(
                pool,
                StepWriters(notices=pg_notices.insert_notices, claim=pg_quota.write_claim, move=pg_quota.apply_move),
            ),
            numbers=PostgresApprovalNumbers(pool),
            notices=PostgresNoticeStore(pool),
            papers=PostgresPapers(pool),
            copies=PostgresCopies(pool),
            checklists=PostgresChecklists(pool),
            chats=PostgresChats(pool),
            quota=PostgresQuotaStore(pool),
            key_service=PostgresKeyService(pool, SHANGHAI),
            summary=PostgresSummarySource(pool),
            leadership=PostgresLeadershipSource(pool),
            board=PostgresBoardReader(pool),
            health=PostgresHealth(pool),
            cards=PostgresCardStore(pool, committer, outbox),
            outbox=outbox,
        )
        self.pg_outbox = outbox
        self.pool, self.url, self.schema = pool, url, schema
        self.committer = committer

    async def settled(self) -> None:
        await self.committer.stored()

    async def close(self) -> None:
        await self.pg_outbox.close()  # its leader connection back to the pool, or the pool's close waits for it

    async def queued(self) -> list[tuple[Any, ...]]:
        rows = await self.pool.fetch(
            "SELECT chat_id, kind, text, request_id, edit_message_id FROM outbox WHERE status = 'pending' ORDER BY id"
        )
        return [tuple(row) for row in rows]

    async def add_card(self, request_id: int, chat_id: int, message_id: int) -> None:
        await self.pool.execute(
            "INSERT INTO cards (request_id, chat_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            request_id,
            chat_id,
            message_id,
        )

    async def open_notices(self, notices: list[Notice], approval_number: str | None = None) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await pg_notices.insert_notices(conn, notices, approval_number)

    async def add_document(self, request_id: int, name: str, size: int, sha256: str | None) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            attachment_id: int = await conn.fetchval(
                "INSERT INTO attachments (request_id, file_id, name, size, mime, unique_id, uploaded_at, sha256) "
                "VALUES ($1, $2, $3, $4, 'application/pdf', $5, $6, $7) RETURNING id",
                request_id,
                f"file-{name}",
                name,
                size,
                f"u-{name}",
                NOW,
                sha256,
            )
            await conn.execute("INSERT INTO file_copies (attachment_id) VALUES ($1)", attachment_id)
        return attachment_id

    @asynccontextmanager
    async def refusing_messages_to(self, chat_id: int) -> AsyncIterator[None]:  # type: ignore[override]
        await self.pool.execute(
            "CREATE FUNCTION refuse_chat() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.chat_id = {int(chat_id)} THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$;"
            "CREATE TRIGGER refuse_chat BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_chat()"
        )
        try:
            yield
        finally:
            await self.pool.execute("DROP TRIGGER refuse_chat ON outbox; DROP FUNCTION refuse_chat()")

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self.pool.fetch(sql)]

    @asynccontextmanager
    async def another(self) -> AsyncIterator[Backend]:  # type: ignore[override]
        """A pool of its own on the same schema."""
        pool = await open_pool(self.url, schema=self.schema, min_size=2, max_size=6)
        try:
            other = PostgresBackend(pool, self.url, self.schema)
            yield other
            await other.close()
        finally:
            await pool.close()

    async def declare(self, request_id: int, claim: QuotaClaim) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await pg_quota.write_claim(conn, request_id, claim)

    async def move(self, request_id: int, move: QuotaMove, *, at: datetime) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await pg_quota.apply_move(conn, request_id, move, by=(1, "审批员"), at=at, reason="")


@pytest.fixture
async def backend(backend_kind: str, tmp_path: Path, run_name: str) -> AsyncIterator[Backend]:
    if backend_kind == "sqlite":
        db = await Database.open(tmp_path / "green.db")
        try:
            yield SqliteBackend(db)
        finally:
            await db.close()
        return
    async with pg_space(run_name) as (url, schema):
        pool = await open_pool(url, schema=schema, min_size=2, max_size=6)
        try:
            backend = PostgresBackend(pool, url, schema)
            yield backend
            await backend.close()
        finally:
            await pool.close()
