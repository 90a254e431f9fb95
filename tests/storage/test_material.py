"""The same project submitted twice, and material added to a request while the bureau has it."""

import pytest

from approvals.errors import AlreadyDecided, InvalidTransition, NotFound, SameProjectOpen
from approvals.models import Attachment, Status
from approvals.service import ApprovalService
from approvals.states import Action
from tests.conftest import FakeClock
from tests.factories import APPLICANT, OTHER_APPLICANT, REVIEWER, make_draft

PDF = Attachment(file_id="AgAD-1", name="eia.pdf", size=2048, mime="application/pdf")
NOISE = Attachment(file_id="AgAD-2", name="noise.pdf", size=1024, mime="application/pdf")


async def test_the_same_project_again_while_one_is_undecided_needs_the_applicants_say_so(
    service: ApprovalService,
) -> None:
    first = await service.submit(APPLICANT, make_draft(), client_key="form-1")
    with pytest.raises(SameProjectOpen) as caught:
        await service.submit(APPLICANT, make_draft(project_name=" 城东污水处理厂　扩建 "), client_key="form-2")
    assert (caught.value.request_id, caught.value.status) == (first.id, "submitted")
    assert len(await service.requests.by_applicant(APPLICANT.user_id, limit=5)) == 1

    again = await service.submit(APPLICANT, make_draft(), client_key="form-1")  # the same form pressed twice
    assert again.id == first.id
    other = await service.submit(OTHER_APPLICANT, make_draft())  # another applicant's project of that name
    assert other.id != first.id
    await service.request_info(REVIEWER, first.id, "请补充噪声评价")
    with pytest.raises(SameProjectOpen):  # waiting for material is not decided
        await service.submit(APPLICANT, make_draft())
    second = await service.submit(APPLICANT, make_draft(), despite_open=True)
    assert second.id not in (first.id, other.id)


async def test_a_decided_or_withdrawn_request_does_not_count_as_open(service: ApprovalService) -> None:
    first = await service.submit(APPLICANT, make_draft())
    await service.reject(REVIEWER, first.id, "不在规划范围内")
    second = await service.submit(APPLICANT, make_draft())
    await service.withdraw(APPLICANT, second.id)
    third = await service.submit(APPLICANT, make_draft())
    assert len({first.id, second.id, third.id}) == 3


async def test_material_added_to_an_open_request_changes_nothing_but_its_documents(
    service: ApprovalService, clock: FakeClock
) -> None:
    request = await service.submit(APPLICANT, make_draft(attachments=(PDF,)))
    claimed = await service.claim(REVIEWER, request.id)
    clock.set_local(2026, 12, 3)
    assert await service.material_action(APPLICANT, request.id) is Action.ADD_MATERIAL
    added = await service.add_material(APPLICANT, request.id, "补充噪声监测报告", [NOISE])
    stored = await service.requests.get(request.id)
    assert stored == added
    assert stored.attachments == (PDF, NOISE)
    assert (stored.status, stored.claimed_by, stored.version) == (
        Status.IN_REVIEW,
        REVIEWER.user_id,
        claimed.version + 1,
    )
    assert (stored.promised_due, stored.statutory_due, stored.paused_working_days) == (
        request.promised_due,
        request.statutory_due,
        0,
    )
    event = (await service.requests.history(request.id))[-1]
    assert (event.action, event.actor_id, event.from_status, event.to_status, event.reason) == (
        "add_material",
        APPLICANT.user_id,
        Status.IN_REVIEW,
        Status.IN_REVIEW,
        "补充噪声监测报告",
    )
    view = await service.view(REVIEWER, request.id)
    assert view.days_left == 7  # the clock kept running: adding material is not a pause


async def test_who_may_add_material_to_which_request(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    with pytest.raises(NotFound):
        await service.add_material(OTHER_APPLICANT, request.id, "", [NOISE])
    with pytest.raises(NotFound):
        await service.material_action(OTHER_APPLICANT, request.id)
    await service.request_info(REVIEWER, request.id, "请补充噪声评价")
    assert await service.material_action(APPLICANT, request.id) is Action.RESUBMIT  # the reply it waits for
    with pytest.raises(InvalidTransition):
        await service.add_material(APPLICANT, request.id, "", [NOISE])
    await service.resubmit(APPLICANT, request.id, "已补充", [NOISE])
    await service.add_material(APPLICANT, request.id, "另附监测数据")
    await service.approve(REVIEWER, request.id)
    with pytest.raises(AlreadyDecided):
        await service.material_action(APPLICANT, request.id)
    with pytest.raises(AlreadyDecided):
        await service.add_material(APPLICANT, request.id, "", [NOISE])
    actions = [e.action for e in await service.requests.history(request.id)]
    assert actions == ["submit", "accept", "request_info", "resubmit", "add_material", "propose_approval", "approve"]
