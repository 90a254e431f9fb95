"""The use cases over a real SQLite file: every rule about who may do what, and what each step stores."""

from datetime import date

import pytest

from approvals.errors import AlreadyDecided, Forbidden, InvalidTransition, NotClaimant, NotFound, SelfReview
from approvals.ledger import KeyProject
from approvals.models import Attachment, Category, DocumentType, Lane, Status
from approvals.service import ApprovalService
from approvals.states import Action
from approvals.validation import InvalidField
from storage.repositories import Repositories
from tests.conftest import FakeClock
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
    assert [e.action for e in view.history] == ["submit"]
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
        ("claim", 201),
        ("request_info", 201),
        ("resubmit", 101),
        ("claim", 202),
        ("approve", 202),
    ]
    assert history[2].reason == "请补充噪声影响评价"


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
    assert [e.action for e in await service.requests.history(own.id)] == ["submit"]
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
