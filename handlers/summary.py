"""The daily summary on demand (/summary) and who receives it every day (/subscribe, /unsubscribe)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor
from approvals.service import ensure_admin, ensure_reviewer
from handlers import keyboards as kb
from handlers import texts as t
from handlers.callbacks import SubscriptionCB
from handlers.context import AppContext
from handlers.filters import in_private_chat
from handlers.replies import edit_or_send
from reports.summary import render
from storage.ports import Outgoing


def build_router() -> Router:
    router = Router(name="summary")

    @router.message(Command("summary"))
    async def summary(message: Message, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "summary")
        figures = await app.figures()
        locale = app.i18n.current_locale
        for item in await render(app, figures, locale, with_charts=True):
            if item.photo is not None:
                await message.answer_photo(BufferedInputFile(item.photo, "chart.png"))
            else:
                await message.answer(item.text or "")

    @router.message(Command("subscribe"), in_private_chat)
    async def subscribe(message: Message, actor: Actor, app: AppContext) -> None:
        await app.admin.remember(actor, app.i18n.current_locale)
        notices = []
        for admin_id in sorted(app.admin.admin_ids):
            with app.i18n.use_locale(await app.locale_for_chat(admin_id)):
                markup = kb.subscription(actor.user_id)
                text = _("{name} ({id}) asks to receive the daily summary.").format(
                    name=t.escape(actor.name), id=actor.user_id
                )
            notices.append(Outgoing(admin_id, text, reply_markup=markup.model_dump_json(exclude_none=True)))
        # the request and the admins' notices are one write: no request waits that no admin was told of
        status = await app.repos.subscribers.request(actor.user_id, notices, app.approvals.clock.now())
        if status == "active":
            await message.answer(_("You already receive the daily summary."))
        else:
            await message.answer(_("Your request was sent to the administrators."))

    @router.message(Command("unsubscribe"), in_private_chat)
    async def unsubscribe(message: Message, actor: Actor, app: AppContext) -> None:
        removed = await app.repos.subscribers.remove(actor.user_id)
        await message.answer(
            _("You will no longer receive the daily summary.") if removed else _("You were not subscribed.")
        )

    @router.callback_query(SubscriptionCB.filter())
    async def decide(query: CallbackQuery, callback_data: SubscriptionCB, actor: Actor, app: AppContext) -> None:
        ensure_admin(actor, "approve_subscription")
        user_id = callback_data.user_id
        with app.i18n.use_locale(await app.locale_for_chat(user_id)):
            text = (
                _("You will receive the daily summary.")
                if callback_data.approve
                else _("Your subscription was declined.")
            )
        # the decision and the notice to the person are one write: no one is subscribed and never told
        decide_with_notice = app.repos.subscribers.approve if callback_data.approve else app.repos.subscribers.decline
        changed = await decide_with_notice(user_id, Outgoing(user_id, text), app.approvals.clock.now())
        await query.answer(_("Done.") if changed else _("Already handled."))
        if not changed:
            return
        await edit_or_send(
            query,
            (_("✅ Subscription approved for {id}.") if callback_data.approve else _("Declined for {id}.")).format(
                id=user_id
            ),
        )

    return router
