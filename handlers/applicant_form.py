"""/submit: the form an applicant fills in, one answer at a time, then confirms."""

from __future__ import annotations

import uuid

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from handlers import keyboards as kb
from handlers import texts as t
from handlers.callbacks import ChoiceCB, FormAction, FormCB, KeyPageCB
from handlers.context import AppContext
from handlers.filters import in_private_chat, is_typed_answer
from handlers.form_flow import advance, ask, confirm_markup, documents_screen, key_page_text, next_key_search
from handlers.form_steps import BY_FIELD, BY_STATE, TEXT_STATES, prompt
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import SubmitForm


def build_router() -> Router:
    router = Router(name="applicant_form")
    router.message.filter(in_private_chat)
    router.callback_query.filter(StateFilter(SubmitForm))  # every button here belongs to a form in progress

    @router.message(StateFilter(*TEXT_STATES), is_typed_answer)
    async def typed_answer(message: Message, state: FSMContext, app: AppContext, bot: Bot) -> None:
        step = BY_STATE[str(await state.get_state())]
        assert step.clean is not None
        try:
            value = step.clean(message.text or "")
        except v.InvalidField as exc:
            text, markup = prompt(step.field, editing=bool((await state.get_data()).get("editing")))
            await message.answer(f"{t.field_problem(exc)}\n{text}", reply_markup=markup)
            return
        await state.update_data({step.field: value})
        await advance(ChatTarget.of(message, bot), state, step.field, app)

    # after the answers: "/submit" in the middle of a form is not an answer, so it reaches here and restarts
    @router.message(Command("submit"))
    async def begin(message: Message, state: FSMContext, app: AppContext, bot: Bot) -> None:
        await state.clear()
        # one key per form: pressing Submit twice, or the same update arriving again, makes one request; the
        # /submit message's id names the form on its confirmation screens (handlers/form_flow.py)
        await state.update_data(attachments=[], client_key=uuid.uuid4().hex, form=message.message_id, version=0)
        await ask(ChatTarget.of(message, bot), state, BY_FIELD["project_name"], app)

    @router.callback_query(
        StateFilter(SubmitForm.category, SubmitForm.document_type),
        ChoiceCB.filter(F.field.in_({"category", "document_type"})),
    )
    async def picked(
        query: CallbackQuery, callback_data: ChoiceCB, state: FSMContext, app: AppContext, bot: Bot
    ) -> None:
        step = BY_STATE[str(await state.get_state())]
        if step.field != callback_data.field:
            await query.answer(_("This button is no longer active."))
            return
        await query.answer()
        await state.update_data({step.field: callback_data.value})
        await advance(ChatTarget.of(query, bot), state, step.field, app)

    @router.message(SubmitForm.key_project, F.text)
    async def search_key(message: Message, state: FSMContext, app: AppContext) -> None:
        found = await app.admin.key_project_page(message.text or "")
        search = next_key_search(await state.get_data())
        # the text is bounded by the use case: the page buttons search it again
        await state.update_data(key_query=found.text, key_search=search)
        lead = _("Pick the project:") if found.items else _("No key project matches; try another code or name.")
        await message.answer(key_page_text(found, lead), reply_markup=kb.key_projects(found, search))

    @router.callback_query(SubmitForm.key_project, KeyPageCB.filter())
    async def key_page(query: CallbackQuery, callback_data: KeyPageCB, state: FSMContext, app: AppContext) -> None:
        data = await state.get_data()
        if int(data.get("key_search", 0)) != callback_data.search:  # an earlier list's page: leave it as it is
            await query.answer(_("This list is out of date: use the latest one, or send the code or name again."))
            return
        found = await app.admin.key_project_page(str(data.get("key_query", "")), page=callback_data.page)
        await query.answer()
        lead = _("Pick the project:") if found.items else _("No key project matches; try another code or name.")
        await edit_or_send(query, key_page_text(found, lead), kb.key_projects(found, callback_data.search))

    @router.callback_query(SubmitForm.key_project, ChoiceCB.filter(F.field == "key_code"))
    async def picked_key(
        query: CallbackQuery, callback_data: ChoiceCB, state: FSMContext, app: AppContext, bot: Bot
    ) -> None:
        if await app.repos.key_projects.get(callback_data.value) is None:
            await query.answer(_("That project is no longer on the list."), show_alert=True)
            return
        await query.answer()
        await state.update_data(key_code=callback_data.value)
        await advance(ChatTarget.of(query, bot), state, "key_project", app)

    @router.callback_query(SubmitForm.eia_firm, FormCB.filter(F.action == FormAction.NO_FIRM))
    async def no_firm(query: CallbackQuery, state: FSMContext, app: AppContext, bot: Bot) -> None:
        await query.answer()
        await state.update_data(eia_firm=None)
        await advance(ChatTarget.of(query, bot), state, "eia_firm", app)

    @router.callback_query(SubmitForm.key_project, FormCB.filter(F.action == FormAction.NOT_KEY))
    async def not_key(query: CallbackQuery, state: FSMContext, app: AppContext, bot: Bot) -> None:
        await query.answer()
        await state.update_data(key_code=None)
        await advance(ChatTarget.of(query, bot), state, "key_project", app)

    @router.message(
        StateFilter(SubmitForm.category, SubmitForm.document_type, SubmitForm.documents, SubmitForm.confirm)
    )
    async def wrong_kind(message: Message, state: FSMContext) -> None:
        step = BY_STATE.get(str(await state.get_state()))
        if step is None:
            await message.answer(
                _("Please use the buttons above, or /cancel."), reply_markup=confirm_markup(await state.get_data())
            )
            return
        text, markup = prompt(step.field)
        if step.field == "documents":  # with the files sent so far and their remove buttons
            text, markup = documents_screen(await state.get_data(), text)
        await message.answer(_("Please answer with the buttons or files asked for.") + "\n" + text, reply_markup=markup)

    return router
