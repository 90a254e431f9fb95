"""A real browser (Debian's Chromium, headless, driven by Playwright) against the sandbox's web chat."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from sandbox.app import Sandbox

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"  # kept after the run, for a person to look at
# As root on a closed network: no sandboxing helper, and no calls home that would be refused anyway.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium not found: install Debian's 'chromium' package (make test does so where apt exists)")
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser, sandbox: Sandbox) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1200, "height": 860}, locale="zh-CN")
    opened = await context.new_page()
    await opened.goto(sandbox.url)
    try:
        yield opened
    finally:
        await context.close()


@pytest.fixture
async def phone(browser: Browser, sandbox: Sandbox) -> AsyncIterator[Page]:
    """The page on a phone: 390 × 844 CSS pixels (an iPhone 12-15), touch, the meta viewport honoured."""
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    opened = await context.new_page()
    await opened.goto(sandbox.url)
    try:
        yield opened
    finally:
        await context.close()
