"""The form's quota steps: the new discharge typed (or none: the source step is skipped), then where its quota
comes from, picked with buttons."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals import quota as q
from approvals import validation as v
from approvals.quota_claim import QuotaClaim, QuotaSource
from handlers import quota_texts
from handlers.callbacks import QuotaAction, QuotaFormCB
from handlers.context import AppContext
from handlers.filters import in_private_chat
from handlers.form_flow import advance, ask
from handlers.form_steps import BY_FIELD
from handlers.quota_form_steps import claim_of, question, quota_prompt, stored
from handlers.replies import ChatTarget
from handlers.states import SubmitForm


def build_router() -> Router:
    router = Router(name="quota_form")
    router.message.filter(in_private_chat)
    router.callback_query.filter(StateFilter(SubmitForm))

    @router.message(SubmitForm.discharge)
    async def typed(message: Message, state: FSMContext, app: AppContext, bot: Bot) -> None:
        try:
            found = q.parse_discharges(message.text or "", app.quotas.settings.pollutants)
        except v.InvalidField as exc:
            text, markup = quota_prompt("discharge")
            await message.answer(f"{quota_texts.problem(exc)}\n{text}", reply_markup=markup)
            return
        chat = ChatTarget.of(message, bot)
        if not found:  # every amount zero: no new discharge
            await state.update_data(quota=None)
            await advance(chat, state, "quota_source", app)
            return
        before = claim_of(await state.get_data())
        claim = QuotaClaim(discharges=found) if before is None else before.model_copy(update={"discharges": found})
        await state.update_data(quota=stored(claim))
        await ask(chat, state, BY_FIELD["quota_source"], app)  # editing too: the source may change with it

    @router.message(SubmitForm.quota_source)
    async def not_a_button(message: Message, state: FSMContext, app: AppContext) -> None:
        text, markup = await question("quota_source", await state.get_data(), app)
        await message.answer(_("Please answer with the buttons or files asked for.") + "\n" + text, reply_markup=markup)

    @router.callback_query(QuotaFormCB.filter())
    async def picked(
        query: CallbackQuery, callback_data: QuotaFormCB, state: FSMContext, app: AppContext, bot: Bot
    ) -> None:
        current = await state.get_state()
        action = callback_data.action
        chat = ChatTarget.of(query, bot)
        if action is QuotaAction.NONE and current == SubmitForm.discharge.state:
            await query.answer()
            await state.update_data(quota=None)
            await advance(chat, state, "quota_source", app)
            return
        claim = claim_of(await state.get_data())
        if current != SubmitForm.quota_source.state or claim is None or action is QuotaAction.NONE:
            await query.answer(_("This button is no longer active."))
            return
        exempt = app.quotas.settings.exempt
        if action is QuotaAction.EXEMPT and callback_data.value >= len(exempt):
            await query.answer(_("This button is no longer active."))
            return
        if action is QuotaAction.REDUCTION and callback_data.value not in {
            r.id for r in await app.repos.quota.reductions()
        }:
            await query.answer(_("This button is no longer active."))
            return
        if action is QuotaAction.EXEMPT:
            chosen = {"source": QuotaSource.EXEMPT, "reduction_id": None, "exempt_as": exempt[callback_data.value]}
        elif action is QuotaAction.REDUCTION:
            chosen = {"source": QuotaSource.REDUCTION, "reduction_id": callback_data.value, "exempt_as": None}
        else:
            chosen = {"source": QuotaSource.ALLOCATION, "reduction_id": None, "exempt_as": None}
        await query.answer()
        await state.update_data(quota=stored(claim.model_copy(update=chosen)))
        await advance(chat, state, "quota_source", app)

    return router
