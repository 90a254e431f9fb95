"""Reading what the board's form sent, within bounds, before anything of it is parsed."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from aiohttp import hdrs, web

MAX_BODY = 32 * 1024  # a 2,000-character comment in Chinese is ~18 KB form-encoded; nothing the form sends is more
BODY_SECONDS = 10.0
MAX_FIELDS = 10


async def read_form(request: web.Request) -> dict[str, str]:
    """The form's fields, read and parsed within bounds: at most ``MAX_BODY`` bytes arriving within ``BODY_SECONDS``,
    url-encoded only, at most ``MAX_FIELDS`` fields, each name once."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise web.HTTPUnsupportedMediaType()
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_SECONDS):
            while len(body) <= MAX_BODY and (chunk := await request.content.read(MAX_BODY + 1 - len(body))):
                body += chunk
    except TimeoutError:
        raise web.HTTPRequestTimeout() from None
    if len(body) > MAX_BODY:  # a chunked body declares no length: cut off at the first byte too many
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise web.HTTPBadRequest() from None
    return {name: found[0] for name, found in parsed.items() if len(found) == 1}


def same_origin(request: web.Request) -> bool:
    """A browser names where a POST comes from; one naming another site is refused (the token is checked too)."""
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1].lower() == request.host.lower()
