"""The repositories over one SQLite database (``storage.repositories.Repositories``; ``Repositories.over``)."""

from __future__ import annotations

from datetime import UTC, tzinfo

from storage.board import SqliteBoardReader
from storage.cards import SqliteCardStore
from storage.checklists import SqliteChecklists
from storage.copies import SqliteCopies
from storage.database import Database
from storage.fsm import SqliteFsmStorage
from storage.group_commit import GroupCommit
from storage.health import SqliteHealth
from storage.inbox import SqliteInbox
from storage.key_projects import SqliteKeyProjectStore
from storage.key_service import SqliteKeyService
from storage.leadership import SqliteLeadershipSource
from storage.notes import SqliteNoteStore
from storage.notices import SqliteNoticeStore
from storage.numbers import SqliteApprovalNumbers
from storage.outbox import SqliteChats, SqliteOutbox
from storage.papers import SqlitePapers
from storage.people import SqlitePeopleStore
from storage.quota import SqliteQuotaStore
from storage.replies import SqliteReplies
from storage.repositories import Repositories
from storage.requests import SqliteApprovalStore
from storage.runs import SqliteRuns, SqliteSubscribers
from storage.summary import SqliteSummarySource
from storage.unit import Units as WriteUnits
from storage.updates import SqliteDenials, SqliteUpdates


def sqlite_repositories(db: Database, tz: tzinfo = UTC) -> Repositories:
    """``tz``: the bureau's time zone, the days the key-project service reads (UTC only where none are read)."""
    committer = GroupCommit(db)
    return Repositories(
        committer=committer,
        units=WriteUnits(committer),
        requests=SqliteApprovalStore(db),
        people=SqlitePeopleStore(db),
        key_projects=SqliteKeyProjectStore(db),
        summary=SqliteSummarySource(db),
        cards=SqliteCardStore(db, committer),
        outbox=SqliteOutbox(db, committer),
        chats=SqliteChats(db),
        updates=SqliteUpdates(db, committer),
        denials=SqliteDenials(db),
        runs=SqliteRuns(db),
        subscribers=SqliteSubscribers(db),
        inbox=SqliteInbox(db, committer),
        replies=SqliteReplies(db),
        notes=SqliteNoteStore(db),
        copies=SqliteCopies(db),
        numbers=SqliteApprovalNumbers(db),
        checklists=SqliteChecklists(db),
        notices=SqliteNoticeStore(db),
        papers=SqlitePapers(db),
        quota=SqliteQuotaStore(db),
        leadership=SqliteLeadershipSource(db),
        key_service=SqliteKeyService(db, tz),
        board=SqliteBoardReader(db),
        health=SqliteHealth(db),
        forms=lambda: SqliteFsmStorage(db, committer),
    )
