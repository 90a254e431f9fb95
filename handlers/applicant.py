"""Applicants after submitting: /my, /status N, /withdraw N, /add N, and answering a request for material."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from approvals.errors import DomainError
from approvals.models import Actor, Attachment
from approvals.service import ApprovalService
from approvals.states import Action
from handlers import args, card, key_service, notice_texts, notice_views, stage_texts, views
from handlers import keyboards as kb
from handlers import papers as paper_texts
from handlers import texts as t
from handlers.callbacks import SupplementCB, WithdrawCB
from handlers.context import AppContext
from handlers.filters import in_private_chat, is_typed_answer
from handlers.quota_form_steps import card_lines as quota_card_lines
from handlers.replies import ChatTarget, edit_or_send
from handlers.states import Supplement
from handlers.uploads import check_room, received


async def number_or_usage(message: Message, command: CommandObject, usage: str) -> int | None:
    """The request number in the arguments; else what was wrong: no request has it, or here is how to write it."""
    text = command.args or ""
    number = args.request_number(text)
    if number is None:
        if args.out_of_range(text):
            await message.answer(
                _("There is no request with that number: request numbers go from 1 to {max}.").format(
                    max=v.MAX_REQUEST_NUMBER
                )
            )
        else:
            await message.answer(usage)
    return number


async def send_material(
    approvals: ApprovalService, actor: Actor, request_id: int, note: str, files: list[Attachment]
) -> str:
    """Material for a request: the reply to a request for material, or an addition to one in progress (the
    domain decides which). Returns what to tell the applicant, once it is committed."""
    action = await approvals.material_action(actor, request_id)
    if action is Action.SUPPLY:
        request = await approvals.supply(actor, request_id, note, files)
        view = await approvals.view(actor, request.id)
        return (
            _("Thank you: request #{id} is received again.").format(id=request.id)
            + "\n"
            + stage_texts.waiting(view.stage)
        )
    if action is Action.RESUBMIT:
        request = await approvals.resubmit(actor, request_id, note, files)
        view = await approvals.view(actor, request.id)
        return (
            _("Thank you: request #{id} is back with the bureau.").format(id=request.id) + "\n" + card.deadlines(view)
        )
    request = await approvals.add_material(actor, request_id, note, files)
    return _("Added to request #{id}; the reviewers have been told. Its status and deadlines are unchanged.").format(
        id=request.id
    )


async def start_material(chat: ChatTarget, state: FSMContext, request_id: int) -> None:
    await state.set_state(Supplement.material)
    await state.set_data({"request_id": request_id, "notes": [], "attachments": []})
    await chat.answer(
        _("Send your explanation as text and the documents as files, then press the button."),
        reply_markup=kb.supplement_send(request_id),
    )


def build_router() -> Router:
    router = Router(name="applicant")
    router.message.filter(in_private_chat)

    @router.message(Command("my"))
    async def my(message: Message, actor: Actor, app: AppContext) -> None:
        found = await notice_views.with_notices(app, await app.approvals.my_requests(actor))
        liaison = await key_service.liaison_lines(app, actor)  # a reviewer's key projects as liaison (帮包)
        if not found and not liaison:
            await message.answer(_("You have no requests yet. Send /submit to start one."))
            return
        blocks = [_("<b>Your requests</b>")] + [views.short_row(view) for view in found] if found else []
        blocks += liaison
        for text in t.chunks(blocks):
            await message.answer(text)

    @router.message(Command("status"))
    async def status(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        number = await number_or_usage(message, command, _("Send the request number, e.g. /status 12"))
        if number is None:
            return
        view = await notice_views.with_notice(app, await app.approvals.view(actor, number))
        project = await app.repos.key_projects.known(view.request.key_code) if view.request.key_code else None
        shown = card.card(view, project=project)
        if quota := await quota_card_lines(app, number):
            shown = shown._replace(text=shown.text + "\n" + "\n".join(quota))
        if until := await notice_views.acceptance_until(app, number):
            shown = shown._replace(text=shown.text + "\n" + notice_texts.acceptance_line(until))
        if papers := paper_texts.status_lines(number, await app.repos.papers.of(number)):
            shown = shown._replace(text=shown.text + "\n" + "\n".join(papers))
        events = view.history if actor.is_reviewer else notice_texts.for_applicants(view.history)
        history = views.history(events, app.tz)
        more = kb.details(number) if shown.more or history.more else None
        await message.answer(shown.text)
        await message.answer(history.text, reply_markup=more)

    @router.message(Command("withdraw"))
    async def withdraw(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        number = await number_or_usage(message, command, _("Send the request number, e.g. /withdraw 12"))
        if number is None:
            return
        # refused now, as pressing Yes would be (someone else's request, or one already decided or withdrawn)
        request = await app.approvals.check(actor, number, Action.WITHDRAW)
        await message.answer(
            _("Withdraw request #{id} {name}? This cannot be undone.").format(
                id=number, name=t.escape(request.project_name)
            ),
            reply_markup=kb.withdraw(number),
        )

    @router.message(Command("add"))
    async def add(
        message: Message, command: CommandObject, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        number = await number_or_usage(message, command, _("Send the request number, e.g. /add 12"))
        if number is None:
            return
        await app.approvals.material_action(actor, number)  # refused now if it could not be sent
        await start_material(ChatTarget.of(message, bot), state, number)

    @router.callback_query(WithdrawCB.filter())
    async def withdraw_answer(
        query: CallbackQuery, callback_data: WithdrawCB, actor: Actor, app: AppContext, bot: Bot
    ) -> None:
        if not callback_data.confirm:
            await query.answer()
            await edit_or_send(query, _("Kept. Nothing changed."))
            return
        request = await app.approvals.withdraw(actor, callback_data.id)
        await query.answer(_("Withdrawn."))
        await edit_or_send(query, _("Request #{id} is withdrawn.").format(id=request.id))

    @router.callback_query(SupplementCB.filter(~F.send))
    async def supplement_start(
        query: CallbackQuery,
        callback_data: SupplementCB,
        actor: Actor,
        app: AppContext,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        try:  # the domain decides whether this person may answer for this request now
            waiting = await app.approvals.material_action(actor, callback_data.id) is not Action.ADD_MATERIAL
        except DomainError:
            waiting = False
        if not waiting:
            await query.answer(_("This request is not waiting for material."), show_alert=True)
            return
        await query.answer()
        await start_material(ChatTarget.of(query, bot), state, callback_data.id)

    @router.message(Supplement.material, is_typed_answer)
    async def supplement_text(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        notes = [*data["notes"], message.text or ""]
        try:  # refused now, with the reason, rather than at the final press; what was sent before is kept
            v.clean_text("reason", "\n".join(notes))
        except v.InvalidField as exc:
            await message.answer(
                t.field_problem(exc) + "\n" + _("This text was not added; what you sent before is kept."),
                reply_markup=kb.supplement_send(int(data["request_id"])),
            )
            return
        await state.update_data(notes=notes)
        await message.answer(
            _("Noted. Send more, or press the button to send everything."),
            reply_markup=kb.supplement_send(int(data["request_id"])),
        )

    @router.message(Supplement.material, F.document)
    async def supplement_document(message: Message, state: FSMContext, actor: Actor, app: AppContext) -> None:
        data = await state.get_data()
        request_id = int(data["request_id"])
        sending = [Attachment(**a) for a in data["attachments"]]
        try:
            check_room(sending)
            on_file = (await app.approvals.documents(actor, request_id)).attachments
            attachment, new = await received(message, [*on_file, *sending], app.approvals.clock.now())
        except v.InvalidField as exc:
            await message.answer(t.field_problem(exc))
            return
        name = t.escape(attachment.name)
        if not new:  # the request has it already, or it came a moment ago: kept once
            text = _("{name} was received already; it is kept once. Send another, or press the button.")
            await message.answer(text.format(name=name), reply_markup=kb.supplement_send(request_id))
            return
        await state.update_data(attachments=[*data["attachments"], attachment.model_dump(mode="json")])
        await message.answer(
            _("Received {name}. Send more, or press the button to send everything.").format(name=name),
            reply_markup=kb.supplement_send(request_id),
        )

    @router.callback_query(Supplement.material, SupplementCB.filter(F.send))
    async def supplement_send(
        query: CallbackQuery, callback_data: SupplementCB, actor: Actor, app: AppContext, state: FSMContext, bot: Bot
    ) -> None:
        data = await state.get_data()
        if int(data.get("request_id", 0)) != callback_data.id:
            await query.answer(_("This button is no longer active."))
            return
        note = "\n".join(data["notes"])
        files = [Attachment(**a) for a in data["attachments"]]
        if not note.strip() and not files:
            await query.answer(_("Send some text or a document first."), show_alert=True)
            return
        try:
            done = await send_material(app.approvals, actor, callback_data.id, note, files)
        except v.InvalidField as exc:
            await query.answer(t.field_problem(exc), show_alert=True)
            return
        await state.clear()
        await query.answer(_("Sent."))
        await ChatTarget.of(query, bot).answer(done)

    return router
