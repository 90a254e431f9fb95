"""A command's arguments: request numbers and ids in ASCII digits within range, then free text."""

from __future__ import annotations

from aiogram.filters import CommandObject

from approvals import validation as v


def request_number(text: str) -> int | None:
    """'12' or '#12'; anything else (signs, other digits, out of range) is None."""
    return v.parse_number(text.strip().removeprefix("#"), high=v.MAX_REQUEST_NUMBER)


def out_of_range(text: str) -> bool:
    """A request number written right but too large (or 0) for any request: not a usage mistake."""
    digits = text.strip().removeprefix("#")
    return digits.isascii() and digits.isdigit() and request_number(digits) is None


def first_and_rest(command: CommandObject) -> tuple[str, str]:
    """The first word of the arguments and the text after it (which may span lines)."""
    parts = (command.args or "").split(maxsplit=1)  # "/note 12 text" as well as "/note 12\ntext"
    return (parts[0] if parts else ""), (parts[1].strip() if len(parts) > 1 else "")
