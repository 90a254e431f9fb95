"""The sandbox's sample data walks the real procedure: a request in each stage a newcomer meets, and none decided,
claimed or asked about before it was accepted (受理)."""

from approvals.models import Status
from approvals.states import ACCEPTANCES, Action
from sandbox.app import Sandbox
from sandbox.cast import CAST

BEFORE_ACCEPTANCE = {Action.SUBMIT.value, Action.LIST_MISSING.value, Action.SUPPLY.value, Action.RETURN.value}


async def test_the_sample_data_shows_every_stage_each_reached_through_acceptance(sandbox: Sandbox) -> None:
    assert sandbox.application is not None
    requests = sandbox.application.app.repos.requests
    found = [r for p in CAST[:2] for r in await requests.by_applicant(p.user_id, limit=50)]
    stages = {r.status for r in found}
    assert stages >= {
        Status.RECEIVED,
        Status.INCOMPLETE,
        Status.RETURNED,
        Status.IN_REVIEW,
        Status.NEEDS_INFO,
        Status.APPROVED,
        Status.REJECTED,
    }
    acceptances = {a.value for a in ACCEPTANCES}
    for request in found:
        actions = [e.action for e in await requests.history(request.id)]
        accepted = [n for n, action in enumerate(actions) if action in acceptances]
        first = accepted[0] if accepted else len(actions)
        assert set(actions[:first]) <= BEFORE_ACCEPTANCE, (request.id, actions)
        assert (request.status in {Status.RECEIVED, Status.INCOMPLETE, Status.RETURNED}) == (not accepted)
    returned = next(r for r in found if r.status is Status.RETURNED)
    assert [e.action for e in await requests.history(returned.id)] == ["submit", "list_missing", "return"]
