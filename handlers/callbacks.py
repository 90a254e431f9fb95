"""Typed callback data. Ids and enum values only: never user text, always under Telegram's 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ReviewAction(StrEnum):
    CLAIM = "c"
    RELEASE = "l"
    APPROVE = "a"
    APPROVE_NOW = "an"  # approve without an approval number
    INFO = "i"
    REJECT = "r"
    CANCEL = "x"


class ReviewCB(CallbackData, prefix="rv"):
    action: ReviewAction
    id: int


class QueuePageCB(CallbackData, prefix="qp"):
    page: int


class ChoiceCB(CallbackData, prefix="ch"):
    """A form answer picked from buttons: ``field`` is the form step, ``value`` an enum value or key code."""

    field: str
    value: str


class FormAction(StrEnum):
    SUBMIT = "s"
    EDIT = "e"
    CANCEL = "x"
    DOCS_DONE = "d"
    NOT_KEY = "n"


class FormCB(CallbackData, prefix="fm"):
    action: FormAction


class EditCB(CallbackData, prefix="ed"):
    field: str


class WithdrawCB(CallbackData, prefix="wd"):
    id: int
    confirm: bool


class SupplementCB(CallbackData, prefix="sp"):
    id: int
    send: bool = False


class LangCB(CallbackData, prefix="lg"):
    locale: str


class SubscriptionCB(CallbackData, prefix="sb"):
    user_id: int
    approve: bool
