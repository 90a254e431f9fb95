"""The key-project service's records, on every backend: a liaison, its log line and the notices reporting it are one
write (made once when two instances assign at once); an import's liaison column; consultations in date order; the
no-EIA mark; the weekly bulletin claimed once; and the facts stages are made of, read in the bureau's days."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from approvals.key_list import ImportOutcome
from approvals.key_stages import Consultation
from approvals.ledger import KeyProject
from approvals.models import DocumentType, Status
from storage.ports import Outgoing
from tests.factories import make_draft
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, tzinfo=UTC)
ADMIN, REVIEWER, REVIEWER_2 = 9001, 201, 202
SUPERGROUP = -1001234567890
PROJECTS = [KeyProject(code=f"KP-0{n}", name=f"项目{n}", owner="区政府") for n in (1, 2, 3)]


@pytest.fixture
async def listed(backend: Backend) -> Backend:
    await backend.key_projects.replace_all(PROJECTS)
    return backend


async def test_an_assignment_its_log_and_its_notices_are_one_write(listed: Backend) -> None:
    records = listed.key_service
    notice = [Outgoing(REVIEWER, "你已被指定为帮包人")]
    assert await records.assign("KP-01", REVIEWER, by=ADMIN, at=NOW, notices=notice)
    assert not await records.assign("KP-01", REVIEWER, by=ADMIN, at=NOW, notices=notice)  # no change: nothing again
    assert await records.assign("KP-01", REVIEWER_2, by=ADMIN, at=NOW)
    assert await records.assign("KP-02", REVIEWER, by=ADMIN, at=NOW)
    assert await records.assign("KP-02", None, by=ADMIN, at=NOW)
    assert not await records.assign("KP-03", None, by=ADMIN, at=NOW)
    assert await records.liaisons() == {"KP-01": REVIEWER_2}
    assert (await records.liaison("KP-01"), await records.liaison("KP-02")) == (REVIEWER_2, None)
    assert await listed.rows("SELECT code, user_id, by FROM key_liaison_log ORDER BY id") == [
        ("KP-01", REVIEWER, ADMIN),
        ("KP-01", REVIEWER_2, ADMIN),
        ("KP-02", REVIEWER, ADMIN),
        ("KP-02", None, ADMIN),
    ]
    assert await listed.queued() == [(REVIEWER, "message", "你已被指定为帮包人", None, None)]
    assert await records.assign_many([("KP-01", REVIEWER_2), ("KP-03", REVIEWER)], by=ADMIN, at=NOW) == 1
    with pytest.raises(Exception, match="append-only"):
        await listed.rows("DELETE FROM key_liaison_log")


async def test_an_assignment_whose_notice_cannot_be_queued_is_not_made(listed: Backend) -> None:
    async with listed.refusing_messages_to(REVIEWER):
        with pytest.raises(listed.fault):
            await listed.key_service.assign("KP-01", REVIEWER, by=ADMIN, at=NOW, notices=[Outgoing(REVIEWER, "指定")])
    assert await listed.key_service.liaisons() == {}
    assert await listed.rows("SELECT count(*) FROM key_liaison_log") == [(0,)]


async def test_two_instances_assigning_one_liaison_at_once_make_one_change(listed: Backend) -> None:
    async with listed.another() as other:
        made = await asyncio.wait_for(
            asyncio.gather(
                *(
                    b.key_service.assign("KP-01", REVIEWER, by=ADMIN, at=NOW, notices=[Outgoing(REVIEWER, f"{n}")])
                    for n, b in enumerate([listed, other] * 4)
                )
            ),
            60,
        )
    assert made.count(True) == 1
    assert await listed.rows("SELECT code, user_id FROM key_liaison_log") == [("KP-01", REVIEWER)]
    assert await listed.queued() == [(REVIEWER, "message", str(made.index(True)), None, None)]


async def test_an_imports_liaison_column_assigns_when_it_is_applied(listed: Backend) -> None:
    await listed.key_service.assign("KP-02", REVIEWER_2, by=ADMIN, at=NOW)
    named = [PROJECTS[0].model_copy(update={"liaison": REVIEWER}), PROJECTS[1], PROJECTS[2]]
    staged = await listed.key_projects.stage(ADMIN, named, base_version=1, at=NOW)
    assert await listed.key_service.liaisons() == {"KP-02": REVIEWER_2}  # nothing until it is applied
    assert (await listed.key_projects.apply_import(staged, ADMIN, at=NOW)).outcome is ImportOutcome.APPLIED
    assert await listed.key_service.liaisons() == {"KP-01": REVIEWER, "KP-02": REVIEWER_2}  # an empty cell keeps
    assert await listed.rows("SELECT code, user_id FROM key_liaison_log ORDER BY id") == [
        ("KP-02", REVIEWER_2),
        ("KP-01", REVIEWER),
    ]


async def test_consultations_are_kept_per_code_in_date_order(listed: Backend) -> None:
    ids = [
        await listed.key_service.add_consultation(
            Consultation(code, date(2026, 11, day), f"第{day}日", REVIEWER), at=NOW
        )
        for code, day in (("KP-02", 5), ("KP-01", 9), ("KP-01", 2))
    ]
    assert ids == sorted(ids) and ids[0] > 0
    found = await listed.key_service.consultations()
    assert found == {
        "KP-01": [
            Consultation("KP-01", date(2026, 11, 2), "第2日", REVIEWER),
            Consultation("KP-01", date(2026, 11, 9), "第9日", REVIEWER),
        ],
        "KP-02": [Consultation("KP-02", date(2026, 11, 5), "第5日", REVIEWER)],
    }
    assert list(await listed.key_service.consultations(["KP-02", "KP-03"])) == ["KP-02"]
    assert await listed.key_service.consultations([]) == {}


async def test_the_no_eia_mark_is_set_once_and_taken_back(listed: Backend) -> None:
    records = listed.key_service
    assert await records.mark_no_eia("KP-02", date(2026, 11, 30), by=REVIEWER, at=NOW)
    assert not await records.mark_no_eia("KP-02", date(2026, 12, 1), by=ADMIN, at=NOW)  # the first day stays
    assert await records.no_eia() == {"KP-02": date(2026, 11, 30)}
    assert await records.mark_no_eia("KP-02", None, by=ADMIN, at=NOW)
    assert not await records.mark_no_eia("KP-02", None, by=ADMIN, at=NOW)
    assert await records.no_eia() == {}


async def test_a_weeks_bulletin_is_claimed_once_with_its_messages_even_by_two_instances(backend: Backend) -> None:
    week = date(2026, 11, 30)
    assert not await backend.key_service.bulletin_claimed(week)
    async with backend.refusing_messages_to(SUPERGROUP):
        with pytest.raises(backend.fault):
            await backend.key_service.claim_bulletin(week, [Outgoing(SUPERGROUP, "周通报")], NOW)
    assert not await backend.key_service.bulletin_claimed(week)  # refused its messages: not a claim
    async with backend.another() as other:
        claimed = await asyncio.wait_for(
            asyncio.gather(
                *(
                    b.key_service.claim_bulletin(week, [Outgoing(SUPERGROUP, f"周通报 {n}")], NOW)
                    for n, b in enumerate([backend, other] * 4)
                )
            ),
            60,
        )
    assert claimed.count(True) == 1
    assert await backend.queued() == [(SUPERGROUP, "message", f"周通报 {claimed.index(True)}", None, None)]
    assert await backend.key_service.bulletin_claimed(week)
    assert not await backend.key_service.bulletin_claimed(date(2026, 12, 7))


async def test_the_facts_of_a_request_naming_a_key_project_are_read_in_the_bureaus_days(listed: Backend) -> None:
    request = await listed.request()  # submitted and accepted at 10:00 in Shanghai on 30 November
    await listed.request()  # naming no key project: no facts
    # handed in at 04:00 on 1 December in Shanghai (20:00 UTC the day before); text both dialects read as a time
    await listed.rows(
        f"UPDATE requests SET key_code = 'KP-01', submitted_at = '2026-11-30T20:00:00.000000Z' WHERE id = {request}"
    )
    (facts,) = await listed.key_service.request_facts()
    assert (facts.request_id, facts.code, facts.status, facts.document_type) == (
        request,
        "KP-01",
        Status.SUBMITTED,
        make_draft().document_type,
    )
    assert (facts.received_on, facts.accepted_on, facts.status_since) == (
        date(2026, 12, 1),
        date(2026, 11, 30),
        date(2026, 11, 30),
    )
    assert (facts.promised_due, facts.statutory_due, facts.paused_working_days) == (
        date(2026, 12, 14),
        date(2027, 1, 11),
        0,
    )
    assert (facts.notice_on, facts.decided_on, facts.approval_number) == (None, None, None)
    assert isinstance(facts.document_type, DocumentType)
    steps = await listed.key_service.steps_since(date(2026, 11, 30))
    assert [(s.request_id, s.code, s.to_status, s.from_status, s.day) for s in steps] == [
        (request, "KP-01", Status.SUBMITTED, None, date(2026, 11, 30))
    ]
    assert await listed.key_service.steps_since(date(2026, 12, 1)) == []
