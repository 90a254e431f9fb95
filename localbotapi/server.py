"""The HTTP side: /bot<token>/<method> and /file/bot<token>/<path>, answered the way Telegram answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from localbotapi import methods
from localbotapi.webhook import WebhookPusher
from localbotapi.world import PATIENCE, ApiError, Call, Fault, World

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "link_preview_options",
        "reply_parameters",
        "caption_entities",
        "media",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "reply_to_message_id",
        "max_connections",
    }
)
BOOL_FIELDS = frozenset({"show_alert", "drop_pending_updates", "disable_notification", "protect_content"})

Handler = Callable[[World, dict[str, Any], dict[str, tuple[str, bytes]]], Awaitable[Any]]


class LocalBotApi:
    """Start with ``await api.start()``; point aiogram at ``api.base_url`` via ``TelegramAPIServer.from_base``."""

    def __init__(self, token: str, *, bot_username: str = "green_channel_bot") -> None:
        self.token = token
        self.world = World(bot_id=int(token.split(":", 1)[0]), bot_username=bot_username)
        self._runner: web.AppRunner | None = None
        self.webhook = WebhookPusher(self.world)
        self.base_url = ""

    # --- lifecycle -----------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0, *, routes: Iterable[web.RouteDef] = ()) -> str:
        """Serve on ``host:port`` (0: any free port); ``routes`` adds a caller's own endpoints beside the API."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.add_routes(routes)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        bound = server.sockets[0].getsockname()  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{bound[1]}"
        self.webhook.start()
        return self.base_url

    async def stop(self) -> None:
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls -------------------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        rate: float = 1.0,
        chat_id: int | None = None,
    ) -> None:
        """Make calls of ``method`` fail with this error: the next ``times`` ones, or a ``rate`` share of them,
        optionally only those for ``chat_id``."""
        error = ApiError(code, description, retry_after, migrate_to_chat_id)
        self.world.faults.append(Fault(method, error, times, rate, chat_id))

    def calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self.world.calls if method is None or c.method == method]

    def unanswered_callbacks(self) -> list[str]:
        return [qid for qid, answer in self.world.callback_answers.items() if answer is None]

    async def wait_until(self, condition: Callable[[], Any], timeout: float = PATIENCE, poll: float = 0.5) -> Any:
        return await self.world.wait_until(condition, timeout, poll)

    # --- HTTP ----------------------------------------------------------------------------------------------

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        name = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(name, params, files)
        if self.world.keep_calls:
            self.world.calls.append(call)
        for arrival in self.world.arrivals:
            arrival(call)
        handler: Handler | None = methods.HANDLERS.get(name)
        try:
            fault = self.world.take_fault(name, params.get("chat_id"))
            if fault is not None and fault.code == 0:  # a network failure: the connection just drops
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)
            if fault is not None:
                raise fault
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(self.world, params, files)
            for listener in self.world.listeners:
                listener(call, result)
        except ApiError as error:
            call.error = error.payload()
            await self.world.notify()
            return web.json_response(call.error, status=error.code)
        await self.world.notify()
        return web.json_response({"ok": True, "result": result}, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        stored = self.world.file_paths.get(request.match_info["path"])
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """aiogram sends form fields (complex values JSON-encoded) and multipart uploads."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key, value in list(params.items()):
        if not isinstance(value, str):
            continue
        if key in JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in INT_FIELDS and value.lstrip("-").isdigit():
            params[key] = int(value)
        elif key in BOOL_FIELDS:
            params[key] = value.lower() == "true"
    return params, files
