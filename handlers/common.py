"""For everyone: /start, /help (handlers/guide.py), /lang, /cancel."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals.models import Actor
from handlers import keyboards as kb
from handlers.callbacks import LangCB
from handlers.context import AppContext
from handlers.filters import in_private_chat, is_command
from handlers.guide import help_text
from handlers.replies import ChatTarget


def build_router() -> Router:
    router = Router(name="common")
    # every message handler here is a command: one test lets every other message (most of them: form answers)
    # skip this router instead of parsing it as each command in turn
    router.message.filter(is_command)

    @router.message(CommandStart())
    async def start(message: Message, actor: Actor, app: AppContext, state: FSMContext) -> None:
        await app.admin.remember(actor, app.i18n.current_locale)
        await app.repos.chats.deliverable_again(actor.user_id)  # writing to us means they unblocked the bot
        await message.answer(
            _(
                "<b>Welcome to the Green Channel (绿色通道)</b> of the district Environmental Protection Bureau.\n"
                "Livelihood, infrastructure and energy-saving projects are reviewed faster; the district's key "
                "projects go first of all. Deadlines are counted in working days.\n\n"
                "Please prepare: project name, construction organisation, contact and phone, category, EIA document "
                "type (report, report form or registration form), total investment (万元), location, a short "
                "description, the key project code if any, and the documents (PDF, DOC, DOCX or ZIP, up to 20 MB)."
                "\n\nSend /submit to begin."
            )
        )
        await message.answer(
            help_text(
                actor, private=in_private_chat(message), typed_numbers=typed(app), signs_off=app.approvals.signs_off
            )
        )

    @router.message(Command("help"))
    async def help_(message: Message, actor: Actor, app: AppContext) -> None:
        await message.answer(
            help_text(
                actor, private=in_private_chat(message), typed_numbers=typed(app), signs_off=app.approvals.signs_off
            )
        )

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        had_state = await state.get_state() is not None
        await state.clear()
        await message.answer(_("Cancelled. Nothing was submitted.") if had_state else _("Nothing to cancel."))

    @router.message(Command("lang"))
    async def choose_language(message: Message) -> None:
        await message.answer(_("Choose your language:"), reply_markup=kb.languages())

    @router.callback_query(LangCB.filter(F.locale.in_({"zh_CN", "en"})))
    async def set_language(
        query: CallbackQuery, callback_data: LangCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        await app.admin.set_locale(actor.user_id, callback_data.locale)
        with app.i18n.use_locale(callback_data.locale):
            text = _("Language set to English.") if callback_data.locale == "en" else _("Language set to Chinese.")
            await query.answer(text)
            await ChatTarget.of(query, bot).answer(text)

    return router


def typed(app: AppContext) -> bool:
    return not app.approvals.issues_numbers
