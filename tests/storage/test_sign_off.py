"""The sign-off chain over a real SQLite file (APPROVAL_CHAIN=reviewer,chief,director): proposals, signatures,
returns, the refusals, the approval number issued with the last signature, and races between signers."""

import asyncio
import contextlib
import random
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.errors import AlreadyDecided, DomainError, InvalidTransition, NotClaimant, SelfReview
from approvals.models import Actor, ApprovalRequest, Role, Status
from approvals.notices import NoticeKind
from approvals.numbering import DEFAULT_APPROVAL_NUMBER_FORMAT, parse_number_format
from approvals.service import ApprovalService
from approvals.sign_off import AlreadySigned, NotSigner, SignsLater, StepTaken
from approvals.states import WAITS_ON
from storage import migrations
from storage.database import Database
from storage.inline import InlineConnection
from storage.repositories import Repositories
from tests.conftest import SHANGHAI, FakeClock, accept_on_receipt, notice_served
from tests.factories import APPLICANT, REVIEWER, REVIEWER_2, make_draft

CHIEF = Actor(user_id=301, name="钱科长", roles=frozenset({Role.APPLICANT, Role.CHIEF}))
CHIEF_2 = Actor(user_id=302, name="孙科长", roles=frozenset({Role.APPLICANT, Role.CHIEF}))
DIRECTOR = Actor(user_id=401, name="周局长", roles=frozenset({Role.APPLICANT, Role.DIRECTOR}))
CHIEF_AND_DIRECTOR = Actor(user_id=402, name="吴副局长", roles=frozenset({Role.APPLICANT, Role.CHIEF, Role.DIRECTOR}))
ADMIN = Actor(user_id=9001, name="管理员", roles=frozenset({Role.APPLICANT, Role.REVIEWER, Role.ADMIN}))


@pytest.fixture
def chained(service: ApprovalService) -> ApprovalService:
    service.chain = (Role.REVIEWER, Role.CHIEF, Role.DIRECTOR)
    service.numbering = parse_number_format(DEFAULT_APPROVAL_NUMBER_FORMAT)
    return service


async def proposed(
    chained: ApprovalService, reject: str | None = None, name: str = "城东污水处理厂扩建"
) -> ApprovalRequest:
    request = await chained.submit(APPLICANT, make_draft(project_name=name))
    await chained.claim(REVIEWER, request.id)
    if reject:
        return await chained.reject(REVIEWER, request.id, reject)
    return await chained.approve(REVIEWER, request.id)


async def test_the_default_chain_decides_at_once_as_before(service: ApprovalService) -> None:
    request = await service.submit(APPLICANT, make_draft())
    decided = await service.approve(REVIEWER, request.id)
    assert decided.status is Status.APPROVED and decided.signing_decision is None


async def test_reviewer_chief_director_approve_and_the_last_signature_issues_the_number(
    chained: ApprovalService,
) -> None:
    request = await proposed(chained)
    assert (request.status, request.signing_decision, request.signing_step) == (Status.SIGNING, "approve", 1)
    assert request.approval_number is None and request.decided_by is None  # nothing decided yet
    signed = await chained.sign(CHIEF, request.id, step=1)
    assert (signed.status, signed.signing_step) == (Status.SIGNING, 2)
    decided = await chained.sign(DIRECTOR, request.id, step=2)
    assert decided.status is Status.APPROVED
    assert decided.approval_number == "区环审〔2026〕1号" and decided.decided_by == DIRECTOR.user_id
    assert (decided.signing_decision, decided.signing_step) == (None, 0)
    history = (await chained.view(REVIEWER, request.id)).history
    assert [(e.action, e.actor_name) for e in history[-3:]] == [
        ("sign", "张审"),
        ("sign", "钱科长"),
        ("approve", "周局长"),
    ]
    assert history[-1].approval_number == "区环审〔2026〕1号"  # audited with the decision, as without a chain


async def test_a_proposed_rejection_keeps_its_reason_for_the_last_signer(chained: ApprovalService) -> None:
    request = await proposed(chained, reject="选址位于水源保护区")
    assert request.signing_decision == "reject"
    await chained.sign(CHIEF, request.id)
    decided = await chained.sign(DIRECTOR, request.id)
    assert (decided.status, decided.last_reason, decided.approval_number) == (
        Status.REJECTED,
        "选址位于水源保护区",
        None,
    )


async def test_a_return_goes_back_to_the_reviewer_with_its_reason_and_a_new_round_starts(
    chained: ApprovalService,
) -> None:
    """An approval is proposed in notice, once its notice has run: returned, it goes back there (ended: no second
    notice), in its reviewer's hands."""
    request = await proposed(chained)
    await chained.sign(CHIEF, request.id)
    back = await chained.return_signature(DIRECTOR, request.id, "补充噪声监测数据", step=2)
    assert (back.status, back.claimed_by, back.last_reason) == (Status.IN_NOTICE, REVIEWER.user_id, "补充噪声监测数据")
    view = await chained.view(REVIEWER, request.id)
    assert view.history[-1].action == "return_to_notice" and view.history[-1].target_id == REVIEWER.user_id
    assert view.last_word is not None and view.last_word.actor_name == "周局长"
    with pytest.raises(NotClaimant):  # back in the reviewer's hands, not a colleague's
        await chained.approve(REVIEWER_2, request.id)
    again = await chained.approve(REVIEWER, request.id)
    assert again.signing_step == 1
    state = await chained.sign_off_state(again)
    assert state is not None and [s.name for s in state.signatures] == ["张审"]  # the old round's do not count
    await chained.sign(CHIEF, request.id)  # the chief signs the new round again
    assert (await chained.sign(DIRECTOR, request.id)).status is Status.APPROVED
    kinds = [n.kind for n in await chained.notices_of(REVIEWER, request.id)]
    assert kinds == [NoticeKind.INTENDED_DECISION, NoticeKind.DECISION]  # one notice of the intended decision


async def test_a_returned_rejection_goes_back_in_review(chained: ApprovalService) -> None:
    request = await proposed(chained, reject="选址不符合规划")
    back = await chained.return_signature(CHIEF, request.id, "理由写具体", step=1)
    assert (back.status, back.claimed_by, back.signing_decision) == (Status.IN_REVIEW, REVIEWER.user_id, None)
    view = await chained.view(REVIEWER, request.id)
    assert view.holder == "张审" and view.history[-1].action == "return_signature"
    with pytest.raises(NotClaimant):
        await chained.reject(REVIEWER_2, request.id, "另议")


async def test_nobody_signs_twice_signs_their_own_or_signs_without_the_role(chained: ApprovalService) -> None:
    request = await proposed(chained)
    with pytest.raises(AlreadySigned):
        await chained.sign(REVIEWER, request.id)  # the proposer cannot be the chief too
    with pytest.raises(NotSigner):
        await chained.sign(REVIEWER_2, request.id)  # a plain reviewer cannot sign as chief
    with pytest.raises(NotSigner):
        await chained.sign(DIRECTOR, request.id)  # nor the director before the chief
    with pytest.raises(NotSigner):
        await chained.sign(ADMIN, request.id)  # administering the bot is no signing authority
    with pytest.raises(NotSigner):
        await chained.return_signature(REVIEWER_2, request.id, "no")
    await chained.sign(CHIEF_AND_DIRECTOR, request.id)
    with pytest.raises(AlreadySigned):  # holding both roles, one person fills one step
        await chained.sign(CHIEF_AND_DIRECTOR, request.id)
    own = await chained.submit(DIRECTOR, make_draft(project_name="局长自己的项目"))
    await chained.approve(REVIEWER, own.id)
    await chained.sign(CHIEF, own.id)
    with pytest.raises(SelfReview):
        await chained.sign(DIRECTOR, own.id)
    assert [r.id for r in await chained.awaiting_signature(DIRECTOR)] == [request.id]  # not their own
    assert [r.id for r in await chained.awaiting_signature(CHIEF_AND_DIRECTOR)] == [own.id]  # not one they signed


async def test_chiefs_and_directors_cannot_bypass_the_chain(chained: ApprovalService) -> None:
    """They sign their own steps, not the reviewer's: a chief who proposed could never sign the chief's step
    (nobody signs twice), and the only chief of a bureau would leave the proposal stuck (found by the procedure's
    property test)."""
    request = await chained.submit(APPLICANT, make_draft())
    with pytest.raises(SignsLater):
        await chained.approve(DIRECTOR, request.id)
    with pytest.raises(SignsLater):
        await chained.reject(CHIEF_AND_DIRECTOR, request.id, "不同意")
    proposal = await chained.approve(REVIEWER, request.id)
    assert proposal.status is Status.SIGNING
    with pytest.raises(NotSigner):  # the chief's step is next, not the director's
        await chained.sign(DIRECTOR, request.id, step=1)
    with pytest.raises(StepTaken):  # a second proposal, or a stale Approve on the card, decides nothing
        await chained.reject(REVIEWER_2, request.id, "不同意")
    with pytest.raises(InvalidTransition):
        await chained.request_info(CHIEF, request.id, "补正")
    stored = await chained.requests.get(request.id)
    assert stored is not None and stored.status is Status.SIGNING


async def test_two_signers_at_once_make_one_signature(chained: ApprovalService) -> None:
    request = await proposed(chained)

    async def sign(actor: Actor) -> str:
        try:
            await chained.sign(actor, request.id, step=1)
        except StepTaken:
            return "taken"
        return "signed"

    outcomes = await asyncio.gather(sign(CHIEF), sign(CHIEF_2), sign(CHIEF_AND_DIRECTOR))
    assert sorted(outcomes) == ["signed", "taken", "taken"]
    history = (await chained.view(REVIEWER, request.id)).history
    assert [e.action for e in history].count("sign") == 2  # the proposal and one chief
    stored = await chained.requests.get(request.id)
    assert stored is not None and stored.signing_step == 2


async def test_a_return_and_a_signature_racing_have_one_outcome(chained: ApprovalService) -> None:
    request = await proposed(chained)
    results = await asyncio.gather(
        chained.sign(CHIEF, request.id, step=1),
        chained.return_signature(CHIEF_2, request.id, "再核实", step=1),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, ApprovalRequest)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], DomainError), results
    stored = await chained.requests.get(request.id)
    assert stored is not None and stored.status is won[0].status and stored.version == won[0].version


async def test_the_last_signatures_racing_issue_one_number(chained: ApprovalService) -> None:
    first, second = await proposed(chained), await proposed(chained, name="城西垃圾转运站")
    for request in (first, second):
        await chained.sign(CHIEF, request.id)
    other = Actor(user_id=403, name="郑局长", roles=frozenset({Role.DIRECTOR}))
    results = await asyncio.gather(
        chained.sign(DIRECTOR, first.id, step=2),
        chained.sign(other, first.id, step=2),
        chained.sign(DIRECTOR, second.id, step=2),
        return_exceptions=True,
    )
    numbers = sorted(r.approval_number for r in results if isinstance(r, ApprovalRequest) and r.approval_number)
    assert numbers == ["区环审〔2026〕1号", "区环审〔2026〕2号"]  # one each, none skipped or used twice
    lost = [r for r in results if isinstance(r, BaseException)]
    # "already approved by …", or the step taken (read between the decision's commit and its history's)
    assert len(lost) == 1 and isinstance(lost[0], AlreadyDecided | StepTaken), results


async def test_withdrawing_while_signing_ends_the_round(chained: ApprovalService) -> None:
    request = await proposed(chained)
    withdrawn = await chained.withdraw(APPLICANT, request.id)
    assert (withdrawn.status, withdrawn.signing_decision, withdrawn.signing_step) == (Status.WITHDRAWN, None, 0)
    with pytest.raises(DomainError):
        await chained.sign(CHIEF, request.id)


async def test_the_applicant_sees_no_signatures_and_staff_see_the_round(chained: ApprovalService) -> None:
    request = await proposed(chained)
    assert (await chained.view(APPLICANT, request.id)).sign_off is None
    state = (await chained.view(CHIEF, request.id)).sign_off
    assert state is not None and state.awaited is Role.CHIEF and [s.role for s in state.signatures] == [Role.REVIEWER]


async def test_the_migration_keeps_every_request_and_allows_signing(
    tmp_path: Path, clock: FakeClock, calendar: WorkCalendar
) -> None:
    path = tmp_path / "old.db"
    conn = InlineConnection(sqlite3.connect(path, isolation_level=None))
    real = migrations.MIGRATIONS
    migrations.MIGRATIONS = real[:16]  # the schema before the sign-off chain (with excluded time)
    try:
        await migrations.migrate(conn)
    finally:
        migrations.MIGRATIONS = real
    conn.raw.execute(
        "INSERT INTO requests (applicant_id, project_name, organisation, contact_name, phone, category, "
        "document_type, investment, location, description, lane, status, version, submitted_at, updated_at, "
        "accepted_on, promised_due, statutory_due, claimed_by) VALUES (101, 'p', 'o', 'c', '1', 'other', "
        "'report_form', '1', 'l', 'd', 2, 'in_review', 3, '2026-11-30T02:00:00.000000Z', "
        "'2026-11-30T02:00:00.000000Z', '2026-11-30', '2026-12-14', '2027-01-12', 201)"
    )
    conn.raw.close()
    db = await Database.open(path)
    try:
        repos = Repositories.over(db)
        old = await repos.requests.get(1)
        assert old is not None and (old.status, old.claimed_by, old.signing_step) == (Status.IN_REVIEW, 201, 0)
        assert await repos.requests.count_open() == 1  # the trigger-kept counts survive the rebuild
        service = notice_served(
            accept_on_receipt(
                ApprovalService(
                    requests=repos.requests,
                    key_projects=repos.key_projects,
                    calendar=calendar,
                    policy=DeadlinePolicy(),
                    clock=clock,
                    tz=SHANGHAI,
                    chain=(Role.REVIEWER, Role.CHIEF),
                    notices=repos.notices,
                )
            )
        )
        signing = await service.approve(REVIEWER, 1)  # the reviewer holding it proposes: stored as signing
        assert signing.status is Status.SIGNING
        assert (await repos.requests.get(1)) == signing
        assert (await service.sign(CHIEF, 1)).decided_on == date(2026, 11, 30)
    finally:
        await db.close()


async def test_the_summary_counts_a_decision_being_signed_off_as_with_the_bureau(
    chained: ApprovalService, repos: Repositories
) -> None:
    request = await proposed(chained)
    assert await repos.summary.count_status(Status.SIGNING) == 1  # "awaiting signature 1"
    assert sum((await repos.summary.backlog_by_lane()).values()) == 1
    assert await repos.summary.count_open_due_by(request.promised_due) == 1
    assert await repos.summary.count_open_due_by(date(2026, 12, 11)) == 0  # promised by 2026-12-14
    await chained.sign(CHIEF, request.id)
    await chained.sign(DIRECTOR, request.id)
    assert sum((await repos.summary.backlog_by_lane()).values()) == 0
    assert await repos.summary.count_open_due_by(request.promised_due) == 0


@pytest.mark.parametrize("seed", range(6))
async def test_random_walks_never_decide_without_every_signature(
    chained: ApprovalService, clock: FakeClock, seed: int
) -> None:
    """Everyone pressing in random order: a decision comes only from the chain's last role after every earlier
    role signed, each step by a different person with that role, never the applicant; the audit log replays to the
    current state; and a request not decided waits on a named party."""
    rng = random.Random(seed)
    people = [REVIEWER, REVIEWER_2, CHIEF, CHIEF_2, DIRECTOR, CHIEF_AND_DIRECTOR, ADMIN]
    ids = [(await chained.submit(APPLICANT, make_draft(project_name=f"项目{n}"))).id for n in range(3)]
    ids.append((await chained.submit(DIRECTOR, make_draft(project_name="局长的项目"))).id)

    def step(i: int) -> Any:
        who = rng.choice(people)
        proposer = rng.choice([REVIEWER, REVIEWER_2, ADMIN])
        sign = [lambda: chained.sign(who, i, step=rng.choice([None, None, 1, 2]))] * 6  # the step under test
        rarely = [lambda: chained.withdraw(APPLICANT, i)] if rng.random() < 0.1 else []
        return rng.choice(
            [
                *sign,
                *rarely,
                lambda: chained.claim(who, i),
                lambda: chained.approve(who, i),
                lambda: chained.approve(proposer, i),  # who proposes: a reviewer (chiefs and directors sign later)
                lambda: chained.reject(who, i, "不符合"),
                lambda: chained.reject(proposer, i, "不符合"),
                lambda: chained.return_signature(who, i, "再核"),
                lambda: chained.request_info(who, i, "补充"),
                lambda: chained.resubmit(APPLICANT, i, "已补"),
                lambda: chained.revoke(ADMIN, i, "复核"),
                lambda: chained.release(who, i),
            ]
        )()

    for _ in range(200):
        if rng.random() < 0.2:
            clock.advance(days=1)
        with contextlib.suppress(DomainError):
            await step(rng.choice(ids))
    roles = {p.user_id: p.roles for p in people}
    walked = [e.action for i in ids for e in await chained.requests.history(i)]
    assert walked.count("approve") + walked.count("reject") >= 1  # the walk went through the chain to a decision
    for request_id in ids:
        request = await chained.requests.get(request_id)
        history = await chained.requests.history(request_id)
        status, signed = None, []
        for event in history:
            assert event.from_status == status
            status = event.to_status
            if event.action == "sign" and event.from_status is not Status.SIGNING:
                signed = [event.actor_id]  # a new round
            elif event.action == "sign":
                signed.append(event.actor_id)
                assert chained.chain[len(signed) - 1] in roles[event.actor_id]
            elif event.action in ("approve", "reject"):
                assert event.from_status is Status.SIGNING and len(signed) == len(chained.chain) - 1
                assert Role.DIRECTOR in roles[event.actor_id]
                signed.append(event.actor_id)
                assert len(set(signed)) == len(signed), f"someone signed twice on #{request_id}"
            if event.action in ("sign", "approve", "reject", "return_signature", "return_to_notice"):
                assert event.actor_id != request.applicant_id  # type: ignore[union-attr]
        assert request is not None and status is request.status
        assert request.is_final or request.status in WAITS_ON
        assert (request.status is Status.SIGNING) == (request.signing_decision is not None)
