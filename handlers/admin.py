"""Admins: reviewers and the export (the key-project list: handlers/key_projects.py)."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals import validation as v
from approvals.admin import Addition
from approvals.models import Actor, Role
from approvals.service import ensure_admin
from handlers import texts as t
from handlers.context import AppContext
from handlers.export import workbook

# what follows the id in /reviewers add ID [chief|director] (the Chinese words for the same steps too)
ROLE_WORDS = {
    "reviewer": Role.REVIEWER,
    "经办": Role.REVIEWER,
    "chief": Role.CHIEF,
    "审核": Role.CHIEF,
    "director": Role.DIRECTOR,
    "签发": Role.DIRECTOR,
}


def reviewers_usage() -> str:
    return _("Use /reviewers, /reviewers add ID [chief|director] or /reviewers remove ID [chief|director].")


def role_name(role: Role) -> str:
    return {
        Role.REVIEWER: _("a reviewer (经办)"),
        Role.CHIEF: _("a section chief (审核)"),
        Role.DIRECTOR: _("a director (签发)"),
    }.get(role, role.value)


def roles_of(roles: frozenset[Role]) -> str:
    return t.listing(role_name(role) for role in sorted(roles, key=list(Role).index))


async def removed(app: AppContext, actor: Actor, user_id: int, role: Role | None) -> str:
    """Take one role (or every staff role) away; what the admin is told, with the claims that went back."""
    removal = await app.admin.remove_reviewer(actor, user_id, role=role, reason=_("No longer a reviewer."))
    if removal.admin:
        text = _("{id} is an admin (ADMIN_IDS): admins stay reviewers and cannot be removed here.").format(id=user_id)
    elif role is not None:
        held = _("{id} is no longer {role}.") if removal.was_reviewer else _("{id} was not {role}.")
        text = held.format(id=user_id, role=role_name(role))
    elif removal.was_reviewer:
        text = _("{id} is no longer a reviewer.").format(id=user_id)
    else:
        text = _("{id} was not a reviewer.").format(id=user_id)
    if removal.released:
        ids = ", ".join(f"#{r.id}" for r in removal.released[:50])
        n = len(removal.released)
        text += "\n" + ngettext(
            "{n} claim they held is back in the queue: {ids}",
            "{n} claims they held are back in the queue: {ids}",
            n,
        ).format(n=n, ids=ids)
    return text


def added(addition: Addition, user_id: int, role: Role) -> str:
    if addition.already:
        return _("{id} already was {role}.").format(id=user_id, role=role_name(role))
    text = _("{id} is now {role}.").format(id=user_id, role=role_name(role))
    if not addition.known:
        text += "\n" + _(
            "Note: {id} has not talked to the bot yet, so the bot cannot write to them. Check the id, and ask them "
            "to send /start."
        ).format(id=user_id)
    return text


def build_router() -> Router:
    router = Router(name="admin")

    @router.message(Command("reviewers"))
    async def reviewers(message: Message, command: CommandObject, actor: Actor, app: AppContext) -> None:
        verb, _sep, rest = (command.args or "").strip().partition(" ")
        if verb in ("add", "remove"):
            target, _sep, word = rest.strip().partition(" ")
            user_id = v.parse_number(target.strip(), high=v.MAX_ID)
            if user_id is None:
                if verb == "add":
                    usage = _(
                        "Send a Telegram user id: digits 0-9 only, from 1 to {max}, e.g. /reviewers add 123456789"
                    )
                else:
                    usage = _(
                        "Send a Telegram user id: digits 0-9 only, from 1 to {max}, e.g. /reviewers remove 123456789"
                    )
                await message.answer(usage.format(max=v.MAX_ID))
                return
            role = ROLE_WORDS.get(word.strip().lower()) if word.strip() else None
            if word.strip() and role is None:
                await message.answer(reviewers_usage())
                return
            if verb == "add":
                granted = role or Role.REVIEWER
                await message.answer(added(await app.admin.add_reviewer(actor, user_id, granted), user_id, granted))
                return
            await message.answer(await removed(app, actor, user_id, role))
            return
        if verb:
            await message.answer(reviewers_usage())
            return
        people = await app.admin.reviewers(actor)
        blocks = [_("<b>Reviewers</b> ({n})").format(n=len(people))]
        blocks += [" ".join(filter(None, (str(p.user_id), t.escape(p.name), "·", roles_of(p.roles)))) for p in people]
        blocks.append(_("Admins (from ADMIN_IDS) are reviewers too."))
        for text in t.chunks(blocks):
            await message.answer(text)

    @router.message(Command("export"))
    async def export(message: Message, actor: Actor, app: AppContext) -> None:
        ensure_admin(actor, "export")
        requests = await app.repos.requests.all_requests()
        events = await app.repos.requests.all_history()
        data = await asyncio.to_thread(workbook, requests, events, app.tz)
        day = app.approvals.today().isoformat()
        await message.answer_document(
            BufferedInputFile(data, filename=f"green-channel-{day}.xlsx"),
            caption=ngettext("{n} request, exported {day}.", "{n} requests, exported {day}.", len(requests)).format(
                n=len(requests), day=day
            ),
        )

    return router
