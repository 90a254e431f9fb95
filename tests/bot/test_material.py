"""The same project twice: asked before a second request is made; material added to an open request instead."""

from approvals.models import Status
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, fill_form, pdf, steps, submit
from tests.conftest import ACCEPTOR


async def test_submitting_the_same_project_again_asks_first_and_can_add_the_documents_instead(
    harness: Harness,
) -> None:
    h = harness
    user = h.applicant
    number = await submit(user)
    card = await card_in_group(h, number)
    before = await h.repos.requests.get(number)

    screen = await fill_form(user, answers={"project_name": "城东污水处理厂 扩建"}, files=("noise.pdf",))
    mark = user.last_id()
    await user.answer(await user.press(screen, "提交"))
    question = await user.expect(f"您已有关于城东污水处理厂 扩建的申请 #{number} 正在办理（已受理）", after=mark)
    assert len(await h.repos.requests.by_applicant(user.id, limit=5)) == 1  # nothing made before they answer

    mark = user.last_id()
    assert (await user.answer(await user.press(question, f"将材料补充到 #{number}")))["text"] == "已提交。"
    await user.expect(f"已补充到申请 #{number}", after=mark - 1)
    after = await h.repos.requests.get(number)
    assert [a.name for a in after.attachments] == ["eia.pdf", "noise.pdf"]
    assert (after.status, after.promised_due, after.statutory_due) == (
        Status.SUBMITTED,
        before.promised_due,
        before.statutory_due,
    )
    events = await steps(h, number)
    assert [(e.action, e.actor_id, e.from_status, e.to_status) for e in events[1:]] == [
        ("accept", ACCEPTOR.user_id, Status.RECEIVED, Status.SUBMITTED),
        ("add_material", user.id, Status.SUBMITTED, Status.SUBMITTED),
    ]
    await h.reviewer.expect(f"王工 为申请 #{number} 城东污水处理厂扩建 补充了材料", chat=h.group)
    redrawn = await h.reviewer.expect("noise.pdf", chat=h.group)
    assert redrawn["message_id"] == card["message_id"]  # the card itself now lists the new document

    screen = await fill_form(user)  # asked again; this time it is meant as a new request
    mark = user.last_id()
    await user.answer(await user.press(screen, "提交"))
    question = await user.expect("作为新申请提交", after=mark)
    assert (await user.answer(await user.press(question, "作为新申请提交")))["text"] == "已提交。"
    mine = await h.repos.requests.by_applicant(user.id, limit=5)
    assert len(mine) == 2 and mine[0].id != number


async def test_an_applicant_adds_material_to_a_claimed_request_without_unclaiming_it(harness: Harness) -> None:
    h = harness
    user = h.applicant
    number = await submit(user)
    card = await card_in_group(h, number)
    await h.reviewer.answer(await h.reviewer.press(card, "领取"))
    await h.reviewer.expect("🔒 张审 办理中", chat=h.group)
    before = await h.repos.requests.get(number)

    mark = user.last_id()
    await user.send(f"/add {number}")
    await user.expect("请以文字发送说明", after=mark)
    await user.send("补充噪声监测报告")
    mark = user.last_id()
    await user.send_document("noise.pdf", pdf("noise.pdf"))
    received = await user.expect("已收到 noise.pdf", after=mark)
    mark = user.last_id()
    await user.answer(await user.press(received, "提交补正材料"))
    await user.expect(f"已补充到申请 #{number}", after=mark)

    after = await h.repos.requests.get(number)
    assert (after.status, after.claimed_by, after.promised_due) == (
        Status.IN_REVIEW,
        h.reviewer.id,
        before.promised_due,
    )
    notice = await h.reviewer.expect("补充了材料", chat=h.group)
    assert "说明：补充噪声监测报告" in notice["text"]
    redrawn = await h.reviewer.expect("noise.pdf", chat=h.group)
    assert "🔒 张审 办理中" in redrawn["text"]  # still held by the reviewer, not "claimed" by the applicant

    mark = h.applicant_en.last_id()
    await h.applicant_en.send(f"/add {number}")  # not theirs: it does not exist for them
    await h.applicant_en.expect(f"Request #{number} was not found.", after=mark)
