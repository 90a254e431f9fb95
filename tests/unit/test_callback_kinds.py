"""Every kind of button data the handlers define is known to the forgery check, so forged data of any kind is
logged to the denials table (a kind left out answers "no longer active" and is never counted as forged)."""

from __future__ import annotations

import importlib
import pkgutil

from aiogram.filters.callback_data import CallbackData

import handlers
from handlers.callbacks import KINDS, KsCB, is_forged


def defined_kinds() -> set[type[CallbackData]]:
    for module in pkgutil.iter_modules(handlers.__path__):
        importlib.import_module(f"handlers.{module.name}")
    found: set[type[CallbackData]] = set()
    todo = list(CallbackData.__subclasses__())
    while todo:
        kind = todo.pop()
        todo.extend(kind.__subclasses__())
        if kind.__module__.startswith("handlers."):
            found.add(kind)
    return found


def test_every_button_kind_is_checked_for_forgery() -> None:
    missing = sorted(k.__name__ for k in defined_kinds() - set(KINDS))
    assert missing == []


def test_a_forged_key_project_button_is_forged() -> None:
    assert is_forged("ks:o:../../etc")
    assert is_forged("ks:p:K01:99999999999999999999999")
    assert not is_forged(KsCB(action="o", code="K01").pack())
