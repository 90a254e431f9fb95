"""Where request cards were posted (the reviewers' group, reviewers' private chats).

A card is recorded in the same transaction that marks its outbox row sent: a crash between the two would
otherwise post the card again and lose the first copy's id. A copy the bot sent but could not record (killed in
the instant between Telegram's answer and the commit) is adopted the first time someone presses one of its
buttons (``handlers/cards.py``): recorded, and redrawn to the request's state.
"""

from __future__ import annotations

from datetime import datetime

from storage.codec import stamp
from storage.database import Database
from storage.group_commit import GroupCommit
from storage.outbox import SENT, Outgoing, enqueue
from storage.unit import write

ADD = "INSERT OR IGNORE INTO cards (request_id, chat_id, message_id) VALUES (?, ?, ?)"


class SqliteCardStore:
    def __init__(self, db: Database, committer: GroupCommit) -> None:
        self.db = db
        self.committer = committer

    async def add(self, request_id: int, chat_id: int, message_id: int) -> None:
        """Into the current update's writes (committed with its other writes), else committed now."""
        await write(self.committer, ADD, (request_id, chat_id, message_id))

    async def posted(self, outbox_row: int, request_id: int, chat_id: int, message_id: int, now: datetime) -> None:
        """The card an outbox row stood for is out: remember it and mark the row sent, in one transaction."""
        await self.committer.commit([(ADD, (request_id, chat_id, message_id)), (SENT, (stamp(now), outbox_row))])

    async def adopt(self, request_id: int, chat_id: int, message_id: int, now: datetime) -> bool:
        """Record a copy found on screen and queue its redraw, in one transaction. False if it was known."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(ADD, (request_id, chat_id, message_id))
            if cursor.rowcount != 1:
                return False
            await enqueue(
                conn, [Outgoing(chat_id, kind="edit_card", request_id=request_id, edit_message_id=message_id)], now
            )
        self.db.poke_outbox()
        return True

    async def known(self, request_id: int, chat_id: int, message_id: int) -> bool:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT 1 FROM cards WHERE request_id = ? AND chat_id = ? AND message_id = ?",
                (request_id, chat_id, message_id),
            ) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def of(self, request_id: int) -> list[tuple[int, int]]:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT chat_id, message_id FROM cards WHERE request_id = ? ORDER BY rowid", (request_id,)
            ) as cursor,
        ):
            return [(chat, message) for chat, message in await cursor.fetchall()]

    async def highest_message_id(self) -> int:
        """The highest message id any card or queued edit names (0 with none): a stand-in Telegram that forgot its
        messages (the sandbox, restarted) continues above it, so no new message takes an old card's id."""
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT max(coalesce((SELECT max(message_id) FROM cards), 0),"
                " coalesce((SELECT max(edit_message_id) FROM outbox), 0))"
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0
