"""Admins over claims and decisions: /reassign N, /revoke N, /correct N (each audited; the applicant is told of a
revocation or a correction). Releasing a colleague's claim is /release N (handlers/queue.py)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.models import Actor, ApprovalRequest
from approvals.service import ensure_admin
from approvals.states import Action
from handlers import args, prompts
from handlers import keyboards as kb
from handlers import texts as t
from handlers.callbacks import ReassignCB
from handlers.context import AppContext
from handlers.filters import is_typed_answer
from handlers.replies import edit_or_send
from handlers.states import Review


def handed_on(request: ApprovalRequest, name: str) -> str:
    return _("#{id} is now with {name}.").format(id=request.id, name=t.escape(name))


async def number_or_usage(message: Message, command: CommandObject, actor: Actor, usage: str) -> int | None:
    """The request number in the arguments, or the usage line (for admins only: others learn nothing)."""
    ensure_admin(actor, "oversight")  # the use case checks again; this keeps usage lines from others
    number = args.request_number(args.first_and_rest(command)[0])
    if number is None:
        await message.answer(usage)
    return number


def build_router() -> Router:
    router = Router(name="oversight")

    @router.message(Command("reassign"))
    async def reassign(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        number = await number_or_usage(message, command, actor, _("Send /reassign N, or /reassign N ID"))
        if number is None:
            return
        target = args.first_and_rest(command)[1]
        if target:
            user_id = v.parse_number(target, high=v.MAX_ID)
            if user_id is None:
                await message.answer(_("Send /reassign N, or /reassign N ID"))
                return
            to = await app.admin.actor(user_id)
            request = await app.approvals.reassign(actor, number, to)
            await message.answer(handed_on(request, to.name or str(to.user_id)))
            return
        request = await app.approvals.check(actor, number, Action.REASSIGN)
        people = [
            p for p in await app.admin.reviewers(actor) if p.user_id not in (request.claimed_by, request.applicant_id)
        ]
        if not people:
            await message.answer(_("There is no other reviewer to hand #{id} to.").format(id=number))
            return
        question = _("Hand #{id} {name} to which reviewer?").format(id=number, name=t.escape(request.project_name))
        await message.answer(question, reply_markup=kb.reassign(number, people[:50]))

    @router.callback_query(ReassignCB.filter())
    async def reassign_to(query: CallbackQuery, callback_data: ReassignCB, actor: Actor, app: AppContext) -> None:
        to = await app.admin.actor(callback_data.to)
        request = await app.approvals.reassign(actor, callback_data.id, to)
        await query.answer(_("Handed on."))
        await edit_or_send(query, handed_on(request, to.name or str(to.user_id)))

    @router.message(Command("revoke"))
    async def revoke(
        message: Message, command: CommandObject, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        number = await number_or_usage(message, command, actor, _("Send the request number, e.g. /revoke 12"))
        if number is None:
            return
        request = await app.approvals.check(actor, number, Action.REVOKE)
        await state.set_state(Review.reason)
        await state.set_data({"request_id": number, "action": Action.REVOKE.value})
        text = _("Reply with the reason for revoking the decision on #{id} ({status}). The applicant is told.")
        text = text.format(id=number, status=t.status(request.status))
        await prompts.remember(state, await message.answer(text, reply_markup=kb.cancel_review(number)))

    @router.message(Command("correct"))
    async def correct(
        message: Message, command: CommandObject, actor: Actor, app: AppContext, state: FSMContext
    ) -> None:
        number = await number_or_usage(message, command, actor, _("Send the request number, e.g. /correct 12"))
        if number is None:
            return
        request = await app.approvals.check(actor, number, Action.CORRECT_NUMBER)
        await state.set_state(Review.correct_number)
        await state.set_data({"request_id": number, "action": Action.CORRECT_NUMBER.value})
        text = _("Reply with the correct approval number for #{id} (now: {number}).").format(
            id=number, number=t.escape(request.approval_number or "—")
        )
        await prompts.remember(state, await message.answer(text, reply_markup=kb.cancel_review(number)))

    @router.message(Review.correct_number, is_typed_answer)
    async def corrected_number(message: Message, state: FSMContext, app: AppContext) -> None:
        try:
            number = app.approvals.clean_number(message.text or "")
        except v.InvalidField as exc:
            await message.reply(t.field_problem(exc) + "\n" + _("Reply again with the approval number, or /cancel."))
            return
        await state.set_state(Review.reason)  # handlers/reviewer.py takes the reason and makes the correction
        await state.update_data(number=number)
        await message.reply(_("Now reply with the reason for the correction. The applicant is told."))

    return router
