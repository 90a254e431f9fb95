"""Only the sandbox's own page may drive it.

The sandbox listens on 127.0.0.1, but any web page the same person opens can send requests there: a plain form or
``text/plain`` POST crosses origins without asking, and DNS rebinding (another site's name pointed at 127.0.0.1)
makes such a page same-origin with us. So every request must name us in ``Host``, and every request that acts must
carry the page's own token in a header (which no other page can read or, without our CORS consent, send) and come
from no foreign ``Origin``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

TOKEN_HEADER = "X-Sandbox-Token"
PUBLIC = "/notices"  # the public notice board: no token (the public has none), its own CSRF token instead
SAFE_METHODS = frozenset({"GET", "HEAD"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def own_hosts(request: web.Request) -> frozenset[str]:
    """The ``Host`` values that name this server: localhost or the address the connection reached, with its port."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:
        return frozenset()
    address, port = str(sockname[0]), int(sockname[1])
    names = {"localhost", f"[{address}]" if ":" in address else address}
    hosts = {f"{name}:{port}" for name in names}
    return frozenset(hosts | names if port == 80 else hosts)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def _is_public(path: str) -> bool:
    return path == PUBLIC or path.startswith(PUBLIC + "/")


def guard(token: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        hosts = own_hosts(request)
        if request.headers.get(hdrs.HOST, "").lower() not in hosts:
            raise web.HTTPMisdirectedRequest(text="this sandbox answers only to its own address")
        if request.method not in SAFE_METHODS and not _is_public(request.path):
            origin = request.headers.get(hdrs.ORIGIN)
            if origin is not None and origin.lower() not in {f"http://{host}" for host in hosts}:
                raise web.HTTPForbidden(text="requests from other sites are refused")
            if not _same(request.headers.get(TOKEN_HEADER, ""), token):
                raise web.HTTPForbidden(text="only the sandbox's own page may do this; reload it")
        return await handler(request)

    return check
