"""The real bot (bot.py's wiring, real long polling) against the local Bot API server, with several users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from assembly import Application, create_application, serve
from config import Settings
from jobs.sender import Pacing
from localbotapi import ChatUser, LocalBotApi
from tests.conftest import FakeClock, accept_on_receipt, notice_served

TOKEN = "4242:TEST-not-a-real-token"  # obviously fake
GROUP_ID = -100777
ADMIN_ID = 9001


@dataclass
class Harness:
    api: LocalBotApi
    application: Application
    settings: Settings
    clock: FakeClock
    group: dict[str, Any]
    applicant: ChatUser
    applicant_en: ChatUser
    reviewer: ChatUser
    reviewer_2: ChatUser
    admin: ChatUser
    stranger: ChatUser
    task: asyncio.Task[None] | None = None
    # tests of what follows acceptance start there (tests/conftest.py accept_on_receipt); the completeness
    # check's own tests are marked receipt_first and see requests received, as the bot leaves them
    accept_on_receipt: bool = True
    # likewise decisions: an approval is proposed and its notice taken as run (tests/conftest.py notice_served);
    # the public notices' own tests are marked notice_first and walk the notice
    notice_served: bool = True
    # Telegram's real limits would make every test wait seconds; tests/bot/test_delivery.py checks pacing itself
    pacing: Pacing = field(default_factory=lambda: Pacing(private_interval=0, group_interval=0, per_second=1000))

    async def start(self) -> None:
        self.application = await create_application(self.settings, clock=self.clock, pacing=self.pacing)
        if self.accept_on_receipt:
            accept_on_receipt(self.application.app.approvals)
        if self.notice_served:
            notice_served(self.application.app.approvals)
        self.task = asyncio.create_task(serve(self.application, handle_signals=False, polling_timeout=1))
        polls = len(self.api.calls("getUpdates"))
        await self.api.wait_until(lambda: len(self.api.calls("getUpdates")) > polls)

    async def stop(self) -> None:
        if self.task is None:
            return
        await self.application.dp.stop_polling()
        await asyncio.wait_for(self.task, 30)  # a stop lets handlers finish (10 s at most), then closes
        await self.application.close()
        self.task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def typed_numbers(self) -> None:
        """Run as a bureau that sets APPROVAL_NUMBER_FORMAT empty: reviewers type approval numbers themselves."""
        self.settings = self.settings.model_copy(update={"approval_number_format": ""})
        await self.restart()

    @property
    def db(self) -> Any:
        return self.application.storage.db  # SQLite: the tests may look inside

    @property
    def repos(self) -> Any:
        return self.application.app.repos


@pytest.fixture
async def harness(tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    api = LocalBotApi(TOKEN)
    await api.start()
    world = api.world
    settings = Settings(
        bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_base=api.base_url,  # type: ignore[arg-type]
        database_path=tmp_path / "bot.db",
        files_dir=tmp_path / "files",
        admin_ids=frozenset({ADMIN_ID}),
        reviewer_chat_id=GROUP_ID,
        summary_time=time(23, 59),  # no catch-up summary in every test; tests/bot/test_summary.py moves it
        # nor a weekly bulletin (tests move the clock through the week); tests/bot/test_key_service.py moves it
        bulletin_day="sunday",
        bulletin_time=time(23, 59),
        throttle_rate=1000,  # scripted users are faster than people; tests/bot/test_security.py floods for real
        # a written notice is seconds of a child's CPU: only tests marked "papers" (tests/bot/test_papers.py) make them
        written_notices=request.node.get_closest_marker("papers") is not None,
        bureau_name="测试市城东区生态环境局",
        _env_file=None,  # type: ignore[call-arg]
    )
    h = Harness(
        api=api,
        application=None,  # type: ignore[arg-type]
        settings=settings,
        clock=clock,
        group=ChatUser.group(world, GROUP_ID, "审批科"),
        applicant=ChatUser(world, 101, "王工", "zh-hans"),
        applicant_en=ChatUser(world, 102, "Alice", "en"),
        reviewer=ChatUser(world, 201, "张审", "zh-hans"),
        reviewer_2=ChatUser(world, 202, "Bob", "en"),
        admin=ChatUser(world, ADMIN_ID, "局长", "zh-hans"),
        stranger=ChatUser(world, 666, "Mallory", "en"),
        accept_on_receipt=request.node.get_closest_marker("receipt_first") is None,
        notice_served=request.node.get_closest_marker("notice_first") is None,
    )
    await h.start()
    from approvals.models import Role

    for reviewer in (h.reviewer, h.reviewer_2):
        await h.repos.people.grant(reviewer.id, Role.REVIEWER)
    try:
        yield h
    finally:
        await h.stop()
        await api.stop()
        assert api.unanswered_callbacks() == [], "every callback query must be answered"
