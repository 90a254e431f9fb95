"""The public notice board in Debian's Chromium, inside the sandbox as `make run` starts it: a visitor reads the
acceptance notice of a sample project, sends a comment, and the reviewers' card in the sandbox's chat counts it;
the board fits a 390 px phone and a 1280 px screen (screenshots saved) and loads nothing from elsewhere."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from sandbox.app import Sandbox
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_web_chat import TIMEOUT, as_person

PROJECT = "示例重点项目02"  # the sandbox's sample 报告书, accepted at seeding: its acceptance notice is open
COMMENT = "施工期间请控制夜间噪声（浏览器测试）"


async def fits(page: Page, width: int) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, "the page is wider than the screen"
    for selector in ("h1", ".fields", "textarea", "button[type=submit]"):
        box = await page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)


async def test_a_visitor_reads_a_notice_comments_and_the_reviewers_card_counts_it(
    browser: Browser, sandbox: Sandbox
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    try:
        await page.goto(sandbox.url)  # the sandbox's chat links to the board
        await expect(page.locator("#board")).to_have_text("📣 公示栏", timeout=TIMEOUT)
        await expect(page.locator("#board")).to_have_attribute("href", "/notices/")
        await page.goto(f"{sandbox.url}/notices/")
        await expect(page.locator("h1")).to_have_text("正在公示")
        await page.get_by_role("link", name=PROJECT).first.click()
        await expect(page.locator(".fields")).to_contain_text("示例建设单位")
        await expect(page.locator(".period")).to_contain_text("剩余")
        await expect(page.locator(".count")).to_contain_text("已收到公众意见 0 条")
        await fits(page, 1280)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "board-1280.png"), full_page=True)

        await page.fill("#text", COMMENT)
        await page.get_by_role("button", name="发送", exact=True).click()
        await expect(page.locator(".flash")).to_contain_text("您的意见已送达审批人员", timeout=TIMEOUT)
        await expect(page.locator(".count")).to_contain_text("已收到公众意见 1 条")
        notice_url = page.url
        assert all(url.startswith(sandbox.url) for url in asked), [u for u in asked if not u.startswith(sandbox.url)]

        await page.goto(sandbox.url)  # the sandbox's chat, as the reviewers' group sees it
        await as_person(page, "group")
        card = page.locator(".msg", has_text=PROJECT).filter(has_text="建设单位").last
        await expect(card).to_contain_text("公众意见 1 条", timeout=TIMEOUT)  # redrawn through the outbox
        await expect(card).to_contain_text(COMMENT)
        await card.scroll_into_view_if_needed()
        await page.screenshot(path=str(SCREENSHOTS / "board-card-in-group.png"))
    finally:
        await context.close()

    phone = await browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    small = await phone.new_page()
    try:
        await small.goto(notice_url.split("?")[0])
        await expect(small.locator(".count")).to_contain_text("已收到公众意见 1 条")
        await fits(small, 390)
        await small.screenshot(path=str(SCREENSHOTS / "board-390.png"), full_page=True)
        await small.get_by_role("link", name="English").click()
        await expect(small.locator(".count")).to_contain_text("1 public comment received")
        await fits(small, 390)
    finally:
        await phone.close()


async def test_the_board_s_policy_blocks_what_it_does_not_serve(browser: Browser, sandbox: Sandbox) -> None:
    """A script smuggled into a page would not run: the policy allows none (checked in the browser itself)."""
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        await page.goto(f"{sandbox.url}/notices/")
        ran = await page.evaluate(
            """() => new Promise(done => {
                const s = document.createElement('script'); s.textContent = 'window.smuggled = 1';
                document.body.appendChild(s); setTimeout(() => done(window.smuggled === 1), 50); })"""
        )
        assert ran is False
        assert any("script" in text for text in blocked), blocked  # refused by the policy, and said so
        assert failed == []  # its own stylesheet and icon load
        assert (await page.evaluate("getComputedStyle(document.querySelector('.top')).display")) == "block"
    finally:
        await context.close()
