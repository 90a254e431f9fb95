"""The notice store's contract, on every backend: notices as a step opened them, ended once, and what the public
sent while one was open (comments, hearing requests), each written with the audit event that tells the reviewers —
or not at all."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from approvals.models import AuditEvent, Status
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import HearingState, InputKind, PublicComment
from tests.storage.contract.conftest import Backend

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
BOT = 0
REVIEWER = 201


def notice(request_id: int, kind: NoticeKind, opens: date, ends: date, **fields: Any) -> Notice:
    published = {
        "opened_at": NOW,
        "project_name": "城东污水处理厂提标改造",
        "organisation": "区水务集团",
        "location": "城东街道",
        "summary": "日处理能力5万吨，出水执行一级A标准",
    }
    return Notice(request_id=request_id, kind=kind, opens_on=opens, ends_on=ends, **{**published, **fields})


def said(request_id: int, notice_id: int, kind: InputKind, text: str, minutes: int = 0) -> PublicComment:
    return PublicComment(
        request_id=request_id,
        notice_id=notice_id,
        kind=kind,
        at=NOW + timedelta(minutes=minutes),
        name="李四",
        contact="+86 139 1234 5678",
        text=text,
        state=HearingState.OPEN if kind is InputKind.HEARING else None,
    )


def event(request_id: int, action: str, *, actor: int = BOT, name: str = "", reason: str | None = None) -> AuditEvent:
    return AuditEvent(
        request_id=request_id,
        actor_id=actor,
        actor_name=name,
        at=NOW + timedelta(hours=1),
        action=action,
        from_status=Status.SUBMITTED,
        to_status=Status.SUBMITTED,
        reason=reason,
    )


async def events(backend: Backend) -> list[tuple[Any, ...]]:
    """The audit log's records, oldest first, but a request's first (its submission)."""
    return await backend.rows(
        "SELECT request_id, action, actor_id, actor_name, reason, from_status, to_status FROM audit_events "
        "WHERE action <> 'submit' ORDER BY id"
    )


async def test_the_notices_a_step_opened_come_back_as_they_were_published(backend: Backend) -> None:
    request, other = await backend.request(), await backend.request()
    shanghai = ZoneInfo("Asia/Shanghai")
    acceptance = notice(request, NoticeKind.ACCEPTANCE, date(2026, 11, 30), date(2026, 12, 14), eia_firm="环科院")
    intended = notice(
        request,
        NoticeKind.INTENDED_DECISION,
        date(2026, 12, 15),
        date(2026, 12, 22),
        opened_at=datetime(2026, 12, 15, 9, 30, 0, 123456, tzinfo=shanghai),
    )
    await backend.open_notices([acceptance, intended])
    await backend.open_notices([notice(other, NoticeKind.ACCEPTANCE, date(2026, 12, 1), date(2026, 12, 8))])
    # a decision's announcement takes the number issued with it; the others keep their own (none)
    decided = notice(request, NoticeKind.DECISION, date(2026, 12, 23), date(2027, 1, 4), outcome=Status.APPROVED)
    await backend.open_notices([decided], "环审〔2026〕12号")
    found = await backend.notices.of(request)
    assert [n.model_copy(update={"id": 0}) for n in found] == [
        acceptance,
        intended,
        decided.model_copy(update={"approval_number": "环审〔2026〕12号"}),
    ]
    assert found[0].id < found[1].id < found[2].id
    assert found[1].opened_at == datetime(2026, 12, 15, 1, 30, 0, 123456, tzinfo=UTC)
    assert (found[0].eia_firm, found[1].eia_firm, found[2].outcome) == ("环科院", None, Status.APPROVED)
    assert await backend.notices.latest(request, NoticeKind.INTENDED_DECISION) == found[1]
    assert await backend.notices.latest(other, NoticeKind.DECISION) is None
    assert [n.request_id for n in await backend.notices.of(other)] == [other]
    assert await backend.notices.of(await backend.request()) == []


async def test_the_latest_notice_of_a_kind_is_the_one_opened_last(backend: Backend) -> None:
    request = await backend.request()
    first = notice(request, NoticeKind.INTENDED_DECISION, date(2026, 12, 1), date(2026, 12, 8))
    second = notice(request, NoticeKind.INTENDED_DECISION, date(2026, 12, 20), date(2026, 12, 28))
    await backend.open_notices([first])
    await backend.open_notices([second])
    latest = await backend.notices.latest(request, NoticeKind.INTENDED_DECISION)
    assert latest is not None and latest.ends_on == date(2026, 12, 28)


async def test_notices_past_their_last_day_are_ended_once_oldest_first_each_with_its_event(backend: Backend) -> None:
    one, two = await backend.request(), await backend.request()
    await backend.open_notices(
        [
            notice(one, NoticeKind.ACCEPTANCE, date(2026, 11, 30), date(2026, 12, 14)),
            notice(one, NoticeKind.INTENDED_DECISION, date(2026, 12, 1), date(2026, 12, 7)),
        ]
    )
    await backend.open_notices([notice(two, NoticeKind.INTENDED_DECISION, date(2026, 12, 1), date(2026, 12, 7))])
    assert await backend.notices.ended_before(date(2026, 12, 7), limit=10) == []  # the 7th is still a last day
    ended = await backend.notices.ended_before(date(2026, 12, 15), limit=10)
    assert [(n.request_id, n.ends_on) for n in ended] == [
        (one, date(2026, 12, 7)),
        (two, date(2026, 12, 7)),
        (one, date(2026, 12, 14)),
    ]
    assert await backend.notices.ended_before(date(2026, 12, 15), limit=2) == ended[:2]
    at = NOW + timedelta(days=8)
    assert await backend.notices.close(ended[0].id, at, event(one, "notice_ended"))
    assert not await backend.notices.close(ended[0].id, at + timedelta(hours=1), event(one, "notice_ended"))
    assert await backend.notices.close(ended[1].id, at, None)  # an end no one is told of: no event
    assert await backend.notices.ended_before(date(2026, 12, 15), limit=10) == ended[2:]
    closed = (await backend.notices.of(one))[1]
    assert closed.closed_at == at and (await backend.notices.of(one))[0].closed_at is None
    assert await events(backend) == [(one, "notice_ended", BOT, "", None, "submitted", "submitted")]
    assert await backend.queued() == [(0, "event", None, one, None)]  # the reviewer is told, once


async def test_what_the_public_sends_is_kept_with_the_event_that_tells_the_reviewers(backend: Backend) -> None:
    request, other, quiet = await backend.request(), await backend.request(), await backend.request()
    await backend.open_notices([notice(request, NoticeKind.INTENDED_DECISION, date(2026, 11, 30), date(2026, 12, 7))])
    await backend.open_notices([notice(other, NoticeKind.INTENDED_DECISION, date(2026, 11, 30), date(2026, 12, 7))])
    (opened,) = await backend.notices.of(request)
    comment = said(request, opened.id, InputKind.COMMENT, "<b>请</b>关注夜间施工噪声")
    telling = event(request, "public_comment", name="李四", reason=comment.text)
    stored = await backend.notices.add_input(comment, telling)
    assert stored == comment.model_copy(update={"id": stored.id}) and stored.id > 0
    hearing = await backend.notices.add_input(
        said(request, opened.id, InputKind.HEARING, "厂界噪声影响我村，申请听证", 1),
        event(request, "hearing_requested", name="李四"),
    )
    (elsewhere,) = await backend.notices.of(other)
    elsewhere_said = said(other, elsewhere.id, InputKind.COMMENT, "别的")
    await backend.notices.add_input(elsewhere_said, event(other, "public_comment"))
    assert await backend.notices.inputs(request) == [stored, hearing]
    assert await backend.notices.inputs(request, limit=1) == [hearing]  # the latest, oldest first
    assert await backend.notices.count_inputs(request) == 2
    assert await backend.notices.count_inputs(quiet) == 0
    assert await backend.notices.open_hearings(request) == [hearing]
    assert await backend.notices.open_hearings(other) == []
    assert await events(backend) == [
        (request, "public_comment", BOT, "李四", "<b>请</b>关注夜间施工噪声", "submitted", "submitted"),
        (request, "hearing_requested", BOT, "李四", None, "submitted", "submitted"),
        (other, "public_comment", BOT, "", None, "submitted", "submitted"),
    ]
    assert await backend.queued() == [(0, "event", None, request, None)] * 2 + [(0, "event", None, other, None)]


async def test_a_hearing_request_is_closed_once_by_the_reviewer_of_its_request(backend: Backend) -> None:
    request, other = await backend.request(), await backend.request()
    await backend.open_notices([notice(request, NoticeKind.INTENDED_DECISION, date(2026, 11, 30), date(2026, 12, 7))])
    (opened,) = await backend.notices.of(request)
    hearing = await backend.notices.add_input(
        said(request, opened.id, InputKind.HEARING, "申请听证"), event(request, "hearing_requested")
    )
    comment = await backend.notices.add_input(
        said(request, opened.id, InputKind.COMMENT, "意见"), event(request, "public_comment")
    )
    closing = event(request, "close_hearing", actor=REVIEWER, reason="申请人撤回听证申请")
    assert not await backend.notices.close_hearing(hearing.id, by=REVIEWER, outcome="x", event=event(other, "x"))
    assert not await backend.notices.close_hearing(comment.id, by=REVIEWER, outcome="x", event=closing)
    assert await backend.notices.close_hearing(hearing.id, by=REVIEWER, outcome="申请人撤回听证申请", event=closing)
    assert not await backend.notices.close_hearing(hearing.id, by=REVIEWER, outcome="again", event=closing)
    assert await backend.notices.open_hearings(request) == []
    kept, _ = await backend.notices.inputs(request)
    assert (kept.state, kept.closed_at, kept.closed_by, kept.outcome) == (
        HearingState.CLOSED,
        closing.at,
        REVIEWER,
        "申请人撤回听证申请",
    )
    assert [row[1] for row in await events(backend)] == ["hearing_requested", "public_comment", "close_hearing"]


async def test_nothing_is_kept_of_what_the_public_sent_unless_the_reviewers_are_told(backend: Backend) -> None:
    request = await backend.request()
    await backend.open_notices([notice(request, NoticeKind.INTENDED_DECISION, date(2026, 11, 30), date(2026, 12, 7))])
    (opened,) = await backend.notices.of(request)
    hearing = await backend.notices.add_input(
        said(request, opened.id, InputKind.HEARING, "申请听证"), event(request, "hearing_requested")
    )
    before = await events(backend)
    async with backend.refusing_messages_to(0):  # the event rows: chat 0, expanded by the sender
        with pytest.raises(backend.fault):
            lost = said(request, opened.id, InputKind.COMMENT, "写不进去")
            await backend.notices.add_input(lost, event(request, "public_comment"))
        with pytest.raises(backend.fault):
            await backend.notices.close_hearing(hearing.id, by=REVIEWER, outcome="已举行", event=event(request, "h"))
        with pytest.raises(backend.fault):
            await backend.notices.close(opened.id, NOW, event(request, "notice_ended"))
    assert await backend.notices.inputs(request) == [hearing]
    assert await backend.notices.open_hearings(request) == [hearing]
    assert (await backend.notices.of(request))[0].closed_at is None
    assert await events(backend) == before


async def test_two_instances_ending_a_notice_or_closing_a_hearing_at_once_record_it_once(backend: Backend) -> None:
    request = await backend.request()
    await backend.open_notices([notice(request, NoticeKind.INTENDED_DECISION, date(2026, 11, 30), date(2026, 12, 7))])
    (opened,) = await backend.notices.of(request)
    hearing = await backend.notices.add_input(
        said(request, opened.id, InputKind.HEARING, "申请听证"), event(request, "hearing_requested")
    )
    closing = event(request, "close_hearing", actor=REVIEWER)
    async with backend.another() as other:
        ended = await asyncio.gather(
            backend.notices.close(opened.id, NOW, event(request, "notice_ended")),
            other.notices.close(opened.id, NOW, event(request, "notice_ended")),
        )
        closed = await asyncio.gather(
            backend.notices.close_hearing(hearing.id, by=REVIEWER, outcome="已举行", event=closing),
            other.notices.close_hearing(hearing.id, by=REVIEWER + 1, outcome="已举行", event=closing),
        )
    assert sorted(ended) == sorted(closed) == [False, True]
    actions = [row[1] for row in await events(backend)]
    assert actions == ["hearing_requested", "notice_ended", "close_hearing"]
    (kept,) = await backend.notices.inputs(request)
    assert kept.closed_by == (REVIEWER if closed[0] else REVIEWER + 1)  # the winner's, whole
