"""What the public sends about a request in notice: comments (意见) and hearing requests (听证申请).

They come from people the bureau does not know (the public notice board, public/): every field is bounded and
cleaned here, whatever front end takes them. A comment may be anonymous (name and contact left empty); a hearing
request names who asks and how to reach them, since the bureau must tell them when and where it is held (art. 47).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from approvals import validation as v
from approvals.phones import normalise_phone

MAX_NAME = 40
MAX_CONTACT = 100
MAX_TEXT = 2000
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,63}\.[^@\s]{2,}")


class InputKind(StrEnum):
    COMMENT = "comment"
    HEARING = "hearing"  # a hearing request (art. 47)


class HearingState(StrEnum):
    OPEN = "open"  # blocks the final decision
    CLOSED = "closed"  # held, or withdrawn by whoever asked: recorded by a reviewer


class PublicComment(BaseModel):
    """A comment or a hearing request, as stored. ``state``: a hearing request's (a comment has none)."""

    model_config = ConfigDict(frozen=True)

    id: int = 0
    request_id: int
    notice_id: int
    kind: InputKind
    at: datetime
    name: str
    contact: str
    text: str
    state: HearingState | None = None
    closed_at: datetime | None = None
    closed_by: int | None = None
    outcome: str | None = None  # what the reviewer recorded on closing a hearing request


def clean_name(value: str, *, required: bool = True) -> str:
    """A person's name on one line; empty only where not ``required`` (an anonymous comment)."""
    text = " ".join(v.visible(value).split())
    if not text and not required:
        return ""
    if not 1 <= len(text) <= MAX_NAME:
        raise v.InvalidField("public_name", "too_long" if text else "too_short", min=1, max=MAX_NAME)
    return text


def clean_contact(value: str, *, required: bool = True) -> str:
    """A telephone number (as the request form takes them) or an e-mail address; empty only where not
    ``required``."""
    text = v.visible(value).strip()
    if not text and not required:
        return ""
    if len(text) > MAX_CONTACT:
        raise v.InvalidField("public_contact", "too_long", min=1, max=MAX_CONTACT)
    phone = normalise_phone(text)
    if phone is not None:
        return phone
    if _EMAIL.fullmatch(text):
        return text
    raise v.InvalidField("public_contact", "bad_contact")


def clean_body(value: str) -> str:
    text = v.visible(value, keep="\n").strip()
    if not 2 <= len(text) <= MAX_TEXT:
        raise v.InvalidField("public_text", "too_short" if len(text) < 2 else "too_long", min=2, max=MAX_TEXT)
    return text
