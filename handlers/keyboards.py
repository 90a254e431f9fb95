"""Inline keyboards. Buttons carry typed callback data (ids only); labels go through the catalogue."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from approvals.ledger import KeyProject
from approvals.models import ApprovalRequest, Category, DocumentType, Status
from handlers import texts as t
from handlers.callbacks import (
    ChoiceCB,
    EditCB,
    FormAction,
    FormCB,
    LangCB,
    QueuePageCB,
    ReviewAction,
    ReviewCB,
    SupplementCB,
    WithdrawCB,
)


def per_locale(build: Callable[[], InlineKeyboardMarkup]) -> Callable[[], InlineKeyboardMarkup]:
    """Fixed keyboards are built once per language: building one (builder, deep copy, validation) costs more than
    the rest of a form step. aiogram only reads a markup when it sends it, so one can be shared."""
    built: dict[str, InlineKeyboardMarkup] = {}

    @wraps(build)
    def cached() -> InlineKeyboardMarkup:
        locale = get_i18n().current_locale
        if locale not in built:
            built[locale] = build()
        return built[locale]

    return cached


EDITABLE = (
    "project_name",
    "organisation",
    "contact_name",
    "phone",
    "category",
    "document_type",
    "investment",
    "location",
    "description",
    "key_project",
    "documents",
)


def review(request: ApprovalRequest) -> InlineKeyboardMarkup | None:
    """The card's buttons for its current status; a decided request has none."""
    b = InlineKeyboardBuilder()
    rid = request.id
    if request.status in (Status.SUBMITTED, Status.RESUBMITTED):
        b.button(text=_("Claim"), callback_data=ReviewCB(action=ReviewAction.CLAIM, id=rid))
    elif request.status is Status.IN_REVIEW:
        b.button(text=_("Release"), callback_data=ReviewCB(action=ReviewAction.RELEASE, id=rid))
    else:
        return None
    b.button(text=_("Approve"), callback_data=ReviewCB(action=ReviewAction.APPROVE, id=rid))
    b.button(text=_("Request info"), callback_data=ReviewCB(action=ReviewAction.INFO, id=rid))
    b.button(text=_("Reject"), callback_data=ReviewCB(action=ReviewAction.REJECT, id=rid))
    b.adjust(2, 2)
    return b.as_markup()


def approve_prompt(request_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Approve without a number"), callback_data=ReviewCB(action=ReviewAction.APPROVE_NOW, id=request_id))
    b.button(text=_("Cancel"), callback_data=ReviewCB(action=ReviewAction.CANCEL, id=request_id))
    return b.as_markup()


def cancel_review(request_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Cancel"), callback_data=ReviewCB(action=ReviewAction.CANCEL, id=request_id))
    return b.as_markup()


def queue_pages(page: int, pages: int) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    b = InlineKeyboardBuilder()
    if page > 0:
        b.button(text=_("◀ Previous"), callback_data=QueuePageCB(page=page - 1))
    if page < pages - 1:
        b.button(text=_("Next ▶"), callback_data=QueuePageCB(page=page + 1))
    return b.as_markup()


@per_locale
def categories() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for value in Category:
        b.button(text=t.category(value), callback_data=ChoiceCB(field="category", value=value.value))
    b.adjust(1)
    return b.as_markup()


@per_locale
def document_types() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for value in DocumentType:
        b.button(text=t.document_type(value), callback_data=ChoiceCB(field="document_type", value=value.value))
    b.adjust(1)
    return b.as_markup()


def key_projects(found: list[KeyProject]) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for project in found:
        b.button(
            text=f"{project.code} {project.name}"[:60], callback_data=ChoiceCB(field="key_code", value=project.code)
        )
    b.button(text=_("Not a key project"), callback_data=FormCB(action=FormAction.NOT_KEY))
    b.adjust(1)
    return b.as_markup()


@per_locale
def documents_done() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Done"), callback_data=FormCB(action=FormAction.DOCS_DONE))
    return b.as_markup()


@per_locale
def confirm() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Submit"), callback_data=FormCB(action=FormAction.SUBMIT))
    b.button(text=_("Edit"), callback_data=FormCB(action=FormAction.EDIT))
    b.button(text=_("Cancel"), callback_data=FormCB(action=FormAction.CANCEL))
    b.adjust(1, 2)
    return b.as_markup()


def edit_fields(labels: dict[str, str]) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    for field in EDITABLE:
        b.button(text=labels[field], callback_data=EditCB(field=field))
    b.adjust(2)
    return b.as_markup()


def withdraw(request_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Yes, withdraw"), callback_data=WithdrawCB(id=request_id, confirm=True))
    b.button(text=_("No, keep it"), callback_data=WithdrawCB(id=request_id, confirm=False))
    return b.as_markup()


def supplement_start(request_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Send more material"), callback_data=SupplementCB(id=request_id))
    return b.as_markup()


def supplement_send(request_id: int) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=_("Send to the bureau"), callback_data=SupplementCB(id=request_id, send=True))
    return b.as_markup()


def languages() -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text="中文", callback_data=LangCB(locale="zh_CN"))
    b.button(text="English", callback_data=LangCB(locale="en"))
    return b.as_markup()
