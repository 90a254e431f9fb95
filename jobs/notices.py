"""Public notices that ran their course (approvals/notices.py): each end is recorded once, and a notice of the
intended decision that ended tells the reviewer holding the request (and the group) it may now be approved —
an audit event written with the end, told through the outbox. Runs with the other periods."""

from __future__ import annotations

import logging

from handlers.context import AppContext

log = logging.getLogger(__name__)


async def end_notices(app: AppContext) -> int:
    """Returns how many notices this run ended."""
    ended = await app.approvals.end_notices()
    if ended:
        log.info("notices ended count=%d", len(ended))
    return len(ended)
