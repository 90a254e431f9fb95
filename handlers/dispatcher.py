"""The dispatcher: middlewares and routers in the order they must run."""

from __future__ import annotations

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseStorage

from coordination import Coordination, LocalCoordination
from handlers import (
    admin,
    applicant,
    applicant_form,
    clock,
    common,
    completeness,
    details,
    errors,
    fallback,
    files,
    form_confirm,
    form_documents,
    hearings,
    key_projects,
    key_service,
    log_context,
    notes,
    oversight,
    queue,
    quota,
    quota_form,
    reviewer,
    search,
    sign_off,
    summary,
)
from handlers.context import AppContext
from handlers.filters import run_filters_inline
from handlers.form_resume import RepeatFormQuestion
from handlers.middlewares import ActorMiddleware, LocaleMiddleware, UpdateLedger
from handlers.polling import DurableDispatcher
from handlers.throttle import Throttle

STOP_GRACE_SECONDS = 10.0


def build_dispatcher(
    app: AppContext,
    storage: BaseStorage | None,
    *,
    throttle: Throttle | None = None,
    observe: BaseMiddleware | None = None,
    coordination: Coordination | None = None,
) -> DurableDispatcher:
    """A fresh dispatcher with fresh routers (a router can be attached only once). ``observe`` (the metrics'
    middleware) goes around everything of ours, to see every update and time it to its commit. ``coordination``:
    this process alone (the default) or the instances sharing a Redis. ``storage``: the database's form state, None
    where it keeps none (coordination's shared store holds it then)."""
    shared = coordination or LocalCoordination()
    # One update at a time per user and chat: several documents sent at once must not race on the form data.
    dp = DurableDispatcher(
        inbox=app.repos.inbox,
        storage=shared.form_storage(storage),
        events_isolation=shared.events_isolation(),
        app=app,
    )
    log_context.setup(dp)  # first of ours: every line below names the update (and the request) in hand
    ledger = UpdateLedger(app, shared)
    # first: an update handled before is not handled again, and every update — a flood's too — leaves the inbox
    if observe is not None:
        dp.update.outer_middleware(observe)
    dp.update.outer_middleware(ledger)
    # then flood control, before any other work
    dp.update.outer_middleware(throttle or Throttle(app.i18n, shared.buckets(3.0, 20.0)))
    dp.update.outer_middleware(ActorMiddleware(app))  # then roles and language choice for everything below
    LocaleMiddleware(app).setup(dp)
    dp.message.middleware(RepeatFormQuestion(app))  # around the handler: a command inside a form, then its question
    # Order matters: /cancel and /start work inside any form; the form claims its states before the
    # free-standing applicant commands; then the hint for any message addressed to the bot that nothing took
    # (after every other message handler); errors and the catch-all for stale buttons come last.
    dp.include_routers(
        common.build_router(),
        form_documents.build_router(),  # before the form's catch-all for answers of the wrong kind
        applicant_form.build_router(),
        quota_form.build_router(),
        form_confirm.build_router(),
        applicant.build_router(),
        reviewer.build_router(),
        sign_off.build_router(),
        completeness.build_router(),
        clock.build_router(),
        details.build_router(),
        files.build_router(),
        queue.build_router(),
        notes.build_router(),
        hearings.build_router(),
        search.build_router(),
        quota.build_router(),  # before key_projects: an .xlsx captioned /quota is opening amounts
        admin.build_router(),
        key_projects.build_router(),
        key_service.build_router(),
        oversight.build_router(),
        summary.build_router(),
        fallback.build_router(),
        errors.build_router(),
    )

    async def let_handlers_finish() -> None:  # registered first, so it runs before the jobs stop
        await ledger.drain(STOP_GRACE_SECONDS)

    dp.shutdown.register(let_handlers_finish)
    run_filters_inline(dp)
    return dp
