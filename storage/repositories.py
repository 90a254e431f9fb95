"""The repositories over one database, handed around as one object."""

from __future__ import annotations

from dataclasses import dataclass

from storage.cards import SqliteCardStore
from storage.database import Database
from storage.key_projects import SqliteKeyProjectStore
from storage.outbox import SqliteChats, SqliteOutbox
from storage.people import SqlitePeopleStore
from storage.requests import SqliteApprovalStore
from storage.runs import SqliteRuns, SqliteSubscribers
from storage.summary import SqliteSummarySource
from storage.updates import SqliteDenials, SqliteUpdates


@dataclass(frozen=True)
class Repositories:
    db: Database
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

    @classmethod
    def over(cls, db: Database) -> Repositories:
        return cls(
            db=db,
            requests=SqliteApprovalStore(db),
            people=SqlitePeopleStore(db),
            key_projects=SqliteKeyProjectStore(db),
            summary=SqliteSummarySource(db),
            cards=SqliteCardStore(db),
            outbox=SqliteOutbox(db),
            chats=SqliteChats(db),
            updates=SqliteUpdates(db),
            denials=SqliteDenials(db),
            runs=SqliteRuns(db),
            subscribers=SqliteSubscribers(db),
        )
