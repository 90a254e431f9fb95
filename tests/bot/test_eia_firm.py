"""The EIA firm (环评单位) on the form: optional, picked from the confirmation screen's Edit, checked like the other
text fields, shown on the screen and the card, published with the request's notices; "No EIA firm" clears it."""

from approvals.models import DocumentType
from approvals.notices import NoticeKind
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, fill_form


async def edit_firm(user, screen: dict) -> dict:  # type: ignore[no-untyped-def]
    mark = user.last_id()
    await user.answer(await user.press(screen, "修改"))
    fields = await user.expect("您要修改哪一项", after=mark)
    mark = user.last_id()
    await user.answer(await user.press(fields, "环评单位"))
    return await user.expect("环评单位", after=mark)  # type: ignore[no-any-return]


async def test_the_eia_firm_is_optional_checked_shown_and_published(harness: Harness) -> None:
    h = harness
    user = h.applicant
    screen = await fill_form(user, document="环境影响报告书")
    assert "环评单位：未填（可选：修改 → 环评单位）" in screen["text"]
    question = await edit_firm(user, screen)
    assert "无环评单位" in [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    mark = user.last_id()
    await user.send("绿" * 101)  # bounded like the other names: 2-100 characters
    refused = await user.expect("最多 100", after=mark)
    assert "环评单位" in refused["text"]
    mark = user.last_id()
    await user.send("绿源<b>环评</b>有限公司")
    screen = await user.expect("请核对", after=mark)
    assert "环评单位：绿源<b>环评</b>有限公司" in screen["text"]  # the text as typed: escaped, not bold
    mark = user.last_id()
    assert (await user.answer(await user.press(screen, "提交")))["text"] == "已提交。"
    (stored,) = await h.repos.requests.by_applicant(user.id, limit=5)
    assert (stored.document_type, stored.eia_firm) == (DocumentType.REPORT, "绿源<b>环评</b>有限公司")
    card = await card_in_group(h, stored.id)
    assert "环评单位：绿源<b>环评</b>有限公司" in card["text"]  # shown as typed, not as markup
    (notice,) = await h.repos.notices.of(stored.id)  # accepted (the harness accepts on receipt): its notice
    assert (notice.kind, notice.eia_firm) == (NoticeKind.ACCEPTANCE, "绿源<b>环评</b>有限公司")


async def test_no_eia_firm_clears_one_given(harness: Harness) -> None:
    user = harness.applicant
    screen = await fill_form(user)
    question = await edit_firm(user, screen)
    mark = user.last_id()
    await user.send("某环评公司")
    screen = await user.expect("请核对", after=mark)
    assert "环评单位：某环评公司" in screen["text"]
    question = await edit_firm(user, screen)
    mark = user.last_id()
    await user.answer(await user.press(question, "无环评单位"))
    screen = await user.expect("请核对", after=mark)
    assert "环评单位：未填" in screen["text"]
    assert (await user.answer(await user.press(screen, "提交")))["text"] == "已提交。"
    (stored,) = await harness.repos.requests.by_applicant(user.id, limit=5)
    assert stored.eia_firm is None
