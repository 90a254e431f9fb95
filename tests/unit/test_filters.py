from datetime import UTC, datetime

import pytest
from aiogram.types import Chat, Message

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
