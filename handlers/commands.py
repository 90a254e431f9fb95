"""The command menus Telegram shows, per audience (setMyCommands per scope), in both languages."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _


def applicant_commands() -> list[BotCommand]:
    return [
        BotCommand(command="submit", description=_("Start a new approval request")),
        BotCommand(command="my", description=_("Your requests")),
        BotCommand(command="status", description=_("One request and its history")),
        BotCommand(command="withdraw", description=_("Withdraw a request")),
        BotCommand(command="add", description=_("Add material to a request")),
        BotCommand(command="files", description=_("Your documents of a request: /files N")),
        BotCommand(command="lang", description=_("Language")),
        BotCommand(command="cancel", description=_("Leave the current form")),
        BotCommand(command="help", description=_("Help")),
    ]


def reviewer_commands() -> list[BotCommand]:
    return [
        BotCommand(command="queue", description=_("The queue in priority order")),
        BotCommand(command="next", description=_("Check a received request, else claim the top one")),
        BotCommand(command="claim", description=_("Claim a request: /claim N")),
        BotCommand(command="release", description=_("Release a claim: /release N")),
        BotCommand(command="stopclock", description=_("Stop the clock (art. 45): /stopclock N hearing 10")),
        BotCommand(command="resumeclock", description=_("Restart the clock with the result: /resumeclock N result")),
        BotCommand(command="note", description=_("Internal note: /note N text")),
        BotCommand(command="notes", description=_("Read internal notes: /notes N")),
        BotCommand(command="hearing", description=_("Comments and hearing requests from the public: /hearing N")),
        BotCommand(command="files", description=_("A request's documents: /files N")),
        BotCommand(command="find", description=_("Find requests")),
        BotCommand(command="stats", description=_("Today's figures")),
        BotCommand(command="keyprojects", description=_("Key project list")),
        BotCommand(command="bulletin", description=_("Key projects: the weekly bulletin now")),
        BotCommand(command="ledger", description=_("Key-project ledger (台账, XLSX)")),
        BotCommand(command="consult", description=_("Record a pre-application consultation")),
        BotCommand(command="quota", description=_("Pollutant quotas (总量控制)")),
        BotCommand(command="sign", description=_("What awaits your signature")),
        BotCommand(command="help", description=_("Help")),
    ]


def admin_commands() -> list[BotCommand]:
    applicant = applicant_commands()[:-1]
    named = {c.command for c in applicant}
    return [
        *applicant,
        *(c for c in reviewer_commands()[:-1] if c.command not in named),  # /files once
        BotCommand(command="reviewers", description=_("Manage reviewers")),
        BotCommand(command="export", description=_("Export all requests (XLSX)")),
        BotCommand(command="reassign", description=_("Hand a claim to another reviewer")),
        BotCommand(command="revoke", description=_("Revoke a decision")),
        BotCommand(command="correct", description=_("Correct an approval number")),
        BotCommand(command="help", description=_("Help")),
    ]


async def register_commands(bot: Bot, i18n: I18n, *, reviewer_chat_id: int | None, admin_ids: Iterable[int]) -> None:
    for locale in i18n.available_locales:
        # the default locale's menu is also the one for languages we do not have
        languages = [None, locale[:2]] if locale == i18n.default_locale else [locale[:2]]
        with i18n.context(), i18n.use_locale(locale):
            menus = [(BotCommandScopeAllPrivateChats(), applicant_commands())]
            if reviewer_chat_id is not None:
                menus.append((BotCommandScopeChat(chat_id=reviewer_chat_id), reviewer_commands()))
            menus += [(BotCommandScopeChat(chat_id=admin), admin_commands()) for admin in admin_ids]
        for scope, commands in menus:
            for language in languages:
                await bot.set_my_commands(commands, scope=scope, language_code=language)
