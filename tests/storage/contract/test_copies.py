"""The copies still to make, on every backend: each document's copy due at once, tried again when told, kept on
record when impossible, and recorded — with the attachment and the audit log, at once — exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.ports import PendingCopy
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
AT_ONCE = datetime.min.replace(tzinfo=UTC)
DIGEST = "5" * 64


async def kept_events(backend: Backend) -> list[tuple[object, ...]]:
    return await backend.rows(
        "SELECT request_id, actor_id, from_status, to_status, file_name, sha256, file_size FROM audit_events "
        "WHERE action = 'keep_copy' ORDER BY id"
    )


async def test_each_document_stored_comes_with_its_copy_to_make_due_at_once(backend: Backend) -> None:
    request, other = await backend.request(), await backend.request()
    assert await backend.copies.next_attempt() is None
    first = await backend.add_document(request, "环评报告书.pdf", 3_000_000, DIGEST)
    second = await backend.add_document(other, "附件.pdf", 12, None)  # received before hashes were kept
    assert await backend.copies.due(NOW) == [
        PendingCopy(first, request, "file-环评报告书.pdf", "环评报告书.pdf", 3_000_000, DIGEST, 0),
        PendingCopy(second, other, "file-附件.pdf", "附件.pdf", 12, None, 0),
    ]
    assert [c.attachment_id for c in await backend.copies.due(NOW, limit=1)] == [first]
    assert await backend.copies.next_attempt() == AT_ONCE
    assert await backend.copies.counts() == {"pending": 2}


async def test_a_copy_made_is_recorded_with_the_attachment_and_the_audit_log_at_once(backend: Backend) -> None:
    request = await backend.request()
    await backend.add_document(request, "doc1.pdf", 10, None)
    (copy,) = await backend.copies.due(NOW)
    await backend.copies.kept(copy, sha256=DIGEST, size=37, at=NOW)
    assert await backend.copies.due(NOW) == [] and await backend.copies.counts() == {}
    assert await backend.copies.next_attempt() is None
    assert await backend.rows("SELECT sha256, size FROM attachments") == [(DIGEST, 37)]
    (stored_at,) = await backend.rows("SELECT stored_at FROM attachments WHERE stored_at IS NOT NULL")
    assert stored_at  # a stamp or a timestamptz: when the bureau's copy was stored
    assert await kept_events(backend) == [(request, 0, "submitted", "submitted", "doc1.pdf", DIGEST, 37)]
    assert await backend.queued() == []  # no one is told of a copy


async def test_a_copy_recorded_twice_by_two_copiers_at_once_is_recorded_once(backend: Backend) -> None:
    request = await backend.request()
    await backend.add_document(request, "doc1.pdf", 37, DIGEST)
    (copy,) = await backend.copies.due(NOW)
    async with backend.another() as other:
        await asyncio.gather(
            backend.copies.kept(copy, sha256=DIGEST, size=37, at=NOW),
            other.copies.kept(copy, sha256=DIGEST, size=37, at=NOW + timedelta(seconds=1)),
        )
    await backend.copies.kept(copy, sha256=DIGEST, size=37, at=NOW + timedelta(seconds=2))  # and once more, later
    assert len(await kept_events(backend)) == 1
    assert await backend.copies.counts() == {}


async def test_a_copy_retried_waits_for_its_time_and_one_given_up_stays_on_record(backend: Backend) -> None:
    request = await backend.request()
    retried = await backend.add_document(request, "doc1.pdf", 37, DIGEST)
    waiting = await backend.add_document(request, "doc2.pdf", 37, DIGEST)
    later = NOW + timedelta(seconds=4, microseconds=250)
    await backend.copies.retry_at(retried, later, "TelegramServerError('Bad Gateway')")
    await backend.copies.retry_at(waiting, later + timedelta(minutes=1), "x" * 600)
    assert await backend.copies.due(NOW) == []
    assert await backend.copies.next_attempt() == later
    assert [(c.attachment_id, c.attempts) for c in await backend.copies.due(later)] == [(retried, 1)]
    assert [c.attachment_id for c in await backend.copies.due(NOW + timedelta(days=1))] == [retried, waiting]
    await backend.copies.give_up(retried, "invalid file_id")
    assert [c.attachment_id for c in await backend.copies.due(NOW + timedelta(days=1))] == [waiting]
    assert await backend.copies.counts() == {"failed": 1, "pending": 1}
    assert await backend.copies.next_attempt() == later + timedelta(minutes=1)
    errors = await backend.rows("SELECT attempts, last_error FROM file_copies ORDER BY attachment_id")
    assert errors == [(2, "invalid file_id"), (1, "x" * 500)]  # the reason kept for the bureau, cut short
    await backend.copies.give_up(waiting, "file is too big")
    assert await backend.copies.next_attempt() is None
