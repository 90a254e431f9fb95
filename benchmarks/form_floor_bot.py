"""The floor: the form's questions written the plainest way aiogram allows — one router, aiogram's in-memory FSM,
aiogram's i18n middleware, the same texts and keyboards as Green Channel (imported from ``handlers``), and the
same session and dispatcher settings as the echo bot. Nothing stored, no update ledger, no roles, no throttle,
no input checks beyond the form's own cleaning.

It answers only the closed loop of form questions (``/submit``, the typed answers, the choice buttons, "not a key
project", ``/cancel``). Its throughput over the echo bot's is what any aiogram bot showing these messages can
reach on this machine; Green Channel's over it is what durability, the ledger, roles and the rest cost.

``python -m benchmarks.form_floor_bot`` reads BOT_TOKEN, TELEGRAM_API_BASE and MAX_CONCURRENT_UPDATES.
"""

from __future__ import annotations

import asyncio

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.middleware import SimpleI18nMiddleware

from approvals.admin import KeyMatches
from benchmarks.bare_bot import bare_bot, poll
from benchmarks.processes import ROOT, key_projects
from handlers import keyboards as kb
from handlers.callbacks import ChoiceCB, FormAction, FormCB
from handlers.filters import is_typed_answer, run_filters_inline
from handlers.form_flow import key_page_text
from handlers.form_steps import BY_FIELD, BY_STATE, TEXT_STATES, Step, next_step, prompt

ALL_KEY_PROJECTS = key_projects()
# what Green Channel's key-project question shows: the first eight, and how many more there are
SHOWN_KEY_PROJECTS = KeyMatches("", ALL_KEY_PROJECTS[:8], len(ALL_KEY_PROJECTS), 0, 8)


async def ask(bot: Bot, chat_id: int, state: FSMContext, step: Step | None) -> None:
    assert step is not None
    await state.set_state(step.state)
    text, markup = prompt(step.field)
    if step.field == "key_project":
        text, markup = key_page_text(SHOWN_KEY_PROJECTS, text), kb.key_projects(SHOWN_KEY_PROJECTS)
    await bot.send_message(chat_id, text, reply_markup=markup)


def build_router() -> Router:
    router = Router()

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("Cancelled. Nothing was submitted."))

    @router.message(Command("submit"))
    async def begin(message: Message, state: FSMContext, bot: Bot) -> None:
        await state.set_data({"attachments": []})
        await ask(bot, message.chat.id, state, BY_FIELD["project_name"])

    @router.message(StateFilter(*TEXT_STATES), is_typed_answer)
    async def typed(message: Message, state: FSMContext, bot: Bot) -> None:
        step = BY_STATE[str(await state.get_state())]
        assert step.clean is not None
        await state.update_data({step.field: step.clean(message.text or "")})
        await ask(bot, message.chat.id, state, next_step(step.field))

    @router.callback_query(ChoiceCB.filter())
    async def picked(query: CallbackQuery, callback_data: ChoiceCB, state: FSMContext, bot: Bot) -> None:
        step = BY_STATE[str(await state.get_state())]
        await query.answer()
        await state.update_data({step.field: callback_data.value})
        await ask(bot, query.from_user.id, state, next_step(step.field))

    @router.callback_query(FormCB.filter())
    async def not_key(query: CallbackQuery, callback_data: FormCB, state: FSMContext, bot: Bot) -> None:
        await query.answer()
        if callback_data.action is FormAction.NOT_KEY:
            await state.update_data(key_code=None)
            await ask(bot, query.from_user.id, state, next_step("key_project"))

    return router


async def main() -> None:
    bot, dp = bare_bot()
    SimpleI18nMiddleware(I18n(path=ROOT / "locales", default_locale="zh_CN", domain="messages")).setup(dp)
    dp.include_router(build_router())
    run_filters_inline(dp)
    await poll(bot, dp)


if __name__ == "__main__":
    asyncio.run(main())
