"""The sandbox's sample data walks the real procedure: a request in each stage a newcomer meets, and none decided,
claimed or asked about before it was accepted (受理)."""

import asyncio
import sqlite3

from approvals.models import Status
from approvals.states import ACCEPTANCES, Action
from localbotapi import ChatUser
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
    # the bureau's copy of a document and a written notice issued are recorded in the background, whenever they
    # are done: bookkeeping, not steps of the procedure
    bookkeeping = {"keep_copy", "issue_paper"}

    async def steps(request_id: int) -> list[str]:
        return [e.action for e in await requests.history(request_id) if e.action not in bookkeeping]

    for request in found:
        actions = await steps(request.id)
        accepted = [n for n, action in enumerate(actions) if action in acceptances]
        first = accepted[0] if accepted else len(actions)
        assert set(actions[:first]) <= BEFORE_ACCEPTANCE, (request.id, actions)
        assert (request.status in {Status.RECEIVED, Status.INCOMPLETE, Status.RETURNED}) == (not accepted)
    returned = next(r for r in found if r.status is Status.RETURNED)
    assert await steps(returned.id) == ["submit", "list_missing", "return"]


async def test_a_restarted_sandbox_answers_at_once_and_never_edits_a_new_message_as_an_old_card(
    sandbox: Sandbox,
) -> None:
    """The stand-in Telegram starts afresh each time, the database does not: the restarted sandbox numbers updates
    and messages above what the database has handled and posted."""
    applicant = next(p for p in CAST if p.key == "applicant")

    async def help_answered(running: Sandbox) -> dict[str, object]:
        user = ChatUser(running.api.world, applicant.user_id, applicant.name, applicant.language)
        mark = user.last_id()
        await user.send("/help")
        return await user.expect("/submit", after=mark)

    await help_answered(sandbox)
    assert sandbox.application is not None
    database = sandbox.application.settings.database_path

    def cards_posted() -> int:  # what another connection sees: only committed rows
        with sqlite3.connect(database) as conn:
            return int(conn.execute("SELECT coalesce(max(message_id), 0) FROM cards").fetchone()[0])

    # the sample requests' cards go out through the outbox, in the background
    await sandbox.api.world.wait_until(cards_posted, timeout=60, poll=0.1)
    before = await sandbox.application.app.repos.cards.highest_message_id()
    assert before >= cards_posted() > 0
    await sandbox.stop()
    again = Sandbox(sandbox.data_dir, port=0)
    await again.start()
    try:
        answer = await asyncio.wait_for(help_answered(again), 60)  # not ignored as an update handled before
        assert int(answer["message_id"]) > before  # a new id: no old card's edit can land on it
    finally:
        await again.stop()
        sandbox.application = None  # stopped above: the fixture's stop has nothing left to do
