"""Messages to people other than the one acting: request cards for reviewers, news for the applicant.

Each is rendered in the recipient's language. A recipient who blocked the bot or a card that was deleted must
not undo a decision that is already stored, so delivery errors are logged, not raised.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor, ApprovalRequest, Role, Status
from handlers import keyboards as kb
from handlers import views
from handlers.context import AppContext

log = logging.getLogger(__name__)


async def render_card(app: AppContext, request_id: int, locale: str) -> tuple[str, ApprovalRequest]:
    reviewer = Actor(user_id=0, roles=frozenset({Role.REVIEWER}))  # cards are for reviewers: full view
    view = await app.approvals.view(reviewer, request_id)
    project = await app.repos.key_projects.get(view.request.key_code) if view.request.key_code else None
    with app.i18n.use_locale(locale):
        return views.card(view, project_name=project.name if project else None), view.request


async def send_card(bot: Bot, app: AppContext, request_id: int, chat_id: int) -> None:
    """Show a request's card with its buttons in ``chat_id`` and remember it for later updates."""
    locale = await app.locale_for_chat(chat_id)
    text, request = await render_card(app, request_id, locale)
    with app.i18n.use_locale(locale):
        markup = kb.review(request)
    message = await bot.send_message(chat_id, text, reply_markup=markup)
    await app.repos.cards.add(request_id, chat_id, message.message_id)


async def post_card(bot: Bot, app: AppContext, request_id: int) -> None:
    """A new or resubmitted request appears in the reviewers' group."""
    if app.reviewer_chat_id is None:
        return
    try:
        await send_card(bot, app, request_id, app.reviewer_chat_id)
    except (TelegramBadRequest, TelegramForbiddenError) as exc:
        log.warning("card not posted request_id=%d chat_id=%d error=%s", request_id, app.reviewer_chat_id, exc)


async def refresh_cards(bot: Bot, app: AppContext, request_id: int) -> None:
    """Every copy of the card shows the request as it is now: status, who decided, remaining buttons."""
    for chat_id, message_id in await app.repos.cards.of(request_id):
        locale = await app.locale_for_chat(chat_id)
        text, request = await render_card(app, request_id, locale)
        with app.i18n.use_locale(locale):
            markup = kb.review(request)
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                log.warning("card not updated request_id=%d chat_id=%d error=%s", request_id, chat_id, exc.message)
        except TelegramForbiddenError as exc:
            log.warning("card not updated request_id=%d chat_id=%d error=%s", request_id, chat_id, exc.message)


async def tell_applicant(bot: Bot, app: AppContext, request: ApprovalRequest) -> None:
    """The applicant hears at once what a reviewer decided, in their own language."""
    locale = await app.locale_for_chat(request.applicant_id)
    with app.i18n.use_locale(locale):
        name = views.escape(request.project_name)
        markup = None
        if request.status is Status.APPROVED:
            number = request.approval_number or "—"
            text = _("✅ Request #{id} {name} is approved. Approval number: {number}").format(
                id=request.id, name=name, number=views.escape(number)
            )
        elif request.status is Status.REJECTED:
            text = _("Request #{id} {name} was not approved. Reason: {reason}").format(
                id=request.id, name=name, reason=views.escape(request.last_reason or "")
            )
        elif request.status is Status.NEEDS_INFO:
            text = _(
                "📎 The bureau needs more material for request #{id} {name}: {reason}\n"
                "The deadline is paused until you reply. Press the button, then send text and/or documents."
            ).format(id=request.id, name=name, reason=views.escape(request.last_reason or ""))
            markup = kb.supplement_start(request.id)
        else:
            return
    try:
        await bot.send_message(request.applicant_id, text, reply_markup=markup)
    except (TelegramBadRequest, TelegramForbiddenError) as exc:
        log.warning("applicant not told request_id=%d error=%s", request.id, exc)
