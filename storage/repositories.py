"""The repositories over one database, handed around as one object."""

from __future__ import annotations

from dataclasses import dataclass

from storage.cards import SqliteCardStore
from storage.checklists import SqliteChecklists
from storage.copies import SqliteCopies
from storage.database import Database
from storage.group_commit import GroupCommit
from storage.inbox import SqliteInbox
from storage.key_projects import SqliteKeyProjectStore
from storage.leadership import SqliteLeadershipSource
from storage.notes import SqliteNoteStore
from storage.notices import SqliteNoticeStore
from storage.numbers import SqliteApprovalNumbers
from storage.outbox import SqliteChats, SqliteOutbox
from storage.papers import SqlitePapers
from storage.people import SqlitePeopleStore
from storage.quota import SqliteQuotaStore
from storage.replies import SqliteReplies
from storage.requests import SqliteApprovalStore
from storage.runs import SqliteRuns, SqliteSubscribers
from storage.summary import SqliteSummarySource
from storage.updates import SqliteDenials, SqliteUpdates


@dataclass(frozen=True)
class Repositories:
    db: Database
    committer: GroupCommit  # small per-update writes, committed many updates at a time
    requests: SqliteApprovalStore
    people: SqlitePeopleStore
    key_projects: SqliteKeyProjectStore
    summary: SqliteSummarySource
    cards: SqliteCardStore
    outbox: SqliteOutbox
    chats: SqliteChats
    updates: SqliteUpdates
    denials: SqliteDenials
    runs: SqliteRuns
    subscribers: SqliteSubscribers
    inbox: SqliteInbox
    replies: SqliteReplies
    notes: SqliteNoteStore
    copies: SqliteCopies  # the bureau's copies of documents still to make
    numbers: SqliteApprovalNumbers  # the register of approval numbers issued
    checklists: SqliteChecklists  # the standard materials a list of missing material is ticked from
    notices: SqliteNoticeStore  # public notices, and the comments and hearing requests they drew
    papers: SqlitePapers  # the written notices (文书) issued, with their files' hashes
    quota: SqliteQuotaStore  # pollutant quotas (总量控制): balance, ledger, holds, reduction projects
    leadership: SqliteLeadershipSource  # time to decision, investment approved (approvals/leadership.py)

    @classmethod
    def over(cls, db: Database) -> Repositories:
        committer = GroupCommit(db)
        return cls(
            db=db,
            committer=committer,
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
        )
