"""A pending row's due time as the sender reads it: a stamp, at once when empty, and at once (logged) when a row
holds a time that cannot be read — never a failure of every send pass for every chat."""

from datetime import UTC, datetime

import pytest

from storage.database import Database
from storage.ports import Outgoing
from storage.repositories import Repositories

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


async def test_due_times_are_read_and_an_unreadable_one_is_due_at_once(
    db: Database, repos: Repositories, caplog: pytest.LogCaptureFixture
) -> None:
    await repos.outbox.add([Outgoing(chat_id=n, text=f"m{n}") for n in (1, 2, 3)], NOW)
    rows = await repos.outbox.pending()
    await repos.outbox.retry_at(rows[0].id, datetime(2026, 12, 2, 3, 5, tzinfo=UTC), "429")
    await db.run_transaction(lambda c: c.execute("UPDATE outbox SET next_attempt_at = '' WHERE id = ?", (rows[1].id,)))
    await db.run_transaction(
        lambda c: c.execute("UPDATE outbox SET next_attempt_at = 'yesterday' WHERE id = ?", (rows[2].id,))
    )
    due = {row.message.chat_id: row.next_attempt_at for row in await repos.outbox.pending()}
    assert due == {1: datetime(2026, 12, 2, 3, 5, tzinfo=UTC), 2: None, 3: None}
    assert "unreadable next_attempt_at 'yesterday'" in caplog.text
