"""/submit's documents step: files received one at a time (one sent again is recognised, not kept twice), listed
with a remove button each, and Done to the confirmation screen. Editing the documents from that screen starts from
the files already sent: one can be removed or added without sending the others again.

The remove buttons carry the form and the version of the draft their list showed (as the confirmation screen's
do), and a removal makes a new version: "remove the 2nd" pressed on a list that a removal left behind removes
nothing, and the current list is shown instead. A file received only adds to the end, so the numbers on the lists
already shown stay true and their version with them.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.models import Attachment
from handlers import texts as t
from handlers.callbacks import DraftFileCB, FormAction, FormCB
from handlers.context import AppContext
from handlers.filters import in_private_chat
from handlers.form_flow import LEGACY_FORM, documents_screen, out_of_date, show_confirmation, show_current
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import SubmitForm
from handlers.uploads import check_room, received


def build_router() -> Router:
    router = Router(name="form_documents")
    router.message.filter(in_private_chat)
    router.callback_query.filter(StateFilter(SubmitForm))  # every button here belongs to a form in progress

    @router.message(SubmitForm.documents, F.document)
    async def document(message: Message, state: FSMContext, app: AppContext) -> None:
        data = await state.get_data()
        sent = list(data.get("attachments", []))
        files = [Attachment(**a) for a in sent]
        try:
            check_room(files)
            attachment, new = await received(message, files, app.approvals.clock.now())
        except v.InvalidField as exc:
            text, markup = documents_screen(data, t.field_problem(exc))
            await message.answer(text, reply_markup=markup)
            return
        name = t.escape(attachment.name)
        if new:
            sent.append(attachment.model_dump(mode="json"))
            data = await state.update_data(attachments=sent)
            lead = _("Received {name} ({count} in total). Send more, or press Done.").format(name=name, count=len(sent))
        else:
            lead = _("{name} was received already; it is kept once. Send another, or press Done.").format(name=name)
        text, markup = documents_screen(data, lead)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(DraftFileCB.filter())
    async def remove(
        query: CallbackQuery, callback_data: DraftFileCB, state: FSMContext, app: AppContext, bot: Bot
    ) -> None:
        data = await state.get_data()
        sent = list(data.get("attachments", []))
        form, version = int(data.get("form", LEGACY_FORM)), int(data.get("version", 0))
        current = await state.get_state() == SubmitForm.documents.state and (form, version) == (
            callback_data.form,
            callback_data.version,
        )
        if not current or callback_data.index >= len(sent):
            await query.answer(out_of_date())
            await show_current(ChatTarget.of(query, bot), state, app)
            return
        gone = sent.pop(callback_data.index)
        data = await state.update_data(attachments=sent, version=version + 1)
        await query.answer(_("Removed."))
        lead = _("Removed {name}. Send more, or press Done.").format(name=t.escape(str(gone["name"])))
        text, markup = documents_screen(data, lead)
        await edit_or_send(query, text, markup)

    @router.callback_query(SubmitForm.documents, FormCB.filter(F.action == FormAction.DOCS_DONE))
    async def documents_done(query: CallbackQuery, state: FSMContext, app: AppContext, bot: Bot) -> None:
        if not (await state.get_data()).get("attachments"):
            await query.answer(_("Please send at least one document first."), show_alert=True)
            return
        await query.answer()
        await show_confirmation(ChatTarget.of(query, bot), state, app)

    return router
