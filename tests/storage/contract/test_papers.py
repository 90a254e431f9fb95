"""The register of written notices, on every backend: one document per request, kind and step, however often (or by
however many instances at once) it is recorded; its two hashes in the audit log, no one told; append-only."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from paperwork.issued import IssuedPaper
from paperwork.kinds import PaperKind
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def paper(
    request_id: int, event_id: int, *, kind: PaperKind = PaperKind.ACCEPTANCE, pdf: str = "b" * 64
) -> IssuedPaper:
    return IssuedPaper(
        request_id=request_id,
        kind=kind,
        event_id=event_id,
        title="受理通知书",
        issued_on=date(2026, 11, 30),
        docx_sha256="a" * 64,
        docx_size=30_000,
        pdf_sha256=pdf,
        pdf_size=40_000,
    )


async def step(backend: Backend, request_id: int, action: str = "accept") -> int:
    """The audit event of the step that issues a document."""
    ((event_id,),) = await backend.rows(
        "INSERT INTO audit_events (request_id, actor_id, at, action, from_status, to_status) "
        f"VALUES ({request_id}, 201, '2026-11-30T02:00:00.000000Z', '{action}', 'submitted', 'submitted') RETURNING id"
    )
    return int(event_id)


async def filings(backend: Backend) -> list[tuple[object, ...]]:
    return await backend.rows(
        "SELECT request_id, actor_id, file_name, sha256, file_size, from_status, to_status FROM audit_events "
        "WHERE action = 'issue_paper' ORDER BY id"
    )


async def test_a_step_records_one_document_and_its_two_hashes_however_often_it_is_recorded(backend: Backend) -> None:
    request = await backend.request()
    accepted = await step(backend, request)
    first = await backend.papers.record(paper(request, accepted), NOW)
    assert first == replace(paper(request, accepted), id=first.id) and first.id > 0
    again = await backend.papers.record(paper(request, accepted, pdf="c" * 64), NOW)  # a second render
    assert again == first and first.pdf_sha256 == "b" * 64  # the first stays the one issued
    assert await backend.papers.of(request) == [first]
    assert await backend.papers.get(request, PaperKind.ACCEPTANCE, accepted) == first
    assert await backend.papers.get(request, PaperKind.COMPLETION, accepted) is None
    assert await filings(backend) == [
        (request, 0, f"受理通知书-{request}.docx", "a" * 64, 30_000, "submitted", "submitted"),
        (request, 0, f"受理通知书-{request}.pdf", "b" * 64, 40_000, "submitted", "submitted"),
    ]
    assert await backend.queued() == []  # no one is told of a filing


async def test_a_requests_documents_come_in_the_order_they_were_issued(backend: Backend) -> None:
    request, other = await backend.request(), await backend.request()
    accepted, approved = await step(backend, request), await step(backend, request, "approve")
    elsewhere = await step(backend, other)
    approval = await backend.papers.record(paper(request, approved, kind=PaperKind.APPROVAL), NOW)
    acceptance = await backend.papers.record(paper(request, accepted), NOW)
    await backend.papers.record(paper(other, elsewhere), NOW)
    assert await backend.papers.of(request) == [approval, acceptance]
    assert (approval.kind, approval.issued_on, approval.docx_size) == (PaperKind.APPROVAL, date(2026, 11, 30), 30_000)
    assert [p.request_id for p in await backend.papers.of(other)] == [other]
    assert await backend.papers.of(await backend.request()) == []


async def test_two_instances_recording_one_step_at_once_issue_one_document(backend: Backend) -> None:
    request = await backend.request()
    accepted = await step(backend, request)
    async with backend.another() as other:
        mine, theirs = await asyncio.gather(
            backend.papers.record(paper(request, accepted), NOW),
            other.papers.record(paper(request, accepted, pdf="c" * 64), NOW),
        )
    assert mine == theirs
    assert await backend.papers.of(request) == [mine]
    assert [row[3] for row in await filings(backend)] == ["a" * 64, mine.pdf_sha256]


async def test_issued_documents_are_append_only(backend: Backend) -> None:
    request = await backend.request()
    issued = await backend.papers.record(paper(request, await step(backend, request)), NOW)
    for statement in (f"UPDATE papers SET pdf_sha256 = '{'d' * 64}' RETURNING id", "DELETE FROM papers RETURNING id"):
        with pytest.raises(Exception, match="append-only"):
            await backend.rows(statement)
    assert await backend.papers.of(request) == [issued]
