"""The bureau's own copies: files named by their hash, written whole and once, owner-only; the obligation to make
each is a row written with its document, and a copy made is recorded with the attachment and the audit log at once."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from approvals.models import Attachment, Status
from approvals.service import ApprovalService
from storage.blobs import BlobStore, ContentChanged
from storage.database import Database
from storage.inline import InlineConnection
from storage.migrations import MIGRATIONS, migrate
from storage.repositories import Repositories
from tests.factories import APPLICANT, make_draft

DATA = b"%PDF-1.4 the bureau keeps this\n%%EOF\n"
DIGEST = hashlib.sha256(DATA).hexdigest()
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def test_a_copy_is_named_by_its_hash_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "files")
    assert not store.root.exists()  # nothing made before the first copy
    assert store.keep(DATA, DIGEST) == (DIGEST, True)
    kept = tmp_path / "files" / DIGEST[:2] / DIGEST[2:]
    assert kept.read_bytes() == DATA
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # not even executable by its owner
    for directory in (kept.parent, store.root):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert [p.name for p in kept.parent.iterdir()] == [DIGEST[2:]]  # no temporary file left beside it


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    store.keep(DATA)
    kept = store.path_of(DIGEST)
    before = kept.stat()
    assert store.keep(DATA) == (DIGEST, False)  # recognised, not written again
    after = kept.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_bytes_other_than_those_checked_at_receipt_are_not_kept(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "files")
    with pytest.raises(ContentChanged):
        store.keep(DATA + b"tampered", DIGEST)
    assert not store.root.exists()


def test_a_copy_cut_short_is_replaced_by_the_whole_one(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    partial = store.path_of(DIGEST)
    partial.parent.mkdir(parents=True)
    partial.write_bytes(DATA[:5])  # what a copier without the rename would leave after a crash
    assert store.keep(DATA) == (DIGEST, True)
    assert partial.read_bytes() == DATA


@pytest.mark.parametrize("name", ["../../etc/passwd", "AB" * 32, DIGEST[:-1], ""])
def test_only_a_sha256_names_a_copy(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a SHA-256"):
        BlobStore(tmp_path).path_of(name)


def document(n: int, sha256: str | None = DIGEST) -> Attachment:
    return Attachment(file_id=f"file-{n}", name=f"doc{n}.pdf", size=len(DATA), unique_id=f"u{n}", sha256=sha256)


async def test_each_document_stored_comes_with_its_copy_to_make(service: ApprovalService, repos: Repositories) -> None:
    request = await service.submit(APPLICANT, make_draft(attachments=(document(1),)))
    await service.add_material(APPLICANT, request.id, "", [document(2, hashlib.sha256(b"other").hexdigest())])
    due = await repos.copies.due(NOW)
    assert [(c.request_id, c.file_id, c.attempts) for c in due] == [
        (request.id, "file-1", 0),
        (request.id, "file-2", 0),
    ]
    assert due[0].sha256 == DIGEST  # what the copy must hash to


async def test_a_file_the_request_already_has_is_not_added_again(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft(attachments=(document(1),)))
    again = document(2)  # other name and Telegram id, the same bytes
    updated = await service.add_material(APPLICANT, request.id, "再次发送", [again])
    assert [a.file_id for a in updated.attachments] == ["file-1"]
    assert [a.file_id for a in (await service.requests.get(request.id)).attachments] == ["file-1"]


async def test_a_copy_made_is_recorded_with_the_attachment_and_the_audit_log_at_once(
    service: ApprovalService, repos: Repositories, db: Database
) -> None:
    request = await service.submit(APPLICANT, make_draft(attachments=(document(1, None),)))
    (copy,) = await repos.copies.due(NOW)
    await repos.copies.kept(copy, sha256=DIGEST, size=len(DATA), at=NOW)
    assert await repos.copies.due(NOW) == [] and await repos.copies.counts() == {}
    (file,) = (await service.requests.get(request.id)).attachments
    assert (file.sha256, file.size) == (DIGEST, len(DATA))
    last = (await service.requests.history(request.id))[-1]
    assert (last.action, last.actor_id, last.from_status, last.to_status) == (
        "keep_copy",
        0,
        Status.SUBMITTED,
        Status.SUBMITTED,
    )
    assert (last.file_name, last.sha256, last.file_size) == ("doc1.pdf", DIGEST, len(DATA))
    async with db.reader.execute(
        "SELECT count(*) FROM outbox WHERE kind = 'event' AND request_id = ?", (request.id,)
    ) as c:
        assert (await c.fetchone())[0] == 2  # the submission's and acceptance's notices only: none of a copy


async def test_a_copy_retried_waits_for_its_time_and_one_given_up_stays_on_record(
    service: ApprovalService, repos: Repositories
) -> None:
    await service.submit(APPLICANT, make_draft(attachments=(document(1),)))
    (copy,) = await repos.copies.due(NOW)
    await repos.copies.retry_at(copy.attachment_id, NOW + timedelta(seconds=4), "TelegramServerError('Bad Gateway')")
    assert await repos.copies.due(NOW) == []
    assert [c.attempts for c in await repos.copies.due(NOW + timedelta(seconds=4))] == [1]
    await repos.copies.give_up(copy.attachment_id, "invalid file_id")
    assert await repos.copies.due(NOW + timedelta(days=1)) == []
    assert await repos.copies.counts() == {"failed": 1}
    assert await repos.copies.next_attempt() is None


async def test_documents_on_record_before_the_upgrade_are_copied_too(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    old = InlineConnection(raw)
    for number, script in enumerate(MIGRATIONS[:10], start=1):  # a bureau's database at schema 10
        raw.executescript(script)
        raw.execute(f"PRAGMA user_version = {number}")
    raw.execute(
        "INSERT INTO requests (id, applicant_id, project_name, organisation, contact_name, phone, category, "
        "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
        "accepted_on, promised_due, statutory_due) VALUES (7, 101, 'p', 'o', 'c', '13812345678', 'other', "
        "'report_form', '1', 'l', 'd', 2, 'submitted', 1, '', '', '2026-11-30', '2026-12-14', '2027-01-12')"
    )
    raw.execute("INSERT INTO attachments (request_id, file_id, name, size, mime) VALUES (7, 'f', 'a.pdf', 3, 'x')")
    assert await migrate(old) == len(MIGRATIONS)
    assert raw.execute("SELECT attachment_id, status, next_attempt_at FROM file_copies").fetchall() == [
        (1, "pending", "")
    ]
    raw.close()
