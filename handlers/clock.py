"""Reviewers stop the clock (excluded time, art. 45) from a card: the kind by a button, then the working days by
a button or typed; and restart it with the result typed. Or by command: /stopclock 12 hearing 10,
/resumeclock 12 result. The rules are the domain's (approvals/clock_service.py); this only asks and shows."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.clock_stops import MAX_DAYS, MIN_DAYS, StopKind, clean_days
from approvals.errors import DomainError, InvalidTransition
from approvals.models import Actor, ApprovalRequest
from approvals.service import ensure_reviewer
from approvals.states import Action
from handlers import args, clock_texts, prompts
from handlers import texts as t
from handlers.callbacks import ClockAction, ClockCB
from handlers.cards import AdoptCards
from handlers.context import AppContext
from handlers.filters import is_typed_answer
from handlers.keyboards import rows
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import ClockStop

KINDS = tuple(StopKind)  # a button carries the index
DAY_CHOICES = (5, 10, 20, 30)
# the words /stopclock takes for each kind, English and Chinese
KIND_WORDS = {
    "technical": StopKind.TECHNICAL_ASSESSMENT,
    "assessment": StopKind.TECHNICAL_ASSESSMENT,
    "技术评估": StopKind.TECHNICAL_ASSESSMENT,
    "expert": StopKind.EXPERT_REVIEW,
    "experts": StopKind.EXPERT_REVIEW,
    "专家评审": StopKind.EXPERT_REVIEW,
    "hearing": StopKind.HEARING,
    "听证": StopKind.HEARING,
}


def kinds_markup(request_id: int) -> InlineKeyboardMarkup:
    return rows(
        *(
            [(clock_texts.kind(k), ClockCB(action=ClockAction.KIND, id=request_id, kind=n))]
            for n, k in enumerate(KINDS)
        ),
        [(_("Cancel"), ClockCB(action=ClockAction.CANCEL, id=request_id))],
    )


def days_markup(request_id: int, kind: int) -> InlineKeyboardMarkup:
    return rows(
        [(str(d), ClockCB(action=ClockAction.DAYS, id=request_id, kind=kind, days=d)) for d in DAY_CHOICES],
        [(_("Cancel"), ClockCB(action=ClockAction.CANCEL, id=request_id))],
    )


def cancel_markup(request_id: int) -> InlineKeyboardMarkup:
    return rows([(_("Cancel"), ClockCB(action=ClockAction.CANCEL, id=request_id))])


def stopped(request: ApprovalRequest, kind: StopKind, days: int) -> str:
    return _("⏸ #{id}: the clock is stopped for {kind}, {days}. The applicant is told.").format(
        id=request.id, kind=clock_texts.kind(kind), days=clock_texts.working_days(days)
    )


def resumed(request: ApprovalRequest) -> str:
    return _("▶️ #{id}: the clock runs again; promised by {promised} · legal limit {statutory}.").format(
        id=request.id, promised=request.promised_due.isoformat(), statutory=request.statutory_due.isoformat()
    )


async def _ours(state: FSMContext, request_id: int) -> bool:
    """This reviewer's open clock prompt is for this request."""
    if await state.get_state() not in (ClockStop.days.state, ClockStop.result.state):
        return False
    return (await state.get_data()).get("request_id") == request_id


async def already_stopped(app: AppContext, actor: Actor, request_id: int) -> str | None:
    """Why a stop is refused when the clock already stands: until when (None: refused for another reason)."""
    view = await app.approvals.view(actor, request_id)
    return clock_texts.already_stopped(view.request, view.clock_stop) if view.clock_stop else None


def build_router() -> Router:
    router = Router(name="clock")
    router.callback_query.middleware(AdoptCards())

    @router.callback_query(ClockCB.filter(F.action == ClockAction.STOP))
    async def ask_kind(query: CallbackQuery, callback_data: ClockCB, actor: Actor, app: AppContext, bot: Bot) -> None:
        try:
            request = await app.approvals.check(actor, callback_data.id, Action.STOP_CLOCK)  # refuse now, not later
        except InvalidTransition:
            if said := await already_stopped(app, actor, callback_data.id):
                await query.answer(said, show_alert=True)
                return
            raise
        await query.answer()
        text = _("{name}: stop the clock of #{id} {project} for what (art. 45)?").format(
            name=escape(actor.name), id=request.id, project=escape(request.project_name)
        )
        await ChatTarget.of(query, bot).answer(text, kinds_markup(request.id))

    @router.callback_query(ClockCB.filter(F.action == ClockAction.KIND))
    async def ask_days(
        query: CallbackQuery, callback_data: ClockCB, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        if callback_data.kind >= len(KINDS):
            await query.answer(_("This button is no longer active."))
            return
        request = await app.approvals.check(actor, callback_data.id, Action.STOP_CLOCK)
        await query.answer()
        await state.set_state(ClockStop.days)
        await state.update_data(request_id=request.id, kind=callback_data.kind)
        text = _("#{id}, {kind}: how many working days ({low}–{high})? Press one, or reply with the number.").format(
            id=request.id, kind=clock_texts.kind(KINDS[callback_data.kind]), low=MIN_DAYS, high=MAX_DAYS
        )
        await edit_or_send(query, text, days_markup(request.id, callback_data.kind))
        if query.message is not None:
            await state.update_data(prompt=query.message.message_id)

    @router.callback_query(ClockCB.filter(F.action == ClockAction.DAYS))
    async def days_pressed(
        query: CallbackQuery, callback_data: ClockCB, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        if callback_data.kind >= len(KINDS):
            await query.answer(_("This button is no longer active."))
            return
        kind = KINDS[callback_data.kind]
        try:
            request = await app.approvals.stop_clock(actor, callback_data.id, kind, callback_data.days)
        finally:
            if await _ours(state, callback_data.id):
                await state.clear()
        await query.answer(_("Done."))
        await edit_or_send(query, stopped(request, kind, callback_data.days))

    @router.message(ClockStop.days, is_typed_answer)
    async def days_typed(message: Message, state: FSMContext, actor: Actor, app: AppContext, bot: Bot) -> None:
        data = await state.get_data()
        request_id, kind = int(data["request_id"]), KINDS[int(data["kind"])]
        try:
            request = await app.approvals.stop_clock(actor, request_id, kind, (message.text or "").strip())
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc) + "\n" + _("Reply again with the number of working days."))
            return
        except DomainError:
            await state.clear()  # stopped, decided or withdrawn meanwhile: the next message is not a number
            await prompts.close(bot, message.chat.id, data)
            raise
        await state.clear()
        await prompts.close(bot, message.chat.id, data)
        await message.reply(stopped(request, kind, clean_days(message.text or "")))

    @router.callback_query(ClockCB.filter(F.action == ClockAction.RESUME))
    async def ask_result(
        query: CallbackQuery, callback_data: ClockCB, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        request = await app.approvals.check(actor, callback_data.id, Action.RESUME_CLOCK)
        await query.answer()
        await state.set_state(ClockStop.result)
        await state.update_data(request_id=request.id)
        text = _("{name}: reply to this message with the result for #{id} (the applicant is told).").format(
            name=escape(actor.name), id=request.id
        )
        await prompts.remember(state, await ChatTarget.of(query, bot).answer(text, cancel_markup(request.id)))

    @router.message(ClockStop.result, is_typed_answer)
    async def result_typed(message: Message, state: FSMContext, actor: Actor, app: AppContext, bot: Bot) -> None:
        data = await state.get_data()
        try:
            request = await app.approvals.resume_clock(actor, int(data["request_id"]), message.text or "")
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc) + "\n" + _("Reply again with the result, or /cancel."))
            return
        except DomainError:
            await state.clear()
            await prompts.close(bot, message.chat.id, data)
            raise
        await state.clear()
        await prompts.close(bot, message.chat.id, data)
        await message.reply(resumed(request))

    @router.callback_query(ClockCB.filter(F.action == ClockAction.CANCEL))
    async def cancel(query: CallbackQuery, callback_data: ClockCB, state: FSMContext) -> None:
        if await _ours(state, callback_data.id):
            await state.clear()
        await query.answer(_("Cancelled."))
        await edit_or_send(query, _("Cancelled."))

    @router.message(Command("stopclock"))
    async def stop_command(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, Action.STOP_CLOCK.value)
        words = (command.args or "").split()
        number = args.request_number(words[0]) if words else None
        kind = KIND_WORDS.get(words[1].lower()) if len(words) > 1 else None
        if number is None or kind is None or len(words) != 3:
            await message.answer(
                _(
                    "Send the request number, the kind (technical, expert or hearing) and the working days, "
                    "e.g. /stopclock 12 hearing 10"
                )
            )
            return
        try:
            request = await app.approvals.stop_clock(actor, number, kind, words[2])
        except v.InvalidField as exc:
            await message.answer(t.field_problem(exc))
            return
        except InvalidTransition:
            if said := await already_stopped(app, actor, number):
                await message.answer(said)
                return
            raise
        await message.answer(stopped(request, kind, clean_days(words[2])))

    @router.message(Command("resumeclock"))
    async def resume_command(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        ensure_reviewer(actor, Action.RESUME_CLOCK.value)
        number_text, _sep, result = (command.args or "").strip().partition(" ")
        number = args.request_number(number_text)
        if number is None or not result.strip():
            await message.answer(_("Send the request number and the result, e.g. /resumeclock 12 专家评审通过"))
            return
        await message.answer(resumed(await app.approvals.resume_clock(actor, number, result)))

    return router
