"""The use cases over a real SQLite file: every rule about who may do what, and what each step stores."""

from dataclasses import replace
from datetime import date

import pytest

from approvals.admin import AdminService
from approvals.errors import (
    AlreadyDecided,
    Forbidden,
    InvalidTransition,
    NotAReviewer,
    NotClaimant,
    NotFound,
    SelfReview,
)
from approvals.ledger import KeyProject
from approvals.models import Attachment, Category, DocumentType, Lane, Status
from approvals.notes import NotesService
from approvals.service import ApprovalService
from approvals.states import Action
from approvals.validation import InvalidField
from storage.repositories import Repositories
from tests.conftest import FakeClock, accept_on_receipt, notice_served
from tests.factories import ADMIN, APPLICANT, OTHER_APPLICANT, REVIEWER, REVIEWER_2, make_draft

PDF = Attachment(file_id="AgAD-1", name="eia.pdf", size=2048, mime="application/pdf")


async def test_submission_gets_a_lane_and_both_deadlines(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft(attachments=(PDF,)))
    stored = await service.requests.get(request.id)
    assert stored == request
    assert stored.lane is Lane.GREEN
    assert stored.accepted_on == date(2026, 11, 30)
    assert stored.promised_due == date(2026, 12, 14)  # 10 working days for a green 报告表
    assert stored.statutory_due == date(2027, 1, 12)  # 30 working days, over New Year's Day 2027
    assert stored.attachments == (PDF,)
    view = await service.view(APPLICANT, request.id)
    assert [e.action for e in view.history] == ["submit", "accept"]  # accepted at once (tests/conftest.py)
    assert view.days_left == 10
    assert view.estimated  # 2027's holidays are known, its make-up days (调休) are not yet published


async def test_a_registered_key_code_puts_the_request_in_the_key_lane(
    service: ApprovalService, repos: Repositories
) -> None:
    await repos.key_projects.replace_all([KeyProject(code="KP-01", name="城东污水厂", owner="区水务集团")])
    request = await service.submit(APPLICANT, make_draft(category=Category.OTHER, key_code="kp-01"))
    assert (request.lane, request.key_code) == (Lane.KEY, "KP-01")
    with pytest.raises(InvalidField, match="unknown_code"):
        await service.submit(APPLICANT, make_draft(key_code="KP-99"))


async def test_a_submission_on_a_saturday_is_accepted_on_monday(service: ApprovalService, clock: FakeClock) -> None:
    clock.set_local(2026, 11, 28)
    request = await service.submit(APPLICANT, make_draft(document_type=DocumentType.REGISTRATION))
    assert request.accepted_on == date(2026, 11, 30)
    assert request.promised_due == request.statutory_due == date(2026, 11, 30)


async def test_a_registration_filed_after_office_hours_is_due_the_next_working_day(
    service: ApprovalService, clock: FakeClock
) -> None:
    clock.set_local(2026, 12, 1, 17, 29)
    in_hours = await service.submit(
        APPLICANT, make_draft(project_name="早登记", document_type=DocumentType.REGISTRATION)
    )
    clock.set_local(2026, 12, 1, 17, 30)  # OFFICE_HOURS_END: the office has closed
    after_hours = await service.submit(
        APPLICANT, make_draft(project_name="晚登记", document_type=DocumentType.REGISTRATION)
    )
    report_form = await service.submit(APPLICANT, make_draft())
    assert (in_hours.accepted_on, in_hours.promised_due, in_hours.statutory_due) == (date(2026, 12, 1),) * 3
    assert (after_hours.accepted_on, after_hours.promised_due, after_hours.statutory_due) == (date(2026, 12, 2),) * 3
    assert report_form.accepted_on == date(2026, 12, 1)  # the others' count starts the next day anyway


async def test_full_road_with_a_pause_that_moves_the_deadlines(service: ApprovalService, clock: FakeClock) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(REVIEWER, request.id)
    asked = await service.request_info(REVIEWER, request.id, "请补充噪声影响评价")
    assert asked.status is Status.NEEDS_INFO
    assert asked.paused_since == date(2026, 11, 30)
    clock.set_local(2026, 12, 3)  # Thursday: Tue, Wed, Thu stood still
    paused_view = await service.view(APPLICANT, request.id)
    assert paused_view.days_left == 10  # the clock does not run while the applicant works
    back = await service.resubmit(APPLICANT, request.id, "已补充", [PDF])
    assert back.status is Status.RESUBMITTED
    assert back.paused_working_days == 3
    assert back.promised_due == date(2026, 12, 17)
    assert back.attachments == (PDF,)
    await service.claim(REVIEWER_2, request.id)
    done = await service.approve(REVIEWER_2, request.id, "区环审〔2026〕12号")
    assert (done.status, done.decided_by, done.approval_number) == (Status.APPROVED, 202, "区环审〔2026〕12号")
    assert done.decided_on == date(2026, 12, 3)
    history = (await service.view(REVIEWER, request.id)).history
    assert [(e.action, e.actor_id) for e in history] == [
        ("submit", 101),
        ("accept", 7777),
        ("claim", 201),
        ("request_info", 201),
        ("resubmit", 101),
        ("claim", 202),
        ("propose_approval", 202),  # the notice of the intended decision (taken as run: tests/conftest.py)
        ("approve", 202),
    ]
    assert history[3].reason == "请补充噪声影响评价"


async def test_only_reviewers_decide(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    for action in (service.claim, service.approve):
        with pytest.raises(Forbidden):
            await action(APPLICANT, request.id)
    assert (await service.requests.get(request.id)).status is Status.SUBMITTED


async def test_a_claimed_request_is_decided_by_its_claimant_only(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(REVIEWER, request.id)
    with pytest.raises(NotClaimant):
        await service.approve(REVIEWER_2, request.id)
    with pytest.raises(NotClaimant):
        await service.release(REVIEWER_2, request.id)
    released = await service.release(ADMIN, request.id)  # an admin may free a forgotten claim
    assert (released.status, released.claimed_by) == (Status.SUBMITTED, None)


async def test_reject_needs_a_reason_and_stores_it(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    with pytest.raises(InvalidField):
        await service.reject(REVIEWER, request.id, " ")
    rejected = await service.reject(REVIEWER, request.id, "选址位于水源保护区")
    assert (rejected.status, rejected.last_reason) == (Status.REJECTED, "选址位于水源保护区")


async def test_a_second_decision_is_refused_as_already_decided(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.approve(REVIEWER, request.id)
    with pytest.raises(AlreadyDecided) as caught:
        await service.reject(REVIEWER_2, request.id, "too late")
    assert (caught.value.status, caught.value.by, caught.value.by_name) == ("approved", REVIEWER.user_id, "张审")


async def test_applicants_only_touch_their_own_requests(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    with pytest.raises(NotFound):
        await service.view(OTHER_APPLICANT, request.id)
    with pytest.raises(NotFound):
        await service.withdraw(OTHER_APPLICANT, request.id)
    withdrawn = await service.withdraw(APPLICANT, request.id)
    assert withdrawn.status is Status.WITHDRAWN
    with pytest.raises(AlreadyDecided):
        await service.approve(REVIEWER, request.id)


async def test_resubmitting_needs_the_request_to_be_waiting_for_material(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    with pytest.raises(InvalidTransition, match="cannot resubmit a request that is submitted"):
        await service.resubmit(APPLICANT, request.id, "here it is")
    with pytest.raises(InvalidField, match="reason: too_short"):
        await service.request_info(REVIEWER, request.id, "")


async def test_next_claims_the_top_of_the_queue_and_skips_claimed_ones(
    service: ApprovalService, repos: Repositories
) -> None:
    await repos.key_projects.replace_all([KeyProject(code="KP-01", name="A", owner="B")])
    standard = await service.submit(APPLICANT, make_draft(project_name="物流仓库", category=Category.OTHER))
    key = await service.submit(APPLICANT, make_draft(project_name="重点工程", key_code="KP-01"))
    green = await service.submit(APPLICANT, make_draft())
    first = await service.claim_next(REVIEWER)
    second = await service.claim_next(REVIEWER_2)
    third = await service.claim_next(REVIEWER)
    assert [r.id for r in (first, second, third) if r] == [key.id, green.id, standard.id]
    assert await service.claim_next(REVIEWER_2) is None
    page = await service.queue_page(REVIEWER, page=0, size=2)
    assert (page.total, page.pages, [v.request.id for v in page.items]) == (3, 2, [key.id, green.id])
    with pytest.raises(Forbidden):
        await service.queue_page(APPLICANT, page=0)


async def test_a_reviewer_never_reviews_a_request_they_submitted(service: ApprovalService) -> None:
    own = await service.submit(REVIEWER, make_draft())
    for attempt in (service.claim, service.approve):
        with pytest.raises(SelfReview):
            await attempt(REVIEWER, own.id)
    for decision in (service.reject, service.request_info):
        with pytest.raises(SelfReview):
            await decision(REVIEWER, own.id, "材料齐全")
    for action in (Action.CLAIM, Action.APPROVE, Action.REJECT, Action.REQUEST_INFO):
        with pytest.raises(SelfReview):
            await service.check(REVIEWER, own.id, action)
    admins_own = await service.submit(ADMIN, make_draft())
    with pytest.raises(SelfReview):
        await service.approve(ADMIN, admins_own.id)  # an admin is no exception
    assert (await service.requests.get(own.id)).status is Status.SUBMITTED
    assert [e.action for e in await service.requests.history(own.id)] == ["submit", "accept"]
    assert (await service.approve(REVIEWER_2, own.id)).decided_by == REVIEWER_2.user_id  # a colleague decides


async def test_next_never_hands_a_reviewer_their_own_request(service: ApprovalService, repos: Repositories) -> None:
    await repos.key_projects.replace_all([KeyProject(code="KP-01", name="A", owner="B")])
    own = await service.submit(REVIEWER, make_draft(key_code="KP-01"))  # the top of the queue
    other = await service.submit(APPLICANT, make_draft(category=Category.OTHER))
    claimed = await service.claim_next(REVIEWER)
    assert claimed is not None and claimed.id == other.id
    assert await service.claim_next(REVIEWER) is None  # only their own is left
    colleague = await service.claim_next(REVIEWER_2)
    assert colleague is not None and colleague.id == own.id
    page = await service.queue_page(REVIEWER, page=0)
    assert [v.request.id for v in page.items] == [own.id, other.id]  # everyone sees the same order
    assert page.own == frozenset({own.id})  # listed, but marked as not theirs to review


# --- claims and oversight (issue 15, items 5, 21, 24, 26) ----------------------------------------------------


async def test_an_approval_number_must_have_the_bureaus_form_unless_the_bureau_sets_none(
    service: ApprovalService,
) -> None:
    request = await service.submit(APPLICANT, make_draft())
    for wrong in ("21", "2026-21号", "区环审2026年21号"):
        with pytest.raises(InvalidField, match="bad_approval_number"):
            await service.approve(REVIEWER, request.id, wrong)
    assert (await service.requests.get(request.id)).status is Status.SUBMITTED
    done = await service.approve(REVIEWER, request.id, "环审[2026]21号")  # lenient on brackets
    assert done.approval_number == "环审[2026]21号"
    anything = notice_served(accept_on_receipt(replace(service, approval_number_pattern="")))
    other = await anything.submit(APPLICANT, make_draft())
    assert (await anything.approve(REVIEWER, other.id, "内部编号 7")).approval_number == "内部编号 7"


async def test_an_admin_frees_a_colleagues_claim_and_the_audit_names_whose_it_was(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(REVIEWER, request.id)
    released = await service.release(ADMIN, request.id)
    assert (released.status, released.claimed_by) == (Status.SUBMITTED, None)
    last = (await service.requests.history(request.id))[-1]
    assert (last.action, last.actor_id, last.target_id, last.target_name) == ("force_release", 9001, 201, "张审")
    with pytest.raises(Forbidden):
        await service.release_claims_of(REVIEWER, REVIEWER_2.user_id)


async def test_removing_a_reviewer_frees_every_claim_they_hold_each_audited_with_its_cards_redrawn(
    service: ApprovalService, admin: AdminService, repos: Repositories
) -> None:
    await admin.add_reviewer(ADMIN, 777)
    leaving = await admin.actor(777, "钱审")
    held = [await service.submit(APPLICANT, make_draft(project_name=f"项目 {n}")) for n in range(2)]
    kept = await service.submit(APPLICANT, make_draft(project_name="项目 2"))
    for request in held:
        await service.claim(leaving, request.id)
    await service.claim(REVIEWER, kept.id)
    await repos.outbox.expand([(row.id, []) for row in await repos.outbox.pending()], service.clock.now())

    removal = await admin.remove_reviewer(ADMIN, 777, reason="调岗")

    assert removal.was_reviewer and sorted(r.id for r in removal.released) == [r.id for r in held]
    for request in held:
        stored = await service.requests.get(request.id)
        assert (stored.status, stored.claimed_by) == (Status.SUBMITTED, None)
        last = (await service.requests.history(request.id))[-1]
        assert (last.action, last.actor_id, last.target_id, last.reason) == ("force_release", 9001, 777, "调岗")
    assert (await service.requests.get(kept.id)).claimed_by == REVIEWER.user_id  # a colleague's claim stays
    events = [await repos.requests.event(row.event_id) for row in await repos.outbox.pending()]
    assert sorted(e.request_id for e in events if e.action == "force_release") == [r.id for r in held]  # cards
    with pytest.raises(Forbidden):
        await service.claim(await admin.actor(777), held[0].id)
    with pytest.raises(Forbidden):
        await admin.remove_reviewer(REVIEWER, REVIEWER_2.user_id)


async def test_an_admin_from_admin_ids_removed_from_the_reviewers_keeps_their_claims(
    service: ApprovalService, admin: AdminService
) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(ADMIN, request.id)
    removal = await admin.remove_reviewer(ADMIN, ADMIN.user_id)
    assert removal.released == []
    assert (await service.requests.get(request.id)).claimed_by == ADMIN.user_id  # still a reviewer by config


async def test_an_admin_hands_a_claim_to_another_reviewer_and_only_to_one(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.claim(REVIEWER, request.id)
    with pytest.raises(Forbidden):
        await service.reassign(REVIEWER, request.id, REVIEWER_2)
    with pytest.raises(NotAReviewer):
        await service.reassign(ADMIN, request.id, OTHER_APPLICANT)
    applicant_as_reviewer = APPLICANT.model_copy(update={"roles": REVIEWER.roles})
    with pytest.raises(NotAReviewer):
        await service.reassign(ADMIN, request.id, applicant_as_reviewer)  # never to the request's own applicant

    moved = await service.reassign(ADMIN, request.id, REVIEWER_2, "张审休假")

    assert (moved.status, moved.claimed_by) == (Status.IN_REVIEW, REVIEWER_2.user_id)
    assert (await service.view(REVIEWER, request.id)).holder == "赵审"
    last = (await service.requests.history(request.id))[-1]
    assert (last.action, last.actor_id, last.target_id, last.target_name, last.reason) == (
        "reassign",
        9001,
        202,
        "赵审",
        "张审休假",
    )
    again = await service.reassign(ADMIN, request.id, REVIEWER_2)  # a repeated press changes nothing
    assert again.version == moved.version
    with pytest.raises(NotClaimant):
        await service.approve(REVIEWER, request.id)  # the old holder no longer decides
    await service.approve(REVIEWER_2, request.id)
    with pytest.raises(AlreadyDecided):
        await service.reassign(ADMIN, request.id, REVIEWER)


async def test_an_admin_revokes_a_decision_with_a_reason_and_the_request_is_reviewed_again(
    service: ApprovalService, repos: Repositories
) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.approve(REVIEWER, request.id, "区环审〔2026〕12号")
    with pytest.raises(Forbidden):
        await service.revoke(REVIEWER, request.id, "规划已调整")
    with pytest.raises(InvalidField):
        await service.revoke(ADMIN, request.id, " ")

    revoked = await service.revoke(ADMIN, request.id, "批复依据的规划已调整")

    assert revoked.status is Status.SUBMITTED
    assert (revoked.decided_by, revoked.decided_on, revoked.approval_number) == (None, None, None)
    last = (await service.requests.history(request.id))[-1]
    assert (last.action, last.actor_id, last.approval_number, last.reason) == (
        "revoke",
        9001,
        "区环审〔2026〕12号",  # the number it annulled, kept in the audit log
        "批复依据的规划已调整",
    )
    assert await repos.summary.count_approved(None, None) == 0  # out of the figures
    with pytest.raises(InvalidTransition):
        await service.revoke(ADMIN, request.id, "nothing left to revoke")
    await service.reject(REVIEWER_2, request.id, "选址不符合规划")  # reviewed again
    assert (await service.revoke(ADMIN, request.id, "驳回理由有误")).status is Status.SUBMITTED
    own = await service.submit(ADMIN, make_draft())
    await service.reject(REVIEWER, own.id, "材料不全")
    with pytest.raises(SelfReview):
        await service.revoke(ADMIN, own.id, "我自己的申请")


async def test_an_admin_corrects_an_approval_number_in_the_bureaus_form_with_a_reason(
    service: ApprovalService,
) -> None:
    request = await service.submit(APPLICANT, make_draft())
    await service.approve(REVIEWER, request.id, "区环审〔2026〕12号")
    with pytest.raises(InvalidField, match="bad_approval_number"):
        await service.correct_number(ADMIN, request.id, "21", "笔误")
    with pytest.raises(InvalidField, match="reason"):
        await service.correct_number(ADMIN, request.id, "区环审〔2026〕21号", "")
    with pytest.raises(Forbidden):
        await service.correct_number(REVIEWER, request.id, "区环审〔2026〕21号", "笔误")

    fixed = await service.correct_number(ADMIN, request.id, "区环审〔2026〕21号", "笔误")

    assert (fixed.status, fixed.approval_number, fixed.decided_by) == (Status.APPROVED, "区环审〔2026〕21号", 201)
    last = (await service.requests.history(request.id))[-1]
    assert (last.action, last.actor_id, last.approval_number, last.reason) == (
        "correct_number",
        9001,
        "区环审〔2026〕21号",
        "笔误",
    )
    assert (await service.view(REVIEWER, request.id)).last_word.actor_name == "张审"  # still the one who decided
    rejected = await service.submit(APPLICANT, make_draft())
    await service.reject(REVIEWER, rejected.id, "选址不符合规划")
    with pytest.raises(InvalidTransition):
        await service.correct_number(ADMIN, rejected.id, "区环审〔2026〕22号", "没有批复")


async def test_the_queue_names_who_holds_each_claimed_request(service: ApprovalService) -> None:
    mine, handed, free = [await service.submit(APPLICANT, make_draft(project_name=f"项目 {n}")) for n in range(3)]
    await service.claim(REVIEWER, mine.id)
    await service.claim(REVIEWER_2, handed.id)
    await service.reassign(ADMIN, handed.id, REVIEWER)
    page = await service.queue_page(REVIEWER_2, page=0)
    assert {v.request.id: v.holder for v in page.items} == {mine.id: "张审", handed.id: "张审", free.id: ""}


async def test_internal_notes_are_for_reviewers_and_never_on_their_own_request(
    service: ApprovalService, repos: Repositories, clock: FakeClock
) -> None:
    notes = NotesService(service.requests, repos.notes, clock)
    request = await service.submit(APPLICANT, make_draft())
    own = await service.submit(REVIEWER, make_draft())
    await repos.cards.add(request.id, -100777, 5)
    assert await notes.add(REVIEWER, request.id, "已电话联系建设单位") == 1
    assert await notes.add(REVIEWER_2, request.id, "现场踏勘定于周四") == 2
    read = await notes.read(ADMIN, request.id)
    assert [(n.author_name, n.text) for n in read] == [("张审", "已电话联系建设单位"), ("赵审", "现场踏勘定于周四")]
    edits = [r.message for r in await repos.outbox.pending() if r.message.kind == "edit_card"]
    assert [(m.chat_id, m.edit_message_id, m.request_id) for m in edits] == [(-100777, 5, request.id)] * 2
    for attempt in (notes.read(APPLICANT, request.id), notes.add(APPLICANT, request.id, "我能看吗")):
        with pytest.raises(Forbidden):
            await attempt
    with pytest.raises(SelfReview):
        await notes.read(REVIEWER, own.id)  # the reviewers' talk about an applicant is not for the applicant
    with pytest.raises(NotFound):
        await notes.add(REVIEWER, 999, "没有这件申请")
    with pytest.raises(InvalidField):
        await notes.add(REVIEWER, request.id, "x")
    assert [e.action for e in await service.requests.history(request.id)] == ["submit", "accept"]  # no notes


async def test_documents_are_read_by_their_applicant_and_every_reviewer_the_one_who_submitted_them_included(
    service: ApprovalService,
) -> None:
    own = await service.submit(REVIEWER, make_draft())
    assert (await service.documents(REVIEWER, own.id)).id == own.id  # reading decides nothing: no self-review here
    assert (await service.documents(REVIEWER_2, own.id)).id == own.id
    for outsider in (APPLICANT, OTHER_APPLICANT):
        with pytest.raises(NotFound):  # someone else's request does not exist for them
            await service.documents(outsider, own.id)
    with pytest.raises(NotFound):
        await service.documents(REVIEWER, own.id + 1)
