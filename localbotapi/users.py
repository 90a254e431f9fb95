"""People on the fake Telegram: they write, send files, press buttons, and see what the bot shows them."""

from __future__ import annotations

import itertools
import time
from typing import Any

from localbotapi.world import PATIENCE, World

_query_ids = itertools.count(1)


class ChatUser:
    def __init__(
        self, world: World, user_id: int, first_name: str, language_code: str = "zh-hans", *, started: bool = True
    ) -> None:
        """``started``: the person has opened a private chat with the bot (else it cannot write to them until
        they write to it, as on Telegram)."""
        self.world = world
        self.id = user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        world.users[user_id] = self.user
        world.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        if not started:
            world.not_started.add(user_id)

    @staticmethod
    def group(world: World, chat_id: int, title: str) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        world.chats[chat_id] = chat
        return chat

    def _chat(self, chat: dict[str, Any] | None) -> dict[str, Any]:
        return chat or self.world.chats[self.id]

    async def _post(self, chat: dict[str, Any] | None, **content: Any) -> dict[str, Any]:
        where = self._chat(chat)
        if where["id"] == self.id:  # writing to the bot in private opens the chat for its answers
            self.world.not_started.discard(self.id)
        message = {
            "message_id": self.world.next_message_id(where["id"]),
            "date": int(time.time()),
            "chat": where,
            "from": self.user,
            **content,
        }
        self.world.messages[(where["id"], message["message_id"])] = message
        await self.world.push_update("message", message)
        return message

    async def send(
        self,
        text: str,
        *,
        chat: dict[str, Any] | None = None,
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A text message; a leading /command is marked as Telegram marks it, ``entities`` (mentions…) as given."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            content["entities"] = [*content.get("entities", []), *entities]
        if reply_to is not None:
            content["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "html"}
        return await self._post(chat, **content)

    async def send_document(
        self,
        name: str,
        data: bytes,
        *,
        mime: str = "application/pdf",
        chat: dict[str, Any] | None = None,
        size: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self.world.store_file(name, mime, data)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": size if size is not None else len(data),
        }
        extra = {"caption": caption} if caption else {}
        return await self._post(chat, document=document, **extra)

    async def press(self, message: dict[str, Any], button: str) -> str:
        """Press the button whose text contains ``button`` (or whose callback data equals it)."""
        data = None
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for candidate in row:
                if button in candidate["text"] or candidate.get("callback_data") == button:
                    data = candidate["callback_data"]
                    break
            if data:
                break
        if data is None:
            raise AssertionError(f"no button {button!r} on message: {message.get('reply_markup')}")
        return await self.press_data(message, data)

    async def press_data(self, message: dict[str, Any], data: str) -> str:
        """Send a callback query with any data, as a forged or stale button would."""
        query_id = str(next(_query_ids))
        self.world.callback_answers[query_id] = None
        await self.world.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.user,
                "chat_instance": str(message["chat"]["id"]),
                "message": {k: v for k, v in message.items() if k != "html"},
                "data": data,
            },
        )
        return query_id

    async def answer(self, query_id: str, timeout: float = PATIENCE) -> dict[str, Any]:
        """Wait for the bot to answer a callback query; return the answer (text, show_alert)."""
        return await self.world.wait_until(lambda: self.world.callback_answers.get(query_id), timeout)  # type: ignore[no-any-return]

    def inbox(self, chat: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every bot message in this user's chat (or a group), as it looks now, oldest first."""
        chat_id = self._chat(chat)["id"]
        return [
            m
            for (cid, _), m in sorted(self.world.messages.items())
            if cid == chat_id and m["from"]["id"] == self.world.bot_id
        ]

    async def expect(
        self, contains: str, *, chat: dict[str, Any] | None = None, after: int = 0, timeout: float = PATIENCE
    ) -> dict[str, Any]:
        """Wait for a bot message (new or edited) with ``contains`` in it, with message id above ``after``."""

        def find() -> dict[str, Any] | None:
            for message in reversed(self.inbox(chat)):
                text = message.get("text") or message.get("caption") or ""
                if message["message_id"] > after and contains in text:
                    return message
            return None

        try:
            return await self.world.wait_until(find, timeout)  # type: ignore[no-any-return]
        except TimeoutError:
            seen = [m.get("text") or m.get("caption") for m in self.inbox(chat)[-3:]]
            raise AssertionError(f"{self.user['first_name']} never saw {contains!r}; last messages: {seen}") from None

    def last_id(self, chat: dict[str, Any] | None = None) -> int:
        chat_id = self._chat(chat)["id"]
        return max((mid for (cid, mid) in self.world.messages if cid == chat_id), default=0)
