"""Errors, in one place: a refused action gets a clear answer; anything else is logged and apologised for.

Also the last word on callbacks: a button no handler took (stale, forged, from an old version) is answered, and
forged data (see handlers/callbacks.py) is logged with the other denials.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, Update, User
from aiogram.utils.i18n import gettext as _

from approvals.errors import DomainError, Forbidden, NotClaimant, NotFound, SelfReview
from approvals.sign_off import NotSigner
from handlers import texts as t
from handlers.callbacks import is_forged
from handlers.context import AppContext
from handlers.journal import best_effort

log = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, text: str) -> None:
    """Say that the action failed. Not journalled: it confirms no change, and the database may be what failed —
    the user hears of it even then. (A kill in the instant before it is sent loses this notice; nothing changed.)"""
    update = event.update
    try:
        with best_effort():
            await _send(update, text)
    except TelegramBadRequest as exc:  # e.g. the callback query was already answered
        log.warning("could not report error update_id=%d error=%s", update.update_id, exc.message)


async def _send(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.message is not None:
        await update.message.answer(t.escape(text))


DENIALS = (Forbidden, NotFound, NotClaimant, SelfReview, NotSigner)  # refusals worth a line in the security log
FORGED = "ForgedData"  # the denial recorded for button data none of our buttons carries


def _what(event: ErrorEvent) -> str:
    """What was attempted, without the user's free text: a command name or a button's callback data."""
    update = event.update
    if update.callback_query is not None:
        return f"callback {update.callback_query.data or ''}"
    if update.message is not None and update.message.text and update.message.text.startswith("/"):
        return f"command {update.message.text.split()[0]}"
    return "message"


def build_router() -> Router:
    router = Router(name="errors")

    @router.errors(ExceptionTypeFilter(DomainError))
    async def refused(event: ErrorEvent, app: AppContext, event_from_user: User | None = None) -> None:
        exc = event.exception
        assert isinstance(exc, DomainError)
        log.info("refused update_id=%d error=%s", event.update.update_id, type(exc).__name__)
        if isinstance(exc, DENIALS) and event_from_user is not None:
            await app.repos.denials.record(
                event_from_user.id, type(exc).__name__, _what(event), app.approvals.clock.now()
            )
        await _tell(event, t.error(exc))

    @router.errors()
    async def unexpected(event: ErrorEvent) -> None:
        log.error("handler failed update_id=%d", event.update.update_id, exc_info=event.exception)
        await _tell(event, _("Sorry, something went wrong. Nothing was changed; please try again."))

    @router.callback_query()
    async def expired_button(query: CallbackQuery, event_update: Update, app: AppContext) -> None:
        data = query.data or ""
        if is_forged(data):
            log.info("refused update_id=%d error=%s", event_update.update_id, FORGED)
            await app.repos.denials.record(query.from_user.id, FORGED, f"callback {data}", app.approvals.clock.now())
        await query.answer(_("This button is no longer active."))  # the same words either way: nothing to learn

    return router
