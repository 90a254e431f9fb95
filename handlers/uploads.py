"""A document someone sends: fetched within bounds, checked by its bytes, hashed, and recognised when sent again.

The hash is of the bytes checked here; the bureau's own copy, fetched again later by jobs/copies.py, must hash to
the same. A file sent again — Telegram's unique id for it, or the same bytes under any name — is the one already
received: it is not fetched again when its id gives it away, and never kept twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from aiogram.types import Message
from pydantic import ValidationError

from approvals import validation as v
from approvals.documents import checked_digest, duplicate_of
from approvals.models import MAX_ATTACHMENT_BYTES, MAX_DRAFT_DOCUMENTS, Attachment
from handlers.downloads import FileTooLarge, download_at_most


async def attachment_of(message: Message, now: datetime) -> Attachment:
    """A document as the bureau accepts it: type by name, size, and content that matches the name to its end."""
    doc = message.document
    assert doc is not None and message.bot is not None
    size = doc.file_size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise v.InvalidField("attachment", "too_big")
    try:
        attachment = Attachment(
            file_id=doc.file_id,
            name=doc.file_name or "document",
            size=size,
            mime=doc.mime_type or "application/octet-stream",
            unique_id=doc.file_unique_id,
            uploaded_at=now,
        )
    except ValidationError as exc:
        cause = exc.errors()[0].get("ctx", {}).get("error")
        raise cause if isinstance(cause, v.InvalidField) else v.InvalidField("attachment", "bad_type") from None
    try:  # the size a message declares is a claim: the download stops past the limit whatever it said
        data = await download_at_most(message.bot, doc.file_id, declared=doc.file_size, limit=MAX_ATTACHMENT_BYTES)
    except FileTooLarge:
        raise v.InvalidField("attachment", "too_big") from None
    # reads a ZIP's directory and hashes up to 20 MB: off the event loop
    digest = await asyncio.to_thread(checked_digest, attachment.name, data)
    return attachment.model_copy(update={"size": len(data), "sha256": digest})


def check_room(sending: Sequence[object]) -> None:
    """``InvalidField`` when one sending (a form, a reply) already holds as many documents as it may."""
    if len(sending) >= MAX_DRAFT_DOCUMENTS:
        raise v.InvalidField("attachment", "too_many_files", max=MAX_DRAFT_DOCUMENTS)


async def received(message: Message, files: Sequence[Attachment], now: datetime) -> tuple[Attachment, bool]:
    """The document in ``message`` and whether it is new; an old one is the file of ``files`` it repeats.
    ``InvalidField`` when it is not a document the bureau accepts."""
    doc = message.document
    assert doc is not None
    by_id = next((f for f in files if f.unique_id is not None and f.unique_id == doc.file_unique_id), None)
    if by_id is not None:
        return by_id, False
    attachment = await attachment_of(message, now)
    same = duplicate_of(attachment, files)
    return (same, False) if same is not None else (attachment, True)
