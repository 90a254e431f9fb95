"""A local stand-in for Telegram's Bot API server (aiohttp on 127.0.0.1), for tests and offline demos.

It keeps real update/offset semantics and long polling, answers with Telegram's message objects and error
payloads, records every call, and lets a test play users and inject faults (400, 403, 429, 5xx).
"""

from localbotapi.server import LocalBotApi
from localbotapi.users import ChatUser

__all__ = ["ChatUser", "LocalBotApi"]
