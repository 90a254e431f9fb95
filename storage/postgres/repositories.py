"""The repositories over one PostgreSQL pool (``storage.repositories.Repositories``), as ``Repositories.over``
builds SQLite's. Form state is not kept here: several instances share it through Redis (``coordination/``), which
``DATABASE_URL`` requires (config.py), so ``forms`` is None."""

from __future__ import annotations

from datetime import tzinfo

import asyncpg

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
from storage.postgres.quota_store import PostgresQuotaStore
from storage.postgres.replies import PostgresReplies
from storage.postgres.requests import PostgresApprovalStore, StepWriters
from storage.postgres.runs import PostgresRuns, PostgresSubscribers
from storage.postgres.summary import PostgresSummarySource
from storage.postgres.updates import PostgresInbox, PostgresUpdates
from storage.repositories import Repositories
from storage.unit import Units


def postgres_repositories(pool: asyncpg.Pool, tz: tzinfo) -> Repositories:
    """``tz``: the bureau's time zone, the days the key-project service reads. The outbox's sender lock and its
    listening connection are taken at its first pass: ``PostgresOutbox.close`` gives them back, before the pool
    closes (``storage/open.py``)."""
    committer = PostgresCommitter(pool)
    outbox = PostgresOutbox(pool)
    writers = StepWriters(notices=pg_notices.insert_notices, claim=pg_quota.write_claim, move=pg_quota.apply_move)
    return Repositories(
        committer=committer,
        units=Units(committer),
        requests=PostgresApprovalStore(pool, writers),
        people=PostgresPeopleStore(pool),
        key_projects=PostgresKeyProjectStore(pool),
        summary=PostgresSummarySource(pool),
        cards=PostgresCardStore(pool, committer, outbox),
        outbox=outbox,
        chats=PostgresChats(pool),
        updates=PostgresUpdates(pool, committer),
        denials=PostgresDenials(pool),
        runs=PostgresRuns(pool),
        subscribers=PostgresSubscribers(pool),
        inbox=PostgresInbox(pool, committer),
        replies=PostgresReplies(pool),
        notes=PostgresNoteStore(pool),
        copies=PostgresCopies(pool),
        numbers=PostgresApprovalNumbers(pool),
        checklists=PostgresChecklists(pool),
        notices=PostgresNoticeStore(pool),
        papers=PostgresPapers(pool),
        quota=PostgresQuotaStore(pool),
        leadership=PostgresLeadershipSource(pool),
        key_service=PostgresKeyService(pool, tz),
        board=PostgresBoardReader(pool),
        health=PostgresHealth(pool),
        forms=None,
    )
