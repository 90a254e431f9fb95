"""The web chat's HTTP side: the page, and a small JSON API over the local Bot API server's world."""

from __future__ import annotations

import html
import json
import mimetypes
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiogram.utils.i18n import I18n
from aiohttp import web

from localbotapi import ChatUser
from localbotapi.world import World
from sandbox.cast import CAST, GROUP_ID, GROUP_TITLE
from sandbox.guard import guard
from sandbox.labels import labels
from sandbox.safe_html import clean

STATIC = Path(__file__).resolve().parent / "static"
SHOWN = 150  # the latest messages of a chat sent to the page
MAX_UPLOAD = 20 * 1024 * 1024
TOKEN_SLOT = "{{token}}"  # in index.html: where the page's own token goes


def attachment(name: str) -> str:
    """``Content-Disposition`` for a download (RFC 6266): the exact name UTF-8 encoded, and a plain ASCII stand-in
    for old clients; neither can end the header or add a parameter, whatever the name holds."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\;' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; JSON only, so a plain cross-site form cannot pass for the page."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send application/json")
    try:
        body = await request.json()
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise web.HTTPBadRequest(text="not JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body


class WebChat:
    def __init__(
        self, world: World, users: dict[str, ChatUser], summary_now: Callable[[], Awaitable[int]], i18n: I18n
    ) -> None:
        self.world = world
        self.users = users
        self.summary_now = summary_now
        self.i18n = i18n
        self.token = secrets.token_urlsafe(32)  # this process's page, and no other, may act

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024, middlewares=[guard(self.token)])
        app.router.add_get("/", self.index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/favicon.ico", self.favicon)  # asked for by browsers that ignore the page's <link>
        app.router.add_get("/api/labels", self.labels)
        app.router.add_get("/api/people", self.people)
        app.router.add_get("/api/chat", self.chat)
        app.router.add_post("/api/send", self.send)
        app.router.add_post("/api/press", self.press)
        app.router.add_post("/api/upload", self.upload)
        app.router.add_post("/api/summary", self.summary)
        app.router.add_get("/api/file/{file_id}", self.file)
        return app

    async def index(self, request: web.Request) -> web.StreamResponse:
        page = (STATIC / "index.html").read_text(encoding="utf-8").replace(TOKEN_SLOT, self.token)
        # not cached: a page kept from an earlier run would carry that run's token
        return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def favicon(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})

    async def labels(self, request: web.Request) -> web.Response:
        return web.json_response(labels(self.i18n, request.query.get("locale", self.i18n.default_locale)))

    async def people(self, request: web.Request) -> web.Response:
        views = [{"key": p.key, "name": p.name, "group": False} for p in CAST]
        views.append({"key": "group", "name": GROUP_TITLE, "group": True})
        return web.json_response(views)

    def _who(self, key: str) -> tuple[ChatUser, dict[str, Any] | None]:
        """The person acting and the chat they look at (in the group view: the first reviewer, in the group)."""
        if key == "group":
            return self.users["reviewer"], self.world.chats[GROUP_ID]
        if key not in self.users:
            raise web.HTTPNotFound(text="no such person")
        return self.users[key], None

    async def chat(self, request: web.Request) -> web.Response:
        user, chat = self._who(request.query.get("who", ""))
        chat_id = (chat or self.world.chats[user.id])["id"]
        mine = sorted((mid, m) for (cid, mid), m in self.world.messages.items() if cid == chat_id)[-SHOWN:]
        return web.json_response({"messages": [self._shown(m, user) for _, m in mine]})

    def _shown(self, message: dict[str, Any], viewer: ChatUser) -> dict[str, Any]:
        sender = message["from"]
        from_bot = sender["id"] == self.world.bot_id
        text = message.get("text") or message.get("caption") or ""
        raw = message.get("html")
        body = clean(raw) if from_bot and raw else html.escape(text)
        shown: dict[str, Any] = {
            "id": message["message_id"],
            "bot": from_bot,
            "mine": sender["id"] == viewer.id,
            "sender": sender.get("first_name", ""),
            "html": body.replace("\n", "<br>"),
            "edited": bool(message.get("edit_date")),
            "buttons": [
                [{"text": b.get("text", ""), "data": b.get("callback_data", "")} for b in row]
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            ],
        }
        if message.get("photo"):
            shown["photo"] = f"/api/file/{message['photo'][-1]['file_id']}"
        if message.get("document"):
            doc = message["document"]
            shown["document"] = {"name": doc.get("file_name", ""), "url": f"/api/file/{doc['file_id']}"}
        return shown

    async def send(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        user, chat = self._who(str(body.get("who", "")))
        text = str(body.get("text", "")).strip()
        if not text:
            raise web.HTTPBadRequest(text="empty message")
        await user.send(text[:4096], chat=chat)
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        user, chat = self._who(str(body.get("who", "")))
        chat_id = (chat or self.world.chats[user.id])["id"]
        message_id = body.get("message_id")
        message = self.world.messages.get((chat_id, message_id)) if type(message_id) is int else None
        if message is None:
            raise web.HTTPNotFound(text="no such message")
        query_id = await user.press_data(message, str(body.get("data", "")))
        try:
            answer = await user.answer(query_id, timeout=10)
        except TimeoutError:
            answer = {}
        return web.json_response({"text": answer.get("text") or "", "alert": bool(answer.get("show_alert"))})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        user, chat = self._who(str(form.get("who", "")))
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="no file")
        data = upload.file.read(MAX_UPLOAD + 1)
        mime = upload.content_type or mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        await user.send_document(upload.filename, data, mime=mime, chat=chat)
        return web.json_response({"ok": True})

    async def summary(self, request: web.Request) -> web.Response:
        await json_body(request)
        return web.json_response({"queued": await self.summary_now()})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        kind = "image/png" if stored.data.startswith(b"\x89PNG") else "application/octet-stream"
        headers = {} if kind == "image/png" else {"Content-Disposition": attachment(stored.name)}
        return web.Response(body=stored.data, content_type=kind, headers=headers)
