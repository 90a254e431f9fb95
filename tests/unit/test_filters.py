from datetime import UTC, datetime

import pytest
from aiogram.types import Chat, Message

from handlers.callbacks import QueueAction, QueueItemCB, QueuePageCB, ReassignCB, ReviewAction, ReviewCB, is_forged
from handlers.filters import in_private_chat, is_command, is_typed_answer


def message(text: str | None, chat_type: str = "private") -> Message:
    return Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=1, type=chat_type), text=text)


@pytest.mark.parametrize(
    ("text", "command", "answer"),
    [
        ("城东污水处理厂", False, True),
        ("/cancel", True, False),
        ("/", True, False),
        ("", False, False),
        (None, False, False),
    ],
)
def test_a_command_is_never_taken_for_an_answer(text: str | None, command: bool, answer: bool) -> None:
    assert is_command(message(text)) is command
    assert is_typed_answer(message(text)) is answer


def test_private_chats_are_told_from_groups() -> None:
    assert in_private_chat(message("x"))
    assert not in_private_chat(message("x", "supergroup"))


@pytest.mark.parametrize(
    ("data", "forged"),
    [
        (ReviewCB(action=ReviewAction.CLAIM, id=2**63 - 1).pack(), False),  # ours, however large a real id gets
        (QueuePageCB(page=0).pack(), False),
        ("fm:s", False),  # valid, merely stale outside the form
        ("cf:s:1:0", False),  # a confirmation screen: its form and the draft version it showed
        ("kq:3:1", False),  # a page of the form's key-project list, the form's first list
        ("kp:3", False),  # that page's button before lists were numbered: stale, not forged
        ("cf:s:1", True),  # no version: no screen of ours
        ("cf:s:0:1", True),
        ("kq:-1:1", True),
        ("kq:3", True),
        ("garbage", False),  # not ours at all
        (f"rv:c:{2**63}", True),  # SQLite could not even look it up
        ("rv:c:0", True),
        ("rv:c:+1", True),
        ("rv:c:٣", True),
        ("rv:zz:1", True),
        ("qp:-1", True),
        ("wd:1", True),  # a field missing
        (QueueItemCB(action=QueueAction.CLAIM, id=12, page=3).pack(), False),
        (ReassignCB(id=12, to=2**63 - 1).pack(), False),
        (ReviewCB(action=ReviewAction.CONFIRM, id=12).pack(), False),
        ("qi:z:12:0", True),
        ("qi:o:12:-1", True),
        (f"ra:12:{2**63}", True),
    ],
)
def test_button_data_none_of_our_buttons_carries_is_forged(data: str, forged: bool) -> None:
    assert is_forged(data) is forged
