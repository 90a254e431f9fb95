"""Public notices through the real use cases on a real database: opened with their step, approval refused until
the intended decision's notice has run and while a hearing request is open, ended once by the job, migrated."""

import random
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from approvals.clock_stops import StopKind
from approvals.deadlines import DeadlinePolicy
from approvals.errors import (
    AlreadyDecided,
    DomainError,
    HearingRequested,
    NoOpenNotice,
    NotClaimant,
    NoticeRunning,
    ProposeFirst,
)
from approvals.models import Actor, DocumentType, Role, Status
from approvals.notices import NoticeKind
from approvals.public_comments import HearingState, InputKind
from approvals.service import ApprovalService
from approvals.states import Action
from approvals.validation import InvalidField
from storage import migrations
from storage.database import Database
from storage.inline import InlineConnection
from storage.repositories import Repositories
from tests.conftest import SHANGHAI, FakeClock, accept_on_receipt
from tests.factories import APPLICANT, REVIEWER, REVIEWER_2, make_draft


@pytest.fixture
def deciding(receiving: ApprovalService) -> ApprovalService:
    """Accepted at once, approvals walking their notice."""
    return accept_on_receipt(receiving)


async def kinds(service: ApprovalService, request_id: int) -> list[tuple[NoticeKind, date, date]]:
    return [(n.kind, n.opens_on, n.ends_on) for n in await service.notices_of(REVIEWER, request_id)]


async def test_acceptance_opens_a_notice_for_a_report_and_not_for_a_report_form_by_default(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    report = await deciding.submit(APPLICANT, make_draft(project_name="报告书项目", document_type=DocumentType.REPORT))
    form = await deciding.submit(APPLICANT, make_draft(project_name="报告表项目"))
    # accepted Mon Nov 30: Dec 1-4 (4), 7-11 (9), Mon Dec 14 (10)
    assert await kinds(deciding, report.id) == [(NoticeKind.ACCEPTANCE, date(2026, 11, 30), date(2026, 12, 14))]
    assert await kinds(deciding, form.id) == []
    (published,) = await deciding.notices_of(REVIEWER, report.id)
    assert (published.project_name, published.organisation, published.location, published.eia_firm) == (
        "报告书项目",
        "区水务集团",
        "城东街道",
        None,  # the request names no EIA firm: left out
    )
    forms_too = accept_on_receipt(replace(deciding, policy=DeadlinePolicy(notice_report_forms=True)))
    noticed = await forms_too.submit(APPLICANT, make_draft(project_name="也公示的报告表"))
    # Dec 1, 2, 3, 4, 7
    assert await kinds(forms_too, noticed.id) == [(NoticeKind.ACCEPTANCE, date(2026, 11, 30), date(2026, 12, 7))]


async def test_approval_is_proposed_only_once_the_acceptance_notice_has_run(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    """The trial's item 12: the public's comments on the acceptance notice (受理公示) come first."""
    report = await deciding.submit(APPLICANT, make_draft(document_type=DocumentType.REPORT))
    clock.set_local(2026, 12, 14)  # accepted Mon Nov 30: the notice's 10th working day (see above)
    with pytest.raises(NoticeRunning) as caught:
        await deciding.propose_approval(REVIEWER, report.id)
    assert (caught.value.until, caught.value.kind) == (date(2026, 12, 14), "acceptance")
    assert (await deciding.requests.get(report.id)).status is Status.SUBMITTED  # type: ignore[union-attr]
    rejected = await deciding.reject(REVIEWER, report.id, "选址位于饮用水源保护区")  # a rejection needs no notice
    assert rejected.status is Status.REJECTED
    other = await deciding.submit(APPLICANT, make_draft(project_name="另一报告书", document_type=DocumentType.REPORT))
    clock.set_local(2026, 12, 28)
    assert await deciding.approval_step(other) is Action.PROPOSE_APPROVAL  # the button says why when pressed
    with pytest.raises(NoticeRunning) as caught:  # accepted Mon Dec 14: Dec 15-18 (4), 21-25 (9), Mon 28 (10)
        await deciding.propose_approval(REVIEWER, other.id)
    assert caught.value.until == date(2026, 12, 28)
    clock.set_local(2026, 12, 29)
    assert (await deciding.propose_approval(REVIEWER, other.id)).status is Status.IN_NOTICE


async def test_approval_is_proposed_then_given_once_the_notice_has_run(
    deciding: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    with pytest.raises(ProposeFirst):
        await deciding.approve(REVIEWER, request.id)
    proposed = await deciding.propose_approval(REVIEWER, request.id)
    assert (proposed.status, proposed.claimed_by) == (Status.IN_NOTICE, REVIEWER.user_id)
    # proposed Mon Nov 30: Dec 1, 2, 3, 4, 7
    assert await kinds(deciding, request.id) == [(NoticeKind.INTENDED_DECISION, date(2026, 11, 30), date(2026, 12, 7))]
    clock.set_local(2026, 12, 7)  # the notice's last day
    with pytest.raises(NoticeRunning) as caught:
        await deciding.approve(REVIEWER, request.id)
    assert caught.value.until == date(2026, 12, 7)
    assert await deciding.end_notices() == []  # not ended yet
    with pytest.raises(NotClaimant):  # the proposer holds it: no one else claims or decides it
        await deciding.claim(REVIEWER_2, request.id)
    clock.set_local(2026, 12, 8)
    ended = await deciding.end_notices()
    assert [n.kind for n in ended] == [NoticeKind.INTENDED_DECISION]
    assert await deciding.end_notices() == []  # once
    with pytest.raises(NotClaimant):
        await deciding.approve(REVIEWER_2, request.id)
    approved = await deciding.approve(REVIEWER, request.id)
    assert approved.status is Status.APPROVED
    actions = [e.action for e in await repos.requests.history(request.id)]
    assert actions == ["submit", "accept", "propose_approval", "notice_ended", "approve"]
    announced = (await deciding.notices_of(REVIEWER, request.id))[-1]
    # the decision announced Tue Dec 8 for 7 working days: Dec 9, 10, 11, 14, 15, 16, 17
    assert (announced.kind, announced.outcome, announced.ends_on) == (
        NoticeKind.DECISION,
        Status.APPROVED,
        date(2026, 12, 17),
    )


async def test_a_hearing_request_stops_the_clock_and_the_hearing_held_brings_the_notice_back(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    """Art. 47's hearing is excluded time (art. 45): the clock stops when the public asks for it, whoever holds the
    request; recording the hearing's result restarts it, closes the request for it and returns to the notice — a
    decision after it needs no new notice."""
    request = await deciding.submit(APPLICANT, make_draft())
    with pytest.raises(NoOpenNotice):  # no notice yet: nothing to request a hearing on
        await deciding.add_public_input(request.id, InputKind.HEARING, name="李四", contact="13912345678", text="噪声")
    proposed = await deciding.propose_approval(REVIEWER, request.id)
    clock.set_local(2026, 12, 7)  # a Monday, the notice's last day
    hearing = await deciding.add_public_input(
        request.id, InputKind.HEARING, name="李四", contact="13912345678", text="厂界噪声影响我村，申请听证"
    )
    assert hearing.state is HearingState.OPEN
    stopped = await deciding.requests.get(request.id)
    assert stopped is not None and stopped.status is Status.EXCLUDED
    stop = await deciding.requests.open_clock_stop(request.id)
    assert stop is not None and (stop.kind, stop.days) == (StopKind.HEARING, 20)
    # 20 working days after Mon 12-07: Dec 8-11 (4), 14-18 (9), 21-25 (14), 28-31 (18), Fri 2027-01-01 New Year's
    # Day, Mon 01-04 (19), Tue 01-05 (20)
    assert stop.expected_end == date(2027, 1, 5)
    (stopping,) = [e for e in await deciding.requests.history(request.id) if e.action == "stop_clock"]
    assert stopping.actor_id == 0 and stopping.from_status is Status.IN_NOTICE  # the bot's, not the holder's
    clock.set_local(2026, 12, 8)
    with pytest.raises(DomainError):  # no decision while the clock is stopped for the hearing
        await deciding.approve(REVIEWER, request.id)
    with pytest.raises(NoOpenNotice):  # past the 5 working days: too late for another
        await deciding.add_public_input(request.id, InputKind.HEARING, name="王五", contact="a@b.cn", text="也申请")
    clock.set_local(2026, 12, 10)  # a Thursday: 12-08, 12-09 and 12-10 are not counted
    held = await deciding.resume_clock(REVIEWER, request.id, "2026-12-10 听证已举行，意见已采纳")
    assert held.status is Status.IN_NOTICE
    assert held.paused_working_days == proposed.paused_working_days + 3
    assert (held.statutory_due - proposed.statutory_due).days >= 3
    (kept,) = await deciding.public_inputs(REVIEWER, request.id)
    assert (kept.state, kept.closed_by, kept.outcome) == (
        HearingState.CLOSED,
        REVIEWER.user_id,
        "2026-12-10 听证已举行，意见已采纳",
    )
    assert (await deciding.approve(REVIEWER, request.id)).status is Status.APPROVED  # no second notice


async def test_a_hearing_request_closed_by_hand_no_longer_blocks_the_decision(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    """/hearing N H closes a request for a hearing without holding one (withdrawn, say); the clock, stopped for it,
    is restarted by the hearing's result as ever."""
    request = await deciding.submit(APPLICANT, make_draft())
    await deciding.propose_approval(REVIEWER, request.id)
    clock.set_local(2026, 12, 7)
    hearing = await deciding.add_public_input(request.id, InputKind.HEARING, name="李四", contact="a@b.cn", text="听证")
    assert await deciding.close_hearing(REVIEWER, request.id, hearing.id, "申请人撤回听证申请")
    assert not await deciding.close_hearing(REVIEWER, request.id, hearing.id, "again")  # once
    assert (await deciding.resume_clock(REVIEWER, request.id, "听证申请已撤回")).status is Status.IN_NOTICE
    (kept,) = await deciding.public_inputs(REVIEWER, request.id)
    assert kept.outcome == "申请人撤回听证申请"  # closed once, by hand
    with pytest.raises(NoticeRunning):  # the notice still runs its own course: it ends on 12-07
        await deciding.approve(REVIEWER, request.id)
    clock.set_local(2026, 12, 8)
    assert (await deciding.approve(REVIEWER, request.id)).status is Status.APPROVED


async def test_a_hearing_request_on_a_withdrawn_request_is_not_closed_afterwards(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    request = await deciding.submit(APPLICANT, make_draft())
    await deciding.propose_approval(REVIEWER, request.id)
    clock.set_local(2026, 12, 7)
    hearing = await deciding.add_public_input(request.id, InputKind.HEARING, name="李四", contact="a@b.cn", text="听证")
    assert (await deciding.withdraw(APPLICANT, request.id)).status is Status.WITHDRAWN
    with pytest.raises(AlreadyDecided):
        await deciding.close_hearing(REVIEWER, request.id, hearing.id, "已举行")
    assert "close_hearing" not in [e.action for e in await deciding.requests.history(request.id)]


async def test_comments_come_while_a_notice_is_open_and_rejection_needs_no_notice(
    deciding: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    report = await deciding.submit(APPLICANT, make_draft(document_type=DocumentType.REPORT))
    comment = await deciding.add_public_input(
        report.id, InputKind.COMMENT, name=" 张三 ", contact="138 1234 5678", text="<b>请</b>关注夜间施工噪声"
    )
    assert (comment.name, comment.contact, comment.text) == ("张三", "+86 138 1234 5678", "<b>请</b>关注夜间施工噪声")
    with pytest.raises(InvalidField):
        await deciding.add_public_input(report.id, InputKind.COMMENT, name="张三", contact="nobody", text="意见")
    with pytest.raises(NoOpenNotice):  # the acceptance notice takes comments, not hearing requests
        await deciding.add_public_input(report.id, InputKind.HEARING, name="张三", contact="a@b.cn", text="听证")
    clock.set_local(2026, 12, 15)  # the acceptance notice ended on Dec 14
    with pytest.raises(NoOpenNotice):
        await deciding.add_public_input(report.id, InputKind.COMMENT, name="张三", contact="a@b.cn", text="迟到的意见")
    rejected = await deciding.reject(REVIEWER, report.id, "选址不符合规划")  # no notice needed
    assert rejected.status is Status.REJECTED
    history = await repos.requests.history(report.id)
    said = next(e for e in history if e.action == "public_comment")
    assert (said.actor_name, said.reason, said.from_status, said.to_status) == (
        "张三",
        "<b>请</b>关注夜间施工噪声",
        Status.SUBMITTED,
        Status.SUBMITTED,
    )
    assert [n.kind for n in await deciding.notices_of(REVIEWER, report.id)] == [
        NoticeKind.ACCEPTANCE,
        NoticeKind.DECISION,
    ]
    proposed = await deciding.submit(APPLICANT, make_draft(project_name="公示中被驳回"))
    await deciding.propose_approval(REVIEWER, proposed.id)
    assert (await deciding.reject(REVIEWER, proposed.id, "公示期间发现问题")).status is Status.REJECTED


async def test_a_database_of_schema_17_keeps_every_request_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = InlineConnection(sqlite3.connect(path, isolation_level=None))
    real = migrations.MIGRATIONS
    migrations.MIGRATIONS = real[:17]  # the schema before the notices
    try:
        await migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    for n, status in enumerate(("received", "submitted", "in_review", "approved", "excluded"), start=1):
        conn.raw.execute(
            "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
            "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
            "accepted_on, promised_due, statutory_due, claimed_by) VALUES (101, ?, 'o', 'c', '1', 'other', "
            "'report', '1', 'l', 'd', 2, ?, 1, '2026-11-30T02:00:00.000000Z', '2026-11-30T02:00:00.000000Z', "
            "'2026-11-30', '2027-01-12', '2027-02-12', ?)",
            (f"p{n}", status, 201 if status == "in_review" else None),
        )
    conn.raw.close()
    db = await Database.open(path)
    try:
        repos = Repositories.over(db)
        kept = [(r.status, r.promised_due, r.claimed_by) for r in await repos.requests.all_requests()]
        assert kept == [
            (Status.RECEIVED, date(2027, 1, 12), None),
            (Status.SUBMITTED, date(2027, 1, 12), None),
            (Status.IN_REVIEW, date(2027, 1, 12), 201),
            (Status.APPROVED, date(2027, 1, 12), None),
            (Status.EXCLUDED, date(2027, 1, 12), None),
        ]
        assert await repos.requests.count_open() == 3  # the counts kept by triggers survive the rebuild
        assert await repos.notices.of(1) == [] and await repos.notices.count_inputs(1) == 0
    finally:
        await db.close()


@pytest.mark.parametrize("seed", [1, 2, 4, 5, 6, 8, 9])  # walks that reach both approvals given and refused
async def test_random_walks_never_approve_before_the_notice_has_run_or_while_a_hearing_is_open(
    deciding: ApprovalService, clock: FakeClock, seed: int
) -> None:
    rng = random.Random(seed)
    ids = [(await deciding.submit(APPLICANT, make_draft(project_name=f"项目{n}"))).id for n in range(6)]

    async def close_hearings(request_id: int) -> None:
        for item in await deciding.public_inputs(REVIEWER, request_id):
            await deciding.close_hearing(REVIEWER, request_id, item.id, "听证已举行")

    steps = [
        lambda i: deciding.claim(REVIEWER, i),
        lambda i: deciding.propose_approval(REVIEWER, i),
        lambda i: deciding.propose_approval(REVIEWER, i),
        lambda i: deciding.approve(REVIEWER, i),
        lambda i: deciding.approve(REVIEWER, i),
        lambda i: deciding.approve(REVIEWER, i),
        lambda i: deciding.reject(REVIEWER, i, "不符合"),
        lambda i: deciding.request_info(REVIEWER, i, "补充"),
        lambda i: deciding.resubmit(APPLICANT, i, "已补"),
        lambda i: deciding.end_notices(),
        lambda i: deciding.add_public_input(i, InputKind.HEARING, name="李四", contact="a@b.cn", text="申请听证"),
        lambda i: deciding.add_public_input(i, InputKind.COMMENT, name="王五", contact="a@b.cn", text="意见"),
        lambda i: close_hearings(i),
    ]
    refused = 0
    for _ in range(250):
        if rng.random() < 0.25:
            clock.advance(days=rng.randrange(1, 4))
        try:
            await rng.choice(steps)(rng.choice(ids))
        except (NoticeRunning, HearingRequested):
            refused += 1
        except DomainError:
            pass
    approved = 0
    for request_id in ids:
        history = await deciding.requests.history(request_id)
        for event in history:
            if event.action != "approve":
                continue
            approved += 1
            day = event.at.astimezone(SHANGHAI).date()
            found = await deciding.notices_of(REVIEWER, request_id)
            intended = [n for n in found if n.kind is NoticeKind.INTENDED_DECISION and n.opened_at <= event.at]
            assert intended and intended[-1].ends_on < day  # the latest proposal's notice had run
            for item in await deciding.public_inputs(REVIEWER, request_id):
                if item.kind is InputKind.HEARING and item.at < event.at:
                    assert item.closed_at is not None and item.closed_at <= event.at
    assert approved and refused  # the walk reached both: approvals given and approvals refused


async def test_with_a_sign_off_chain_the_approval_is_signed_once_its_notice_has_run(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    chained = replace(deciding, chain=(Role.REVIEWER, Role.CHIEF))
    chief = Actor(user_id=301, name="科长", roles=frozenset({Role.CHIEF}))
    request = await deciding.submit(APPLICANT, make_draft())
    with pytest.raises(ProposeFirst):  # no first signature of an approval before its notice
        await chained.approve(REVIEWER, request.id)
    await chained.propose_approval(REVIEWER, request.id)
    with pytest.raises(NoticeRunning):
        await chained.approve(REVIEWER, request.id)
    clock.set_local(2026, 12, 8)
    signing = await chained.approve(REVIEWER, request.id)  # the reviewer's signature: the chain's first
    assert signing.status is Status.SIGNING
    approved = await chained.sign(chief, request.id)  # the last signature issues the decision
    assert approved.status is Status.APPROVED
    kinds_now = [n.kind for n in await chained.notices_of(REVIEWER, request.id)]
    assert kinds_now == [NoticeKind.INTENDED_DECISION, NoticeKind.DECISION]


async def test_a_signer_returning_an_approval_proposed_after_its_notice_sends_it_back_in_notice(
    deciding: ApprovalService, clock: FakeClock
) -> None:
    """The trial's #10: the notice had run, the chief signed, the director returned it. The reviewer signs again at
    once: no second notice, the promise where the first proposal put it."""
    chained = replace(deciding, chain=(Role.REVIEWER, Role.CHIEF, Role.DIRECTOR))
    chief = Actor(user_id=301, name="刘科长", roles=frozenset({Role.CHIEF}))
    director = Actor(user_id=401, name="周局长", roles=frozenset({Role.DIRECTOR}))
    request = await deciding.submit(APPLICANT, make_draft())
    proposed = await chained.propose_approval(REVIEWER, request.id)
    clock.set_local(2026, 12, 8)  # the notice ran Dec 1-7
    await chained.approve(REVIEWER, request.id)
    await chained.sign(chief, request.id)
    back = await chained.return_signature(director, request.id, "补充噪声监测数据")
    assert (back.status, back.claimed_by, back.promised_due) == (
        Status.IN_NOTICE,
        REVIEWER.user_id,
        proposed.promised_due,
    )
    assert await chained.approval_step(back) is Action.APPROVE  # not a new proposal
    with pytest.raises(NotClaimant):
        await chained.approve(REVIEWER_2, request.id)
    again = await chained.approve(REVIEWER, request.id)
    assert (again.status, again.signing_step) == (Status.SIGNING, 1)
    await chained.sign(chief, request.id)
    assert (await chained.sign(director, request.id)).status is Status.APPROVED
    kinds_now = [n.kind for n in await chained.notices_of(REVIEWER, request.id)]
    assert kinds_now == [NoticeKind.INTENDED_DECISION, NoticeKind.DECISION]
