"""The repositories over one database, handed around as one object. Its fields are ports (Protocols): nothing
outside ``storage/`` learns which database is behind them; ``over`` builds the SQLite ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo

from aiogram.fsm.storage.base import BaseStorage

from approvals.board import BoardReader
from approvals.checklists import ChecklistStore
from approvals.leadership import LeadershipSource
from approvals.ports import ApprovalStore, KeyProjectStore, NoteStore, NoticeStore, PeopleStore, SummarySource
from approvals.quota_service import QuotaStore
from paperwork.issued import PaperStore
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
from storage.ports import (
    ApprovalNumbers,
    CardStore,
    Chats,
    Committer,
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
from storage.quota import SqliteQuotaStore
from storage.replies import SqliteReplies
from storage.requests import SqliteApprovalStore
from storage.runs import SqliteRuns, SqliteSubscribers
from storage.summary import SqliteSummarySource
from storage.unit import Units as WriteUnits
from storage.updates import SqliteDenials, SqliteUpdates


@dataclass(frozen=True)
class Repositories:
    committer: Committer  # small per-update writes, committed many updates at a time
    units: Units  # each update's unit of work, over the committer
    requests: ApprovalStore
    people: PeopleStore
    key_projects: KeyProjectStore
    summary: SummarySource
    cards: CardStore
    outbox: Outbox
    chats: Chats
    updates: Updates
    denials: Denials
    runs: Runs
    subscribers: Subscribers
    inbox: Inbox
    replies: Replies
    notes: NoteStore
    copies: Copies  # the bureau's copies of documents still to make
    numbers: ApprovalNumbers  # the register of approval numbers issued
    checklists: ChecklistStore  # the standard materials a list of missing material is ticked from
    notices: NoticeStore  # public notices, and the comments and hearing requests they drew
    papers: PaperStore  # the written notices (文书) issued, with their files' hashes
    quota: QuotaStore  # pollutant quotas (总量控制): balance, ledger, holds, reduction projects
    leadership: LeadershipSource  # time to decision, investment approved (approvals/leadership.py)
    key_service: KeyServiceRecords  # liaisons, consultations, bulletins (approvals/key_service.py)
    board: BoardReader  # the public notice board's reads (approvals/board.py)
    health: Health  # what the health endpoint reads and probes (monitoring/)
    forms: Callable[[], BaseStorage]  # a new aiogram FSM storage (one per dispatcher: it caches form state)

    @classmethod
    def over(cls, db: Database, tz: tzinfo = UTC) -> Repositories:
        """``tz``: the bureau's time zone, the days the key-project service reads (UTC only where none are read)."""
        committer = GroupCommit(db)
        return cls(
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
