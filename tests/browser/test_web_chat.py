"""The sandbox in a browser: a request submitted through the page, accepted and approved with the card's buttons, the
applicant told, the approved count up — and a screenshot of every role's view."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from sandbox.app import Sandbox
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import notice_run

PDF = b"%PDF-1.4 browser test document\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n"
PROJECT = "浏览器测试项目"
TIMEOUT = 15_000  # ms: the bot answers in milliseconds; this only bounds a failure


async def as_person(page: Page, who: str) -> None:
    await page.click(f"nav button[data-who='{who}']")
    await expect(page.locator(f"#messages[data-who='{who}']")).to_be_attached()  # that person's chat is shown


ANSWERED = """([after, text]) => [...document.querySelectorAll('.msg')].some(
    m => +m.dataset.id > after && !m.classList.contains('mine') && m.innerText.includes(text))"""


async def newest_id(page: Page) -> int:
    return int(await page.evaluate("Math.max(0, ...[...document.querySelectorAll('.msg')].map(m => +m.dataset.id))"))


async def say(page: Page, text: str, then_see: str) -> None:
    """Type a message and wait for a bot message after it that contains ``then_see``."""
    mark = await newest_id(page)
    await page.fill("#text", text)
    await page.press("#text", "Enter")
    await page.wait_for_function(ANSWERED, arg=[mark, then_see], timeout=TIMEOUT)


async def press(page: Page, message_text: str, button: str) -> None:
    """Press a button on the newest message that shows ``message_text``."""
    message = page.locator(".msg", has_text=message_text).last
    await message.get_by_role("button", name=button, exact=True).click()


async def approved_total(page: Page) -> int:
    await say(page, "/stats", "累计已批复")
    text = await page.locator(".msg", has_text="累计已批复").last.inner_text()
    found = re.search(r"累计已批复 (\d+) 个项目", text)
    assert found, text
    return int(found.group(1))


async def test_submit_approve_and_see_the_count_go_up(page: Page, sandbox: Sandbox) -> None:
    await as_person(page, "reviewer")
    before = await approved_total(page)

    await as_person(page, "applicant")
    await say(page, "/submit", "第一步")
    for answer, next_question in (
        (PROJECT, "建设单位"),
        ("区水务集团", "联系人"),
        ("王工", "电话"),
        ("13812345678", "类别"),
    ):
        await say(page, answer, next_question)
    await press(page, "类别", "基础设施")
    await expect(page.locator(".msg").last).to_contain_text("环评文件", timeout=TIMEOUT)
    await press(page, "环评文件", "环境影响报告表")
    await expect(page.locator(".msg").last).to_contain_text("总投资", timeout=TIMEOUT)
    await say(page, "1200.5", "建设地点")
    await say(page, "城东街道", "简要")
    await say(page, "日处理能力由2万吨扩至4万吨", "重点项目")
    await press(page, "重点项目", "非重点项目")
    await expect(page.locator(".msg").last).to_contain_text("总量控制", timeout=TIMEOUT)
    await press(page, "总量控制", "无新增排放")
    await expect(page.locator(".msg").last).to_contain_text("上传申报材料", timeout=TIMEOUT)
    await page.set_input_files("#file", files=[{"name": "eia.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    await expect(page.locator(".msg").last).to_contain_text("已收到 eia.pdf", timeout=TIMEOUT)
    await expect(page.locator(".msg .doc", has_text="eia.pdf")).to_be_visible()  # the upload, listed
    await press(page, "已收到", "完成")
    await expect(page.locator(".msg").last).to_contain_text("请核对", timeout=TIMEOUT)
    await press(page, "请核对", "提交")
    await expect(page.locator("#toast")).to_contain_text("已提交", timeout=TIMEOUT)

    await as_person(page, "group")  # the card reaches the reviewers' group through the outbox
    # the card (the group also gets messages naming the project: "may now be approved", for one)
    card = page.locator(".msg", has_text=PROJECT).filter(has_text="建设单位").last
    await expect(card).to_contain_text("前受理或一次性告知补正", timeout=TIMEOUT)  # received (收件), not yet accepted
    await card.get_by_role("button", name="受理", exact=True).click()
    await expect(page.locator("#toast")).to_contain_text("已受理", timeout=TIMEOUT)
    await expect(card.locator(".keyboard button", has_text="领取")).to_be_visible(timeout=TIMEOUT)
    await card.locator(".keyboard button", has_text="领取").click()
    await expect(card.locator(".keyboard button", has_text="退回队列")).to_be_visible(
        timeout=TIMEOUT
    )  # edited in place
    await card.get_by_role("button", name="拟批准（公示）", exact=True).click()  # the notice comes first
    await expect(page.locator("#toast")).to_contain_text("已拟批准", timeout=TIMEOUT)
    await expect(card).to_contain_text("拟审批公示至", timeout=TIMEOUT)
    # its 5 working days pass (moved before today), and the job that ends notices runs: Approve appears
    assert sandbox.application is not None
    app = sandbox.application.app
    (request,) = [r for r in await app.repos.requests.all_requests() if r.project_name == PROJECT]
    await notice_run(app.approvals, request.id)
    await sandbox.application.jobs.periods()
    await expect(card.get_by_role("button", name="批准", exact=True)).to_be_visible(timeout=TIMEOUT)
    await card.get_by_role("button", name="批准", exact=True).click()
    await press(page, "批复文号", "批准并编发文号")
    await expect(page.locator("#toast")).to_contain_text("已批准", timeout=TIMEOUT)
    await expect(card).to_contain_text("已批复", timeout=TIMEOUT)  # the card, edited in place, shows the decision

    await as_person(page, "applicant")
    await expect(page.locator(".msg", has_text=PROJECT).last).to_contain_text("已批复", timeout=TIMEOUT)

    await as_person(page, "reviewer")
    assert await approved_total(page) == before + 1


async def test_every_role_has_a_readable_view(page: Page) -> None:
    """Each person's chat after a first command, saved as a screenshot (artifacts/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first = {
        "applicant": ("/my", "#1"),
        "applicant2": ("/my", "#3"),
        "reviewer": ("/queue", "#1"),
        "reviewer2": ("/queue", "#1"),
        "admin": ("/stats", "累计已批复"),
        "group": ("/stats", "累计已批复"),  # after the summary and its two charts
    }
    await page.click("#summary")  # the daily summary with its charts, into the group
    await expect(page.locator("#toast")).to_contain_text("每日汇总已排队", timeout=TIMEOUT)
    for who, (command, shows) in first.items():
        await as_person(page, who)
        try:
            await say(page, command, shows)
        except Exception as exc:
            raise AssertionError(f"{who}: {command} never showed {shows!r}") from exc
        if who == "group":  # the charts arrive as photos; show the last one in the screenshot
            chart = page.locator(".msg img").last
            await expect(chart).to_have_js_property("complete", True, timeout=TIMEOUT)
            assert await chart.evaluate("img => img.naturalWidth") == 720
            await chart.scroll_into_view_if_needed()
        await expect(page.locator("#toast")).to_be_hidden()
        overlaps = await page.evaluate(
            """() => {
                const boxes = [...document.querySelectorAll('.msg')].map(m => m.getBoundingClientRect());
                let count = 0;
                for (let i = 1; i < boxes.length; i++) if (boxes[i].top < boxes[i - 1].bottom - 1) count++;
                return count;
            }"""
        )
        assert overlaps == 0, f"{who}: messages overlap"
        await page.screenshot(path=str(SCREENSHOTS / f"{who}.png"))


async def test_the_page_speaks_the_chosen_language(page: Page) -> None:
    """The page's own labels come from the bot's catalogue: Chinese first, English at a press, kept on reload."""
    await expect(page.locator("#summary")).to_have_text("📊 立即发送每日汇总")
    await expect(page.locator("#text")).to_have_attribute("placeholder", "输入消息，例如 /submit")
    await expect(page.locator("nav button[data-who='reviewer'] small")).to_have_text("审批人")
    await page.click("#language")
    await expect(page.locator("#summary")).to_have_text("📊 Send daily summary now")
    await expect(page.locator("nav button[data-who='applicant2'] small")).to_have_text("applicant 2")
    await expect(page.locator("#chat-title")).to_contain_text("Chat with the bot, as")
    await page.reload()
    await expect(page.locator("#composer button[type=submit]")).to_have_text("Send")
    await expect(page.locator("#language")).to_have_text("中文")


async def test_the_page_and_its_icon_load_without_a_missing_file(browser: Browser, sandbox: Sandbox) -> None:
    """Nothing the page asks for is missing: its favicon too (a 404 in every browser console otherwise)."""
    context = await browser.new_context(locale="zh-CN")
    try:
        page = await context.new_page()
        missing: list[str] = []
        page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
        await page.goto(sandbox.url)
        await expect(page.locator("#summary")).to_have_text("📊 立即发送每日汇总")
        icon = await page.evaluate("() => document.querySelector('link[rel=icon]').href")
        fetched = await page.request.get(icon)
        assert fetched.status == 200 and fetched.headers["content-type"].startswith("image/svg+xml")
        assert (await page.request.get(sandbox.url.rstrip("/") + "/favicon.ico")).status == 200
        assert missing == []
    finally:
        await context.close()
