"""The sign-off chain in the chat: a SIGNING card's Sign and Return buttons, and /sign (what awaits my signature).

The rules are approvals/sign_off.py's; the reason for a return is asked like any reviewer's reason
(handlers/reviewer.py, state Review.reason) and carries the step the card showed.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals.errors import InvalidTransition
from approvals.models import Actor
from approvals.service import ensure_reviewer
from approvals.states import Action
from handlers import keyboards as kb
from handlers import prompts, sign_texts
from handlers.callbacks import SignAction, SignCB
from handlers.cards import AdoptCards
from handlers.context import AppContext
from handlers.replies import ChatTarget, edit_or_send
from handlers.reviewer import prompt_open
from handlers.states import Review

SHOWN = 20  # requests listed by /sign, each a line and a button (oldest first: the rest follow as these are signed)


def build_router() -> Router:
    router = Router(name="sign_off")
    router.callback_query.middleware(AdoptCards())

    @router.callback_query(SignCB.filter(F.action == SignAction.ASK))
    async def ask(query: CallbackQuery, callback_data: SignCB, actor: Actor, app: AppContext, bot: Bot) -> None:
        """Say what this signature does before it is given: the last one issues the decision."""
        rid, step = callback_data.id, callback_data.step
        await app.approvals.check_signature(actor, rid, Action.SIGN, step=step)  # refused now, not after a press
        view = await app.approvals.view(actor, rid)
        if view.sign_off is None:  # returned or decided in between
            raise InvalidTransition(view.request.status.value, Action.SIGN.value)
        await query.answer()
        text = sign_texts.ask(view.request, view.sign_off, actor.name)
        await ChatTarget.of(query, bot).answer(text, kb.sign_prompt(rid, step))

    @router.callback_query(SignCB.filter(F.action == SignAction.SIGN))
    async def sign(query: CallbackQuery, callback_data: SignCB, actor: Actor, app: AppContext) -> None:
        request = await app.approvals.sign(actor, callback_data.id, step=callback_data.step)
        await query.answer(_("Signed."))
        await edit_or_send(query, sign_texts.signed(request))

    @router.callback_query(SignCB.filter(F.action == SignAction.CANCEL))
    async def cancel(query: CallbackQuery) -> None:
        await query.answer(_("Cancelled."))
        await edit_or_send(query, _("Cancelled."))

    @router.callback_query(SignCB.filter(F.action == SignAction.RETURN))
    async def ask_reason(
        query: CallbackQuery, callback_data: SignCB, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        rid, step = callback_data.id, callback_data.step
        if await prompt_open(state, rid, Action.RETURN_SIGNATURE):
            await query.answer(_("Already asked: reply to the message above, or press Cancel there."))
            return
        await app.approvals.check_signature(actor, rid, Action.RETURN_SIGNATURE, step=step)
        request = await app.approvals.documents(actor, rid)
        await query.answer()
        await state.set_state(Review.reason)
        await state.update_data(request_id=rid, action=Action.RETURN_SIGNATURE.value, step=step)
        text = sign_texts.return_prompt(request, actor.name)
        await prompts.remember(state, await ChatTarget.of(query, bot).answer(text, kb.cancel_review(rid)))

    @router.message(Command("sign"))
    async def awaiting(message: Message, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, "sign")
        waiting = await app.approvals.awaiting_signature(actor)
        shown = waiting[:SHOWN]
        text = sign_texts.awaiting_list(shown, len(waiting))
        await message.answer(text, reply_markup=kb.open_cards([r.id for r in shown]))

    return router
