from datetime import UTC, datetime

import pytest

from approvals.errors import InvalidTransition, ReasonRequired
from approvals.models import AuditEvent, Status
from approvals.states import (
    ADMIN_ACTIONS,
    APPLICANT_ACTIONS,
    REVIEWER_ACTIONS,
    SELF_REVIEW,
    TRANSITIONS,
    Action,
    allowed_actions,
    holder_name,
    last_word,
    transition,
)

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
    status = step(status, Action.PROPOSE_APPROVAL)  # the notice of the intended decision (拟审批公示)
    assert status is Status.IN_NOTICE
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


@pytest.mark.parametrize(
    ("final", "by_admins"),
    [
        (Status.APPROVED, {Action.REVOKE, Action.CORRECT_NUMBER}),
        (Status.REJECTED, {Action.REVOKE}),
        (Status.WITHDRAWN, set()),
    ],
)
def test_only_an_admin_touches_a_final_state(final: Status, by_admins: set[Action]) -> None:
    assert allowed_actions(final) == by_admins
    assert by_admins <= ADMIN_ACTIONS
    with pytest.raises(InvalidTransition, match=f"cannot withdraw a request that is {final.value}"):
        step(final, Action.WITHDRAW)


@pytest.mark.parametrize("decided", [Status.APPROVED, Status.REJECTED])
def test_a_revoked_decision_puts_the_request_back_in_the_queue(decided: Status) -> None:
    assert step(decided, Action.REVOKE, "批复依据的规划已撤销") is Status.SUBMITTED


def test_a_corrected_number_leaves_the_approval_approved_and_records_the_number() -> None:
    result = transition(
        request_id=7,
        status=Status.APPROVED,
        action=Action.CORRECT_NUMBER,
        actor_id=9001,
        at=NOW,
        reason="笔误",
        approval_number="区环审〔2026〕21号",
    )
    assert (result.to, result.event.approval_number, result.event.reason) == (
        Status.APPROVED,
        "区环审〔2026〕21号",
        "笔误",
    )


@pytest.mark.parametrize("action", [Action.REVOKE, Action.CORRECT_NUMBER])
def test_revoking_and_correcting_need_a_reason(action: Action) -> None:
    with pytest.raises(ReasonRequired):
        step(Status.APPROVED, action, " ")


def test_an_admin_frees_or_hands_on_a_claim_only_while_it_is_claimed() -> None:
    assert step(Status.IN_REVIEW, Action.FORCE_RELEASE) is Status.SUBMITTED
    assert step(Status.IN_REVIEW, Action.REASSIGN) is Status.IN_REVIEW
    for status in (Status.SUBMITTED, Status.NEEDS_INFO, Status.APPROVED):
        for action in (Action.FORCE_RELEASE, Action.REASSIGN):
            with pytest.raises(InvalidTransition):
                step(status, action)


def test_admin_actions_are_for_admins_and_none_of_them_is_an_applicants_or_a_plain_reviewers() -> None:
    assert {Action.FORCE_RELEASE, Action.REASSIGN, Action.REVOKE, Action.CORRECT_NUMBER} == ADMIN_ACTIONS
    assert not ADMIN_ACTIONS & (REVIEWER_ACTIONS | APPLICANT_ACTIONS)
    assert Action.FORCE_RELEASE not in SELF_REVIEW  # freeing a claim decides nothing (a removal frees them all)
    assert {Action.REASSIGN, Action.REVOKE, Action.CORRECT_NUMBER} <= SELF_REVIEW


def event(action: Action, actor: str, target: str = "") -> AuditEvent:
    return AuditEvent(
        request_id=7,
        actor_id=1,
        actor_name=actor,
        at=NOW,
        action=action.value,
        from_status=Status.SUBMITTED,
        to_status=Status.IN_REVIEW,
        target_name=target,
    )


def test_the_holder_is_the_last_claimant_or_whoever_the_claim_was_handed_to() -> None:
    claimed = [event(Action.SUBMIT, "王工"), event(Action.CLAIM, "张审")]
    assert holder_name(claimed) == "张审"
    handed = [*claimed, event(Action.REASSIGN, "局长", target="赵审")]
    assert holder_name(handed) == "赵审"
    assert holder_name([*handed, event(Action.RELEASE, "赵审"), event(Action.CLAIM, "Bob")]) == "Bob"


def test_the_last_word_is_the_latest_decision_request_for_material_or_revocation() -> None:
    events = [event(Action.CLAIM, "张审"), event(Action.APPROVE, "张审"), event(Action.CORRECT_NUMBER, "局长")]
    last = last_word(events)
    assert last is not None and (last.action, last.actor_name) == ("approve", "张审")  # a correction is not one
    last = last_word([*events, event(Action.REVOKE, "局长")])
    assert last is not None and last.action == "revoke"
    assert last_word([event(Action.CLAIM, "张审")]) is None


def test_an_invalid_transition_names_the_state_and_the_action() -> None:
    with pytest.raises(InvalidTransition) as caught:
        step(Status.NEEDS_INFO, Action.APPROVE)
    assert (caught.value.status, caught.value.action) == ("needs_info", "approve")


def test_withdrawal_is_possible_until_a_decision() -> None:
    open_states = {s for (s, a) in TRANSITIONS if a is Action.WITHDRAW}
    assert open_states == {
        Status.RECEIVED,
        Status.INCOMPLETE,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.NEEDS_INFO,
        Status.RESUBMITTED,
        Status.IN_NOTICE,
        Status.SIGNING,  # a proposed decision is not yet a decision
        Status.EXCLUDED,
    }


def test_every_state_in_the_table_is_a_real_status_and_every_status_is_reachable() -> None:
    reachable = {Status.SUBMITTED} | set(TRANSITIONS.values())
    assert reachable == set(Status)


def test_material_is_added_only_while_the_bureau_has_the_request_and_changes_no_status() -> None:
    open_states = {s for (s, a) in TRANSITIONS if a is Action.ADD_MATERIAL}
    # 补正 (a list, or a request for information): the applicant supplies or resubmits instead; in excluded time
    # the bureau still has the request (an assessment or hearing may want more from the applicant)
    assert open_states == {
        Status.RECEIVED,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.RESUBMITTED,
        Status.IN_NOTICE,
        Status.EXCLUDED,
    }
    for status in open_states:
        assert step(status, Action.ADD_MATERIAL) is status
