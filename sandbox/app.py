"""Starting and stopping the sandbox: local Bot API server, the real bot (same wiring as production), web chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime, time
from pathlib import Path

from aiohttp import web

from assembly import Application, build_board, create_application, serve
from config import Settings
from jobs.summary import daily_messages
from localbotapi import ChatUser, LocalBotApi
from public import server as public_board
from sandbox.cast import CAST, GROUP_ID, GROUP_TITLE, SAMPLE_FILE_ID, SAMPLE_FILE_NAME, SAMPLE_PDF, TOKEN, seed
from sandbox.web import WebChat

log = logging.getLogger("green_channel.sandbox")


class Sandbox:
    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.api = LocalBotApi(TOKEN)
        self.application: Application | None = None
        self._polling: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        """Start everything; returns the web chat's address."""
        await self.api.start()
        world = self.api.world
        users = {p.key: ChatUser(world, p.user_id, p.name, p.language) for p in CAST}
        ChatUser.group(world, GROUP_ID, GROUP_TITLE)
        world.store_file(SAMPLE_FILE_NAME, "application/pdf", SAMPLE_PDF, file_id=SAMPLE_FILE_ID)
        settings = Settings(
            bot_token=TOKEN,  # type: ignore[arg-type]
            telegram_api_base=self.api.base_url,  # type: ignore[arg-type]
            database_path=self.data_dir / "green.db",
            files_dir=self.data_dir / "files",
            admin_ids=frozenset(p.user_id for p in CAST if p.key == "admin"),
            reviewer_chat_id=GROUP_ID,
            summary_time=time(23, 59),  # the page's button sends it on demand
            approval_number_prefix="示环审",  # sample numbers, marked as such (示: 示例)
            pace_private_seconds=0,  # Telegram's rate limits do not apply to a local demo
            pace_group_seconds=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        self.application = application = await create_application(settings)
        app = application.app
        if await seed(app.repos, app.approvals):
            log.info("sandbox seeded with sample data path=%s", settings.database_path)
        # the stand-in Telegram starts afresh each time, the database does not: continue its ids above what the
        # database has handled and posted, or a restarted sandbox would ignore the first messages as seen before
        # and edit new messages in place of old cards
        world.continue_after(await app.repos.updates.highest(), await app.repos.cards.highest_message_id())
        self._polling = asyncio.create_task(serve(application, handle_signals=False, polling_timeout=1))
        chat = WebChat(world, users, self.summary_now, app.i18n)
        page = chat.app()
        public_board.mount(page, build_board(application))  # the public notice board at /notices
        self._web = web.AppRunner(page, access_log=None)
        await self._web.setup()
        site = web.TCPSite(self._web, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://{self.host}:{port}"
        return self.url

    async def summary_now(self) -> int:
        """Queue the daily summary for its usual recipients now (the scheduled one is kept to once a day)."""
        assert self.application is not None
        app = self.application.app
        messages = await daily_messages(app)
        await app.repos.outbox.add(messages, datetime.now(UTC))
        return len(messages)

    async def stop(self) -> None:
        if self._web is not None:
            await self._web.cleanup()
        if self.application is not None:
            if self._polling is not None:
                try:
                    await self.application.dp.stop_polling()
                except RuntimeError:  # stopped while still connecting: no polling to wind down
                    self._polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(self._polling, 15)
            await self.application.close()
        await self.api.stop()


async def run(data_dir: Path, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    sandbox = Sandbox(data_dir, host=host, port=port)
    url = await sandbox.start()
    print(f"Green Channel sandbox: open {url} (sample data in {data_dir}; Ctrl+C stops)", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await sandbox.stop()
