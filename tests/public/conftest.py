"""The board's HTTP side over a real database and the real notice use cases, through aiohttp's test client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from aiohttp.test_utils import TestClient, TestServer

from approvals.board import NoticeBoard
from approvals.calendar import WorkCalendar
from approvals.service import ApprovalService
from catalogues import compiled_locales
from public.app import BoardSite
from public.limits import SendLimits
from public.render import Pages
from public.server import standalone
from storage.board import SqliteBoardReader
from storage.database import Database
from tests.conftest import accept_on_receipt

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def i18n() -> I18n:
    return I18n(path=compiled_locales(ROOT / "locales"), default_locale="zh_CN", domain="messages")


@pytest.fixture
def deciding(receiving: ApprovalService) -> ApprovalService:
    return accept_on_receipt(receiving)


@pytest.fixture
def site(db: Database, deciding: ApprovalService, calendar: WorkCalendar, i18n: I18n) -> BoardSite:
    board = NoticeBoard(SqliteBoardReader(db), deciding, calendar)
    return BoardSite(board, Pages(i18n), deciding.today, limits=SendLimits(per_address=5, overall=1000))


@pytest.fixture
async def client(site: BoardSite) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    async with TestClient(TestServer(standalone(site))) as running:
        yield running


def form_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, "the page has no form"
    return found.group(1)
