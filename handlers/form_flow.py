"""Moving through /submit: asking a step's question, going on after an answer, and the confirmation screen.

Shared by the questions (handlers/applicant_form.py) and the screen's buttons (handlers/form_confirm.py). The screen's
buttons carry the form (the id of its /submit message) and the version of the draft it showed, bumped each time the
screen is shown for a changed draft: a screen left behind by an edit, or by an earlier form, acts on nothing.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.admin import KeyMatches
from handlers import keyboards as kb
from handlers import views
from handlers.context import AppContext
from handlers.form_steps import BY_STATE, Step, next_step, prompt
from handlers.limits import Rendered
from handlers.quota_form_steps import confirmation_line
from handlers.quota_form_steps import question as quota_question
from handlers.replies import ChatTarget
from handlers.states import SubmitForm

LEGACY_FORM = 1  # forms begun before screens carried their form's id


def key_page_text(found: KeyMatches, lead: str) -> str:
    """``lead`` and, when not every match is shown, which ones are and how many more there are."""
    if found.total <= len(found.items):
        return lead
    lines = [
        lead,
        ngettext(
            "Showing {first}–{last} of {total} matching project.",
            "Showing {first}–{last} of {total} matching projects.",
            found.total,
        ).format(first=found.first, last=found.last, total=found.total),
    ]
    if found.more > 0:
        lines.append(
            ngettext(
                "{more} more: send more of the code or name to narrow the list, or turn the page.",
                "{more} more: send more of the code or name to narrow the list, or turn the page.",
                found.more,
            ).format(more=found.more)
        )
    return "\n".join(lines)


def documents_screen(data: dict[str, Any], lead: str) -> tuple[str, InlineKeyboardMarkup]:
    """``lead``, then the form's documents, each with a remove button tied to this version of the draft."""
    files = list(data.get("attachments", []))
    lines = [lead]
    if files:
        lines.append(
            ngettext(
                "Your {n} document (press ✖ to remove it):",
                "Your {n} documents (press ✖ to remove one):",
                len(files),
            ).format(n=len(files))
        )
        lines += views.draft_files(files)
    form, version = int(data.get("form", LEGACY_FORM)), int(data.get("version", 0))
    return "\n".join(lines), kb.draft_files(form, version, [str(a["name"]) for a in files])


def next_key_search(data: dict[str, Any]) -> int:
    """A new number for the key-project list about to be shown: the pages of every earlier one are out of date."""
    return int(data.get("key_search", 0)) % 1_000_000 + 1


async def ask(chat: ChatTarget, state: FSMContext, step: Step, app: AppContext) -> None:
    data = await state.get_data()
    editing = bool(data.get("editing"))
    await state.set_state(step.state)
    text, markup = prompt(step.field, editing=editing)
    if step.field == "documents":  # editing them from the confirmation screen starts from the files sent
        text, markup = documents_screen(data, text)
    if step.field == "quota_source":  # its buttons name the district's reduction projects
        text, markup = await quota_question(step.field, data, app)
    if step.field == "key_project":
        found = await app.admin.key_project_page("")
        search = next_key_search(data)
        await state.update_data(key_query="", key_search=search)
        text, markup = key_page_text(found, text), kb.key_projects(found, search)
    await chat.answer(text, reply_markup=markup)


async def advance(chat: ChatTarget, state: FSMContext, field: str, app: AppContext) -> None:
    """After an answer: back to the confirmation when editing, else the next question."""
    data = await state.get_data()
    following = next_step(field)
    if data.get("editing") or following is None:
        await show_confirmation(chat, state, app)
    else:
        await ask(chat, state, following, app)


def confirm_markup(data: dict[str, Any], *, details: bool = False) -> InlineKeyboardMarkup:
    return kb.confirm(int(data.get("form", LEGACY_FORM)), int(data.get("version", 0)), details=details)


async def show_confirmation(chat: ChatTarget, state: FSMContext, app: AppContext, *, changed: bool = True) -> None:
    """The screen for the draft as it is; ``changed`` (the draft may differ from any screen shown) outdates those."""
    data = await state.get_data()
    version = int(data.get("version", 0)) + (1 if changed else 0)
    data = await state.update_data(editing=False, version=version)
    await state.set_state(SubmitForm.confirm)
    screen = await summary_of(data, app)
    await chat.answer(screen.text, reply_markup=confirm_markup(data, details=screen.more))


async def summary_of(data: dict[str, Any], app: AppContext) -> Rendered:
    code = data.get("key_code")
    project = await app.repos.key_projects.get(code) if code else None
    quota = await confirmation_line(data, app) if "quota" in data else None  # forms begun before: not asked
    return views.form_summary(data, key_name=project.name if project else None, quota_line=quota)


async def show_current(chat: ChatTarget, state: FSMContext, app: AppContext) -> None:
    """What the form is at now, for someone pressing a button of a screen it has left behind."""
    step = BY_STATE.get(str(await state.get_state()))
    if step is None:
        await show_confirmation(chat, state, app, changed=False)
    else:
        await ask(chat, state, step, app)


def out_of_date() -> str:
    return _("This screen is out of date; here is the current one.")
