"""Periods that run out (approvals/completeness.py): a received request no reviewer checked within 5 working days
is deemed accepted as of its receipt (art. 32(4)); a submission whose listed material did not come within
COMPLETION_DAYS is returned (退件). Each is the request's own compare-and-set step, audited and told through the
outbox in its transaction: taken once, however often and in however many processes this runs, and after a
restart whatever fell due meanwhile is taken at the first run."""

from __future__ import annotations

import logging

from approvals.completeness import overdue_step
from approvals.models import Status
from handlers.context import AppContext

log = logging.getLogger(__name__)
WATCHED = (Status.RECEIVED, Status.INCOMPLETE)
BATCH = 10_000  # requests awaiting a check or material: a district bureau has dozens


async def take_overdue_steps(app: AppContext) -> int:
    """Returns how many steps this run took."""
    service = app.approvals
    today = service.today()
    taken = 0
    for request in await app.repos.requests.with_status(WATCHED, limit=BATCH):
        if overdue_step(request, today, service.calendar, service.policy) is None:
            continue  # read once here to write nothing for the many still in time
        if await service.take_overdue_step(request.id) is not None:
            taken += 1
    if taken:
        log.info("periods run out count=%d", taken)
    return taken
