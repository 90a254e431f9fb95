"""The board on its own port (PUBLIC_HOST, PUBLIC_PORT), or mounted in another aiohttp app (the sandbox's)."""

from __future__ import annotations

import logging

from aiohttp import web

from handlers.webhook import _deadline, _GuardedRunner  # the webhook's bounds: open connections, idle sockets
from public.app import HEADERS, BoardSite, Handler
from public.render import PREFIX

log = logging.getLogger("green_channel.public")


def mount(parent: web.Application, site: BoardSite) -> None:
    """Serve the board under /notices of ``parent`` (its own middlewares run for the board's pages too)."""
    parent.router.add_get(PREFIX, _to_board)  # before the board, whose prefix would take it (and answer 404)
    parent.add_subapp(PREFIX, site.app())


def standalone(site: BoardSite) -> web.Application:
    """The board alone: / leads to it; nothing else is served (no listing, no other file)."""
    app = web.Application(middlewares=[_deadline, _headers])
    mount(app, site)
    app.router.add_get("/", _to_board)
    return app


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The board's policy on whatever else is asked of its port too (a 404 for /robots.txt, say)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(HEADERS)
        raise
    response.headers.update(HEADERS)
    return response


async def _to_board(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(f"{PREFIX}/" + (f"?{request.query_string}" if request.query_string else ""), headers=HEADERS)


async def start(site: BoardSite, host: str, port: int) -> web.AppRunner:
    runner = _GuardedRunner(standalone(site), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("public notice board on http://%s:%d%s/", host, port, PREFIX)
    return runner
