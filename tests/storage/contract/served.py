"""The use cases over a backend's repositories with its notice store, for the figures' contract tests: as
``tests/conftest.py``'s ``service`` (each submission accepted at once, an approval's notice of the intended decision
taken as already run) and ``receiving`` fixtures, on either backend."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.models import Actor, ApprovalRequest
from approvals.notice_service import PROPOSABLE
from approvals.notices import NoticeKind
from approvals.service import ApprovalService
from tests.conftest import SHANGHAI, FakeClock, accept_on_receipt

if TYPE_CHECKING:
    from tests.storage.contract.conftest import Backend


def receiving(backend: Backend, calendar: WorkCalendar, clock: FakeClock) -> ApprovalService:
    return ApprovalService(
        requests=backend.requests,
        key_projects=backend.key_projects,
        calendar=calendar,
        policy=DeadlinePolicy(),
        clock=clock,
        tz=SHANGHAI,
        notices=backend.notices,
    )


def served(backend: Backend, calendar: WorkCalendar, clock: FakeClock) -> ApprovalService:
    service = accept_on_receipt(receiving(backend, calendar, clock))
    approve = service.approve

    async def approve_after_notice(
        actor: Actor, request_id: int, approval_number: str | None = None
    ) -> ApprovalRequest:
        request = await service.requests.get(request_id)
        if request is not None and request.status in PROPOSABLE:
            await service.propose_approval(actor, request_id)
            # its five working days taken as run: the notice moved before today, in SQL both dialects read alike
            yesterday = (service.today() - timedelta(days=1)).isoformat()
            await backend.rows(
                f"UPDATE notices SET ends_on = '{yesterday}', opens_on = CASE WHEN opens_on < '{yesterday}' "
                f"THEN opens_on ELSE '{yesterday}' END WHERE request_id = {int(request_id)} "
                f"AND kind = '{NoticeKind.INTENDED_DECISION.value}'"
            )
        return await approve(actor, request_id, approval_number)

    service.approve = approve_after_notice  # type: ignore[method-assign]
    return service
