"""A request's view with what its notices add to it (the end of its intended-decision notice, its acceptance
notice): the views the card, /status, /my and /queue render are read through here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from approvals.models import Status
from approvals.notices import Notice, NoticeKind, decision_allowed_from
from approvals.progress import QueuePage, RequestView
from handlers import notice_texts
from handlers.context import AppContext


def ended(view: RequestView, found: list[Notice], today: date) -> RequestView:
    """``view`` marked with its notice's last day if it is in notice and that notice has run."""
    if view.request.status is not Status.IN_NOTICE:
        return view
    notice = notice_texts.latest(found, NoticeKind.INTENDED_DECISION)
    if notice is None or today < decision_allowed_from(notice):
        return view
    return replace(view, notice_ended_on=notice.ends_on)


async def with_notice(app: AppContext, view: RequestView) -> RequestView:
    if view.request.status is not Status.IN_NOTICE:
        return view  # no read for the others
    return ended(view, await app.repos.notices.of(view.request.id), app.approvals.today())


async def with_notices(app: AppContext, found: list[RequestView]) -> list[RequestView]:
    return [await with_notice(app, view) for view in found]


async def queue_with_notices(app: AppContext, page: QueuePage) -> QueuePage:
    return replace(page, items=await with_notices(app, page.items))


async def acceptance_until(app: AppContext, request_id: int) -> date | None:
    """The last day of the request's acceptance notice (受理公示), if it has one still running."""
    notice = notice_texts.latest(await app.repos.notices.of(request_id), NoticeKind.ACCEPTANCE)
    return notice.ends_on if notice is not None and notice.is_open(app.approvals.today()) else None
