"""The sign-off chain's rules (approvals/sign_off.py): the setting, who may fill which step, the round's signatures."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from approvals.calendar import WorkCalendar
from approvals.ledger import KeyProjectStatus, key_project_status
from approvals.models import Actor, ApprovalRequest, AuditEvent, Category, DocumentType, Lane, Role, Status
from approvals.reminders import ReminderKind, due_reminders
from approvals.sign_off import (
    AlreadySigned,
    BadChain,
    Decision,
    NotSigner,
    StepTaken,
    fields,
    may_fill,
    next_action,
    parse_chain,
    proposal,
    return_action,
    round_signatures,
    sign_off,
)
from approvals.states import TRANSITIONS, Action, transition

CHAIN = (Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def person(user_id: int, *roles: Role) -> Actor:
    return Actor(user_id=user_id, name=f"p{user_id}", roles=frozenset({Role.APPLICANT, *roles}))


REVIEWER = person(1, Role.REVIEWER)
CHIEF = person(2, Role.CHIEF)
DIRECTOR = person(3, Role.DIRECTOR)
ADMIN = person(4, Role.REVIEWER, Role.ADMIN)
CHIEF_AND_DIRECTOR = person(5, Role.CHIEF, Role.DIRECTOR)
APPLICANT = person(6)


def signing(step: int, decision: Decision = Decision.APPROVE, reason: str | None = None) -> ApprovalRequest:
    return ApprovalRequest.model_construct(
        id=7,
        applicant_id=APPLICANT.user_id,
        project_name="p",
        organisation="o",
        contact_name="c",
        phone="13812345678",
        category=Category.OTHER,
        document_type=DocumentType.REPORT,
        investment=Decimal(1),
        location="l",
        description="d",
        lane=Lane.STANDARD,
        status=Status.SIGNING,
        submitted_at=AT,
        updated_at=AT,
        accepted_on=date(2026, 12, 1),
        promised_due=date(2026, 12, 29),
        statutory_due=date(2027, 1, 26),
        claimed_by=REVIEWER.user_id,
        last_reason=reason,
        signing_decision=decision.value,
        signing_step=step,
    )


def event(actor: Actor, action: Action, frm: Status, to: Status) -> AuditEvent:
    return AuditEvent(
        request_id=7, actor_id=actor.user_id, actor_name=actor.name, at=AT, action=action.value, from_status=frm,
        to_status=to,
    )  # fmt: skip


PROPOSED = event(REVIEWER, Action.SIGN, Status.IN_REVIEW, Status.SIGNING)
CHIEF_SIGNED = event(CHIEF, Action.SIGN, Status.SIGNING, Status.SIGNING)


@pytest.mark.parametrize(
    ("text", "chain"),
    [
        ("reviewer", (Role.REVIEWER,)),
        ("reviewer,chief,director", CHAIN),
        (" Reviewer , director ", (Role.REVIEWER, Role.DIRECTOR)),
        ("reviewer,director,chief", (Role.REVIEWER, Role.DIRECTOR, Role.CHIEF)),  # a bureau's own order
    ],
)
def test_a_chain_names_known_roles_from_the_reviewer_on(text: str, chain: tuple[Role, ...]) -> None:
    assert parse_chain(text) == chain


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("reviewer,,chief", "entry is empty"),
        ("reviewer,boss", "unknown role 'boss'"),
        ("reviewer,admin", "unknown role 'admin'"),  # administering the bot is not a signing step
        ("chief,director", "must start with reviewer"),
        ("reviewer,chief,chief", "chief appears twice"),
    ],
)
def test_a_chain_that_cannot_sign_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(BadChain, match=problem):
        parse_chain(text)


# who may fill which step: staff may propose (经办); chief and director only with that role, admins included
ROLE_TABLE = [
    (REVIEWER, {Role.REVIEWER}),
    (CHIEF, {Role.REVIEWER, Role.CHIEF}),
    (DIRECTOR, {Role.REVIEWER, Role.DIRECTOR}),
    (ADMIN, {Role.REVIEWER}),
    (CHIEF_AND_DIRECTOR, {Role.REVIEWER, Role.CHIEF, Role.DIRECTOR}),
    (APPLICANT, set()),
]


@pytest.mark.parametrize(("actor", "fills"), ROLE_TABLE, ids=lambda v: v.name if isinstance(v, Actor) else "")
def test_the_role_table(actor: Actor, fills: set[Role]) -> None:
    assert {role for role in CHAIN if may_fill(actor, role)} == fills


def test_each_signature_forwards_and_the_last_one_is_the_decision() -> None:
    state = sign_off(signing(1), [PROPOSED], CHAIN)
    assert state is not None and state.awaited is Role.CHIEF and not state.is_last
    assert next_action(CHIEF, signing(1), state, expected_step=1) is Action.SIGN
    state = sign_off(signing(2), [PROPOSED, CHIEF_SIGNED], CHAIN)
    assert state is not None and state.awaited is Role.DIRECTOR and state.is_last
    assert next_action(DIRECTOR, signing(2), state, expected_step=2) is Action.APPROVE
    rejected = sign_off(signing(2, Decision.REJECT, "噪声超标"), [PROPOSED, CHIEF_SIGNED], CHAIN)
    assert rejected is not None and rejected.reason == "噪声超标"
    assert next_action(DIRECTOR, signing(2), rejected, expected_step=2) is Action.REJECT


def test_refusals_wrong_role_signed_already_and_a_step_taken() -> None:
    state = sign_off(signing(1), [PROPOSED], CHAIN)
    assert state is not None
    with pytest.raises(NotSigner):  # a plain reviewer cannot sign as chief
        next_action(person(8, Role.REVIEWER), signing(1), state, expected_step=1)
    with pytest.raises(NotSigner):  # nor can the director sign the chief's step
        next_action(DIRECTOR, signing(1), state, expected_step=1)
    with pytest.raises(NotSigner):  # an admin needs the role itself
        next_action(ADMIN, signing(1), state, expected_step=1)
    with pytest.raises(StepTaken):  # the card showed step 2: the chief's step is not what they saw
        next_action(CHIEF, signing(1), state, expected_step=2)
    both = person(9, Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)
    proposed_by_both = event(both, Action.SIGN, Status.IN_REVIEW, Status.SIGNING)
    state = sign_off(signing(1), [proposed_by_both], CHAIN)
    assert state is not None
    with pytest.raises(AlreadySigned) as refused:  # one person, one step, whatever roles they hold
        next_action(both, signing(1), state, expected_step=1)
    assert refused.value.signed_as is Role.REVIEWER
    state = sign_off(
        signing(2), [PROPOSED, event(CHIEF_AND_DIRECTOR, Action.SIGN, Status.SIGNING, Status.SIGNING)], CHAIN
    )
    assert state is not None
    with pytest.raises(AlreadySigned):
        next_action(CHIEF_AND_DIRECTOR, signing(2), state, expected_step=2)


def test_a_round_starts_at_the_latest_proposal() -> None:
    returned = event(CHIEF, Action.RETURN_SIGNATURE, Status.SIGNING, Status.IN_REVIEW)
    again = event(REVIEWER, Action.SIGN, Status.IN_REVIEW, Status.SIGNING)
    history = [PROPOSED, CHIEF_SIGNED, event(DIRECTOR, Action.RETURN_SIGNATURE, Status.SIGNING, Status.IN_REVIEW)]
    assert round_signatures(history, CHAIN) == ()  # not signing: no round
    signatures = round_signatures([*history, returned, again], CHAIN)
    assert [(s.role, s.actor_id) for s in signatures] == [(Role.REVIEWER, REVIEWER.user_id)]
    signatures = round_signatures([*history, again, CHIEF_SIGNED], CHAIN)
    assert [(s.role, s.actor_id) for s in signatures] == [(Role.REVIEWER, 1), (Role.CHIEF, 2)]


def test_the_fields_each_step_sets() -> None:
    assert proposal(REVIEWER, Decision.REJECT, reason="r", approval_number=None) == {
        "signing_decision": "reject",
        "signing_step": 1,
        "claimed_by": REVIEWER.user_id,
        "last_reason": "r",
        "approval_number": None,
    }
    assert fields(Action.SIGN, signing(1), to=Status.SIGNING, reason=None) == {
        "signing_step": 2,
        "claimed_by": REVIEWER.user_id,
    }
    for action, to in ((Action.RETURN_SIGNATURE, Status.IN_REVIEW), (Action.RETURN_TO_NOTICE, Status.IN_NOTICE)):
        back = fields(action, signing(2), to=to, reason="补充监测数据")
        assert (back["claimed_by"], back["signing_step"], back["signing_decision"], back["last_reason"]) == (
            REVIEWER.user_id,
            0,
            None,
            "补充监测数据",
        )
    for action, to in ((Action.APPROVE, Status.APPROVED), (Action.WITHDRAW, Status.WITHDRAWN)):
        assert fields(action, signing(2), to=to, reason=None) == {"signing_decision": None, "signing_step": 0}


def test_the_table_signs_from_wherever_a_decision_may_be_taken_and_decides_only_from_signing() -> None:
    deciding = {s for (s, a) in TRANSITIONS if a in (Action.APPROVE, Action.REJECT)} - {Status.SIGNING}
    proposing = {s for (s, a) in TRANSITIONS if a is Action.SIGN} - {Status.SIGNING}
    assert proposing == deciding
    assert {a for (s, a) in TRANSITIONS if s is Status.SIGNING} == {
        Action.SIGN,
        Action.APPROVE,
        Action.REJECT,
        Action.RETURN_SIGNATURE,
        Action.RETURN_TO_NOTICE,
        Action.WITHDRAW,
    }
    for action in (Action.RETURN_SIGNATURE, Action.RETURN_TO_NOTICE):
        with pytest.raises(Exception, match="reason"):  # a return says why
            transition(request_id=7, status=Status.SIGNING, action=action, actor_id=2, at=AT)
    assert TRANSITIONS[(Status.SIGNING, Action.RETURN_SIGNATURE)] is Status.IN_REVIEW
    assert TRANSITIONS[(Status.SIGNING, Action.RETURN_TO_NOTICE)] is Status.IN_NOTICE


def test_a_return_goes_back_where_the_proposal_was_made() -> None:
    """In notice (an approval proposed once its notice had run): back in notice, no second notice; from review or
    the queue: back in review. The round's first signature says where; an earlier round's does not count."""
    in_notice = event(REVIEWER, Action.SIGN, Status.IN_NOTICE, Status.SIGNING)
    assert return_action([in_notice, CHIEF_SIGNED]) is Action.RETURN_TO_NOTICE
    assert return_action([PROPOSED, CHIEF_SIGNED]) is Action.RETURN_SIGNATURE
    from_queue = event(REVIEWER, Action.SIGN, Status.SUBMITTED, Status.SIGNING)
    returned = event(CHIEF, Action.RETURN_TO_NOTICE, Status.SIGNING, Status.IN_NOTICE)
    assert return_action([in_notice, returned, from_queue]) is Action.RETURN_SIGNATURE
    assert return_action([from_queue, event(CHIEF, Action.RETURN_SIGNATURE, Status.SIGNING, Status.IN_REVIEW),
                          in_notice]) is Action.RETURN_TO_NOTICE  # fmt: skip


def test_a_request_being_signed_off_is_still_with_the_bureau(calendar: WorkCalendar) -> None:
    """Its clock runs: reminders go to the group, and its key project counts as in progress."""
    reminders = due_reminders(calendar, [signing(2)], date(2026, 12, 28))
    assert {(r.kind, r.recipient) for r in reminders} == {(ReminderKind.HALF, None), (ReminderKind.MOST, None)}
    assert key_project_status([Status.SIGNING]) is KeyProjectStatus.IN_PROGRESS
