"""Fetching what people send, never more than the caller can hold: the size a message declares is only a claim."""

from __future__ import annotations

from aiogram import Bot

CHUNK_BYTES = 64 * 1024


class FileTooLarge(Exception):
    """The file is, or claims to be, larger than the limit: nothing past the limit was read."""


async def download_at_most(bot: Bot, file_id: str, *, declared: int | None, limit: int) -> bytes:
    """The file's bytes, or ``FileTooLarge``: refused before fetching when the message or getFile says it is too
    large, and cut off as soon as more than ``limit`` bytes arrive when they said otherwise."""
    if (declared or 0) > limit:
        raise FileTooLarge
    file = await bot.get_file(file_id)
    if (file.file_size or 0) > limit or file.file_path is None:  # no path: over what Telegram lets bots fetch
        raise FileTooLarge
    url = bot.session.api.file_url(bot.token, file.file_path)
    stream = bot.session.stream_content(url=url, timeout=60, chunk_size=CHUNK_BYTES, raise_for_status=True)
    received = bytearray()
    try:
        async for chunk in stream:
            received += chunk
            if len(received) > limit:
                raise FileTooLarge
    finally:
        await stream.aclose()  # closes the connection now rather than whenever the generator is collected
    return bytes(received)
