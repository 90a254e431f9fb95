"""The Bot API methods the bot uses, with Telegram's checks and error wording."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from localbotapi.html_check import EntityError, plain_text, utf16_length
from localbotapi.world import ApiError, World, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
OVERLAPPING_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def _chat(world: World, params: dict[str, Any]) -> dict[str, Any]:
    chat_id = params.get("chat_id")
    if chat_id not in world.chats:
        raise bad_request("chat not found")
    if chat_id in world.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if chat_id in world.not_started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return world.chats[chat_id]


def _text(params: dict[str, Any], key: str, limit: int, *, required: bool) -> str:
    raw = str(params.get(key, ""))
    if required and not raw.strip():
        raise bad_request("message text is empty")
    if params.get("parse_mode") == "HTML":
        try:
            shown = plain_text(raw)
        except EntityError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        shown = raw
    if utf16_length(shown) > limit:  # after entity parsing, in UTF-16 code units, as Telegram counts
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return shown


def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    if not isinstance(markup, dict):
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup if "inline_keyboard" in markup else None


def public(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Telegram returns it (the raw HTML is kept for tests, not sent)."""
    return {k: v for k, v in message.items() if k != "html"}


def _message(world: World, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
    message = {
        "message_id": world.next_message_id(chat["id"]),
        "date": int(time.time()),
        "chat": chat,
        "from": world.bot_user,
        **{k: v for k, v in content.items() if v is not None},
    }
    world.messages[(chat["id"], message["message_id"])] = message
    return public(message)


async def send_message(world: World, params: dict[str, Any], files: Any) -> dict[str, Any]:
    chat = _chat(world, params)
    text = _text(params, "text", MAX_TEXT, required=True)
    return _message(world, chat, text=text, html=params.get("text"), reply_markup=_markup(params))


async def send_document(world: World, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
    chat = _chat(world, params)
    caption = _text(params, "caption", MAX_CAPTION, required=False) or None
    reference = str(params.get("document", ""))
    upload = files.get(reference.removeprefix("attach://")) or files.get("document")
    if upload is not None:
        name, data = upload
        stored = world.store_file(name, "application/octet-stream", data)
    elif params.get("document") in world.files:
        stored = world.files[params["document"]]
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_name": stored.name,
        "mime_type": stored.mime,
        "file_size": len(stored.data),
    }
    return _message(world, chat, document=document, caption=caption, reply_markup=_markup(params))


async def send_photo(world: World, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
    chat = _chat(world, params)
    caption = _text(params, "caption", MAX_CAPTION, required=False) or None
    reference = str(params.get("photo", ""))
    upload = files.get(reference.removeprefix("attach://")) or files.get("photo")
    if upload is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    name, data = upload
    if not data.startswith(b"\x89PNG") and not data.startswith(b"\xff\xd8"):
        raise bad_request("IMAGE_PROCESS_FAILED")
    stored = world.store_file(name, "image/png", data)
    size = {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "width": 0,
        "height": 0,
        "file_size": len(data),
    }
    return _message(world, chat, photo=[size], caption=caption, reply_markup=_markup(params))


def _own_message(world: World, params: dict[str, Any]) -> dict[str, Any]:
    found = world.messages.get((params.get("chat_id"), params.get("message_id")))  # type: ignore[arg-type]
    if found is None or found["from"]["id"] != world.bot_id:
        raise bad_request("message to edit not found")
    return found


async def edit_message_text(world: World, params: dict[str, Any], files: Any) -> dict[str, Any]:
    message = _own_message(world, params)
    text = _text(params, "text", MAX_TEXT, required=True)
    markup = _markup(params)
    if message.get("html") == params.get("text") and message.get("reply_markup") == markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same as a "
            "current content and reply markup of the message"
        )
    message.update(text=text, html=params.get("text"), edit_date=int(time.time()))
    message.pop("reply_markup", None)
    if markup:
        message["reply_markup"] = markup
    return public(message)


async def edit_message_reply_markup(world: World, params: dict[str, Any], files: Any) -> dict[str, Any]:
    message = _own_message(world, params)
    markup = _markup(params)
    if message.get("reply_markup") == markup:
        raise bad_request("message is not modified")
    message.pop("reply_markup", None)
    if markup:
        message["reply_markup"] = markup
    return public(message)


async def delete_message(world: World, params: dict[str, Any], files: Any) -> bool:
    if world.messages.pop((params.get("chat_id"), params.get("message_id")), None) is None:  # type: ignore[arg-type]
        raise bad_request("message to delete not found")
    return True


async def answer_callback_query(world: World, params: dict[str, Any], files: Any) -> bool:
    query_id = params.get("callback_query_id")
    if query_id not in world.callback_answers or world.callback_answers[query_id] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if utf16_length(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    world.callback_answers[query_id] = {"text": params.get("text"), "show_alert": params.get("show_alert", False)}
    return True


async def get_file(world: World, params: dict[str, Any], files: Any) -> dict[str, Any]:
    stored = world.files.get(params.get("file_id", ""))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_size": len(stored.data),
        "file_path": stored.path,
    }


async def get_updates(world: World, params: dict[str, Any], files: Any) -> list[dict[str, Any]]:
    """Updates below ``offset`` are confirmed and forgotten; with none pending, wait up to ``timeout``."""
    if world.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    offset = int(params.get("offset") or 0)
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    timeout = float(params.get("timeout") or 0)
    if offset > 0:
        world.updates[:] = [u for u in world.updates if u["update_id"] >= offset]
    elif offset < 0:
        world.updates[:] = world.updates[offset:]
    if not world.updates and timeout > 0:
        # a newer poll ends this one with 409, as Telegram does: two instances polling one token see it at once
        world.polls += 1
        this_poll = world.polls
        try:
            await world.wait_until(lambda: world.updates or world.polls != this_poll, timeout)
        except TimeoutError:
            return []
        if world.polls != this_poll:
            raise ApiError(409, OVERLAPPING_POLL)
    else:
        world.polls += 1
        await world.notify()  # a long poll still waiting is over
    return world.updates[:limit]


async def get_me(world: World, params: dict[str, Any], files: Any) -> dict[str, Any]:
    return {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


async def set_my_commands(world: World, params: dict[str, Any], files: Any) -> bool:
    commands = params.get("commands") or []
    for command in commands:
        if not (1 <= len(command.get("command", "")) <= 32 and 1 <= len(command.get("description", "")) <= 256):
            raise bad_request("BOT_COMMAND_INVALID")
    scope = params.get("scope") or {"type": "default"}
    key = f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code', '')}"
    world.commands[key] = commands
    return True


async def set_webhook(world: World, params: dict[str, Any], files: Any) -> bool:
    secret = params.get("secret_token") or None
    if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    world.webhook = {"url": params.get("url"), "secret_token": secret}
    world.webhook_allowed_updates = params.get("allowed_updates")
    world.webhook_connections = min(max(int(params.get("max_connections") or 40), 1), 100)
    world.webhook_error = None
    if params.get("drop_pending_updates"):
        world.updates.clear()
    return True


async def delete_webhook(world: World, params: dict[str, Any], files: Any) -> bool:
    world.webhook = None
    world.webhook_error = None
    if params.get("drop_pending_updates"):
        world.updates.clear()
    return True


async def get_webhook_info(world: World, params: dict[str, Any], files: Any) -> dict[str, Any]:
    """As Telegram answers it: url empty without a webhook; the pending count and the last error either way."""
    info: dict[str, Any] = {
        "url": world.webhook["url"] if world.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if world.webhook is not None:
        info["max_connections"] = world.webhook_connections
        if world.webhook_allowed_updates is not None:
            info["allowed_updates"] = world.webhook_allowed_updates
    if world.webhook_error is not None:
        info["last_error_date"], info["last_error_message"] = world.webhook_error
    return info


async def ok(world: World, params: dict[str, Any], files: Any) -> bool:
    return True


HANDLERS: dict[str, Callable[[World, dict[str, Any], Any], Awaitable[Any]]] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "setMyCommands": set_my_commands,
    "deleteMyCommands": ok,
    "deleteWebhook": delete_webhook,
    "setWebhook": set_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendChatAction": ok,
}
