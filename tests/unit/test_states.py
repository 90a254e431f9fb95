from datetime import UTC, datetime

import pytest

from approvals.errors import InvalidTransition, ReasonRequired
from approvals.models import Status
from approvals.states import TRANSITIONS, Action, allowed_actions, transition

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def step(status: Status, action: Action, reason: str | None = None) -> Status:
    return transition(request_id=7, status=status, action=action, actor_id=42, at=NOW, reason=reason).to


def test_the_main_road_submitted_claimed_asked_resubmitted_approved() -> None:
    status = Status.SUBMITTED
    status = step(status, Action.CLAIM)
    assert status is Status.IN_REVIEW
    status = step(status, Action.REQUEST_INFO, "need the noise study")
    assert status is Status.NEEDS_INFO
    status = step(status, Action.RESUBMIT)
    assert status is Status.RESUBMITTED
    status = step(status, Action.CLAIM)
    status = step(status, Action.APPROVE)
    assert status is Status.APPROVED


def test_each_transition_yields_its_audit_event() -> None:
    result = transition(
        request_id=7, status=Status.IN_REVIEW, action=Action.REJECT, actor_id=42, at=NOW, reason="outside the zone"
    )
    event = result.event
    assert (event.request_id, event.actor_id, event.at) == (7, 42, NOW)
    assert (event.from_status, event.to_status, event.reason) == (Status.IN_REVIEW, Status.REJECTED, "outside the zone")


def test_a_reviewer_may_release_a_claim() -> None:
    assert step(Status.IN_REVIEW, Action.RELEASE) is Status.SUBMITTED


@pytest.mark.parametrize("action", [Action.REJECT, Action.REQUEST_INFO])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_and_request_info_need_a_reason(action: Action, reason: str | None) -> None:
    with pytest.raises(ReasonRequired):
        step(Status.IN_REVIEW, action, reason)


@pytest.mark.parametrize("final", [Status.APPROVED, Status.REJECTED, Status.WITHDRAWN])
def test_nothing_leaves_a_final_state(final: Status) -> None:
    assert allowed_actions(final) == frozenset()
    with pytest.raises(InvalidTransition, match=f"cannot withdraw a request that is {final.value}"):
        step(final, Action.WITHDRAW)


def test_an_invalid_transition_names_the_state_and_the_action() -> None:
    with pytest.raises(InvalidTransition) as caught:
        step(Status.NEEDS_INFO, Action.APPROVE)
    assert (caught.value.status, caught.value.action) == ("needs_info", "approve")


def test_withdrawal_is_possible_until_a_decision() -> None:
    open_states = {s for (s, a) in TRANSITIONS if a is Action.WITHDRAW}
    assert open_states == {Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO, Status.RESUBMITTED}


def test_every_state_in_the_table_is_a_real_status_and_every_status_is_reachable() -> None:
    reachable = {Status.SUBMITTED} | set(TRANSITIONS.values())
    assert reachable == set(Status)


def test_material_is_added_only_while_the_bureau_has_the_request_and_changes_no_status() -> None:
    open_states = {s for (s, a) in TRANSITIONS if a is Action.ADD_MATERIAL}
    assert open_states == {Status.SUBMITTED, Status.IN_REVIEW, Status.RESUBMITTED}  # 补正: resubmit instead
    for status in open_states:
        assert step(status, Action.ADD_MATERIAL) is status
