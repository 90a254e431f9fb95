"""The sandbox on a phone, 390 px wide: the contact list folds away, the chat takes the width, the composer stays on
the screen however long the chat grows — and a screenshot of it."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_web_chat import TIMEOUT, as_person, say

WIDTH, HEIGHT = 390, 844


async def on_screen(page: Page, selector: str) -> None:
    box = await page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 0.5, f"{selector} runs off the side: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT + 0.5, f"{selector} runs off the bottom: {box}"


async def test_on_a_phone_the_list_folds_away_and_the_composer_stays_on_screen(phone: Page) -> None:
    page = phone
    await expect(page.locator("#messages[data-who='applicant']")).to_be_attached(timeout=TIMEOUT)
    await expect(page.locator("#people")).to_be_hidden()  # folded: the chat has the whole width
    chat = await page.locator("#messages").bounding_box()
    assert chat is not None and chat["width"] >= WIDTH - 1
    assert await page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # nothing wider than the screen
    for part in ("#composer", "#text", "#composer button[type=submit]", ".attach", "#people-toggle"):
        await on_screen(page, part)

    await say(page, "/start", "欢迎使用")  # a long welcome and the help: the chat scrolls, the page does not
    await say(page, "/help", "命令")
    await on_screen(page, "#composer")
    await on_screen(page, "#composer button[type=submit]")
    assert await page.evaluate("document.documentElement.scrollHeight") <= HEIGHT

    await page.click("#people-toggle")  # the list opens over the chat
    await expect(page.locator("#people")).to_be_visible()
    await expect(page.locator("#people-toggle")).to_have_attribute("aria-expanded", "true")
    await on_screen(page, "nav button[data-who='reviewer']")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "phone-390-people.png"))
    await as_person(page, "reviewer")  # choosing someone folds it away again
    await expect(page.locator("#people")).to_be_hidden()
    await expect(page.locator("#chat-title")).to_contain_text("张审")
    await say(page, "/queue", "队列")
    await on_screen(page, "#composer")

    await page.screenshot(path=str(SCREENSHOTS / "phone-390.png"))
