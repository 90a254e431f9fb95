"""The key-project service's buttons. A project's code is its id (ASCII, at most 32 characters, checked as the
import checks it), so a button carries the code and at most a user id: well under Telegram's 64 bytes."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from approvals.admin import KeyBoardPage
from approvals.ports import Person
from handlers import keyboards as kb
from handlers import limits
from handlers.callbacks import KsAction, KsCB

PROJECT_LABEL = 24  # units of a project's name on its button
PERSON_LABEL = 30


def board(page: KeyBoardPage, search: int) -> InlineKeyboardMarkup | None:
    """/keyprojects' page: a button per project shown (its page), then the page buttons."""
    projects = [
        [(f"{p.code} {limits.shorten(p.name, PROJECT_LABEL)}", KsCB(action=KsAction.OPEN, code=p.code))]
        for p, _status in page.rows
    ]
    turn = kb.key_board(page.matches, search)
    markup = kb.rows(*projects) if projects else None
    if markup is None:
        return turn
    if turn is not None:
        markup.inline_keyboard.extend(turn.inline_keyboard)
    return markup


def project(code: str, *, is_admin: bool, serves: bool, no_eia: bool) -> InlineKeyboardMarkup | None:
    lines: list[list[kb.Button]] = []
    if is_admin:
        lines.append([(_("👤 Assign liaison"), KsCB(action=KsAction.ASSIGN, code=code))])
    if serves:
        lines.append([(_("📝 Record consultation"), KsCB(action=KsAction.CONSULT, code=code))])
        mark = (
            (_("EIA needed after all"), KsCB(action=KsAction.EIA, code=code))
            if no_eia
            else (_("No EIA needed"), KsCB(action=KsAction.NO_EIA, code=code))
        )
        lines.append([mark])
    return kb.rows(*lines) if lines else None


def people(code: str, staff: Sequence[Person], current: int | None) -> InlineKeyboardMarkup:
    """The bureau's staff to pick a liaison from; the current one marked; Nobody; back to the project."""
    lines: list[list[kb.Button]] = [
        [
            (
                ("✓ " if p.user_id == current else "") + limits.shorten(p.name or str(p.user_id), PERSON_LABEL),
                KsCB(action=KsAction.PICK, code=code, user=p.user_id),
            )
        ]
        for p in staff
    ]
    lines.append([(_("Nobody"), KsCB(action=KsAction.UNASSIGN, code=code))])
    lines.append([(_("◀ Back"), KsCB(action=KsAction.OPEN, code=code))])
    return kb.rows(*lines)
