"""The sign-off chain in the chat (APPROVAL_CHAIN=reviewer,chief,director): the reviewer proposes, the section
chief and the director sign on their cards, the director's signature issues the decision and its number; a
return with a reason; and the refusals (signing twice, one's own submission, without the step's role)."""

from typing import Any

import pytest

from approvals.models import Role, Status
from localbotapi import ChatUser
from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, steps, submit


def buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


@pytest.fixture
async def signers(harness: Harness) -> tuple[ChatUser, ChatUser]:
    """The chain switched on, a section chief and a director given their roles, each with a private chat."""
    h = harness
    h.settings = h.settings.model_copy(update={"approval_chain": "reviewer,chief,director"})
    await h.restart()
    chief = ChatUser(h.api.world, 301, "钱科长", "zh-hans")
    director = ChatUser(h.api.world, 401, "周局长", "zh-hans")
    await h.repos.people.grant(chief.id, Role.CHIEF)
    await h.repos.people.grant(director.id, Role.DIRECTOR)
    for signer in (chief, director):
        await signer.send("/sign")
        await signer.expect("暂无待您签批的申请")
    return chief, director


async def propose_approval(h: Harness, number: int) -> None:
    card = await card_in_group(h, number)
    assert "批准（提交签批）" in buttons(card) and "不予批准（提交签批）" in buttons(card)  # they only propose
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "批准（提交签批）"))
    prompt = await h.reviewer.expect("最后一位签批", chat=h.group, after=mark)  # the number comes with the last
    assert (await h.reviewer.answer(await h.reviewer.press(prompt, "提交签批")))["text"] == "已提交签批。"
    await h.reviewer.expect("拟办意见已记录", chat=h.group, after=mark)


async def sign(user: ChatUser, card: dict[str, Any], step: str) -> dict[str, Any]:
    """Press ✍️ 签批 on ``card``, check the prompt names ``step``, confirm; the answer to the confirmation."""
    chat = card["chat"]
    mark = user.last_id(chat)
    await user.answer(await user.press(card, "✍️ 签批"))
    prompt = await user.expect(f"以“{step}”签批", chat=chat, after=mark)
    return await user.answer(await user.press(prompt, "确认签批"))


async def test_reviewer_chief_and_director_sign_and_the_last_signature_approves_with_a_number(
    harness: Harness, signers: tuple[ChatUser, ChatUser]
) -> None:
    h, (chief, director) = harness, signers
    number = await submit(h.applicant)
    await propose_approval(h, number)
    assert (await h.repos.requests.get(number)).status is Status.SIGNING
    told = await h.applicant.expect("签批中")  # the applicant hears it is being signed off, with no names
    assert "张审" not in told["text"]
    card = await h.reviewer.expect("经办 张审 ✓ · 审核 待签 · 签发", chat=h.group)
    assert buttons(card)[:2] == ["✍️ 签批", "↩️ 退回修改"]

    chief_card = await chief.expect(f"#{number} ")  # in the chief's private chat, with the proposal and documents
    assert "✍️ 张审 拟批准" in chief_card["text"] and "📎 材料" in buttons(chief_card)
    assert (await sign(chief, chief_card, "审核"))["text"] == "已签批。"
    await chief.expect("转下一位签批人")

    director_card = await director.expect("审核 钱科长 ✓ · 签发 待签")
    mark = director.last_id()
    await director.send("/sign")
    listed = await director.expect("待您签批：1 件", after=mark)
    assert f"#{number}" in listed["text"]
    assert (await sign(director, director_card, "签发"))["text"] == "已签批。"
    await director.expect("批复文号 区环审〔2026〕1号")

    done = await h.applicant.expect("已批复")
    assert "区环审〔2026〕1号" in done["text"]
    stored = await h.repos.requests.get(number)
    assert (stored.status, stored.decided_by, stored.approval_number) == (Status.APPROVED, 401, "区环审〔2026〕1号")
    decided = await h.reviewer.expect("✅ 周局长 于 2026-11-30 批准，批复文号 区环审〔2026〕1号", chat=h.group)
    assert "✍️ 提出人：张审" in decided["text"]  # the proposer as well as the last signer
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    own = await h.applicant.expect("办理记录", after=mark)
    assert "钱科长" not in own["text"]  # the bureau's signatures are internal
    history = await steps(h, number)
    assert [(e.action, e.actor_name) for e in history[-3:]] == [
        ("sign", "张审"),
        ("sign", "钱科长"),
        ("approve", "周局长"),
    ]


async def propose_rejection(h: Harness, number: int, reason: str) -> None:
    card = await card_in_group(h, number)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "不予批准"))
    prompt = await h.reviewer.expect("理由", chat=h.group, after=mark)
    await h.reviewer.send(reason, chat=h.group, reply_to=prompt)
    question = await h.reviewer.expect(f"确定拟不予批准 #{number}", chat=h.group, after=mark)
    assert "将提交签批" in question["text"]  # with a chain it is proposed, not issued
    await h.reviewer.answer(await h.reviewer.press(question, "是"))


async def test_a_signer_returns_the_proposal_with_a_reason_to_the_reviewer(
    harness: Harness, signers: tuple[ChatUser, ChatUser]
) -> None:
    """A rejection proposed from the queue goes back in review, in its reviewer's hands."""
    h, (chief, _director) = harness, signers
    await h.reviewer.send("/start")  # a private chat with the bot, where the return is told
    number = await submit(h.applicant)
    await propose_rejection(h, number, "选址位于饮用水源保护区")
    chief_card = await chief.expect(f"#{number} ")
    mark = chief.last_id()
    await chief.answer(await chief.press(chief_card, "↩️ 退回修改"))
    prompt = await chief.expect("退回经办人的理由", after=mark)
    await chief.send("噪声预测未覆盖夜间 <22时后>", reply_to=prompt)
    await chief.expect("审查中", after=mark)

    told = await h.reviewer.expect("钱科长 退回了")
    assert "噪声预测未覆盖夜间 <22时后>" in told["text"] and "重新提出意见" in told["text"]
    stored = await h.repos.requests.get(number)
    assert (stored.status, stored.claimed_by, stored.signing_step) == (Status.IN_REVIEW, h.reviewer.id, 0)
    card = await h.reviewer.expect("钱科长 退回了拟办意见：噪声预测未覆盖夜间", chat=h.group)
    assert "退回队列" in buttons(card)  # back in the reviewer's hands: they decide again
    history = await steps(h, number)
    assert (history[-1].action, history[-1].reason, history[-1].target_id) == (
        "return_signature",
        "噪声预测未覆盖夜间 <22时后>",
        h.reviewer.id,
    )
    mark = h.applicant.last_id()
    await h.applicant.send(f"/status {number}")
    own = await h.applicant.expect("办理记录", after=mark)
    assert "钱科长" not in own["text"] and "噪声预测" not in own["text"]  # the return is the bureau's business
    # a press on the chief's card after the return signs nothing
    answer = await chief.answer(await chief.press_data(chief_card, f"sg:s:{number}:1"))
    assert answer["show_alert"] is True
    assert (await h.repos.requests.get(number)).status is Status.IN_REVIEW


async def test_an_approval_returned_after_its_notice_goes_back_in_notice_and_is_signed_again_without_a_new_one(
    harness: Harness, signers: tuple[ChatUser, ChatUser]
) -> None:
    """The trial's #10: the notice had run, the chief signed, the director returned the proposal. The reviewer's
    card offers Approve (a new first signature) at once, not a second notice; the applicant hears nothing new."""
    h, (chief, director) = harness, signers
    await h.reviewer.send("/start")
    number = await submit(h.applicant)
    await propose_approval(h, number)
    assert (await sign(chief, await chief.expect(f"#{number} "), "审核"))["text"] == "已签批。"
    director_card = await director.expect("审核 钱科长 ✓ · 签发 待签")
    mark = director.last_id()
    await director.answer(await director.press(director_card, "↩️ 退回修改"))
    prompt = await director.expect("退回经办人的理由", after=mark)
    mark_reviewer, told_applicant = h.reviewer.last_id(), len(h.applicant.inbox())
    await director.send("补充夜间噪声监测数据", reply_to=prompt)

    told = await h.reviewer.expect("周局长 退回了", after=mark_reviewer)
    assert "补充夜间噪声监测数据" in told["text"] and "无需重新公示" in told["text"]  # not "in review"
    stored = await h.repos.requests.get(number)
    assert (stored.status, stored.claimed_by, stored.signing_step) == (Status.IN_NOTICE, h.reviewer.id, 0)
    history = await steps(h, number)
    assert (history[-1].action, history[-1].reason, history[-1].target_id) == (
        "return_to_notice",
        "补充夜间噪声监测数据",
        h.reviewer.id,
    )
    card = await h.reviewer.expect(f"#{number} ", after=mark_reviewer)  # in the reviewer's private chat
    while "reply_markup" not in card:  # the card, not the notice of the return
        card = await h.reviewer.expect(f"#{number} ", after=card["message_id"])
    assert "批准（提交签批）" in buttons(card) and not [b for b in buttons(card) if "公示" in b]
    mark = h.reviewer.last_id()
    await h.reviewer.answer(await h.reviewer.press(card, "批准"))
    again = await h.reviewer.expect("最后一位签批", after=mark)
    mark_chief = chief.last_id()
    assert (await h.reviewer.answer(await h.reviewer.press(again, "提交签批")))["text"] == "已提交签批。"
    await chief.expect(f"#{number} ", after=mark_chief)  # the chief's card of the new round
    signing = await h.repos.requests.get(number)
    assert (signing.status, signing.signing_step, signing.promised_due) == (Status.SIGNING, 1, stored.promised_due)
    kinds = [n.kind.value for n in await h.repos.notices.of(number)]
    assert kinds.count("intended_decision") == 1  # one notice of the intended decision
    assert not [m for m in h.applicant.inbox()[told_applicant:] if "拟批准" in (m.get("text") or "")]


async def test_signing_twice_ones_own_submission_or_without_the_role_is_refused(
    harness: Harness, signers: tuple[ChatUser, ChatUser]
) -> None:
    h, (chief, director) = harness, signers
    number = await submit(h.applicant)
    await propose_approval(h, number)
    group_card = await h.reviewer.expect("审核 待签", chat=h.group)

    # a plain reviewer cannot sign as chief, nor can the proposer sign the next step
    for user, refusal in ((h.reviewer_2, "only a section chief"), (h.reviewer, "已在本轮签批过")):
        answer = await user.answer(await user.press(group_card, "✍️ 签批"))  # the group's language; alerts the user's
        assert answer["show_alert"] is True and refusal in answer["text"], answer
    # the director cannot sign the chief's step either
    answer = await director.answer(await director.press(group_card, "✍️ 签批"))
    assert answer["show_alert"] is True and "只有审核人（科长）可以签批" in answer["text"], answer

    # someone holding both roles fills one step only
    both = ChatUser(h.api.world, 402, "吴副局长", "zh-hans")
    await h.repos.people.grant(both.id, Role.CHIEF)
    await h.repos.people.grant(both.id, Role.DIRECTOR)
    await both.send("/sign")
    await both.expect("待您签批：1 件")
    assert (await sign(both, group_card, "审核"))["text"] == "已签批。"
    card = await h.reviewer.expect("审核 吴副局长 ✓ · 签发 待签", chat=h.group)
    answer = await both.answer(await both.press(card, "✍️ 签批"))
    assert answer["show_alert"] is True and "已在本轮签批过" in answer["text"]
    stale = await chief.answer(await chief.press_data(group_card, f"sg:s:{number}:1"))  # the chief's step is taken
    assert "这一步已由 吴副局长 办理" in stale["text"]

    # the director cannot sign off a request they submitted themselves
    own = await submit(director, answers={"project_name": "周局长的项目"})
    await propose_approval(h, own)
    chief_card = await chief.expect(f"#{own} ")
    await sign(chief, chief_card, "审核")
    own_card = await h.reviewer.expect("审核 钱科长 ✓ · 签发 待签", chat=h.group)
    assert f"#{own} " in own_card["text"]
    assert not any("✍️ 签批" in buttons(m) and f"#{own} " in m["text"] for m in director.inbox())  # not sent to them
    answer = await director.answer(await director.press(own_card, "✍️ 签批"))
    assert answer["show_alert"] is True and "是您本人提交的" in answer["text"], answer
    assert (await h.repos.requests.get(own)).status is Status.SIGNING
    assert [e.action for e in await steps(h, number)].count("sign") == 2  # no refused press was recorded

    # a chief signs later: proposing is a reviewer's step (else they could never sign their own)
    other = await submit(h.applicant, answers={"project_name": "另一个项目"})
    answer = await chief.answer(await chief.press(await card_in_group(h, other), "批准"))
    assert answer["show_alert"] is True and "拟办意见须由经办人员提出" in answer["text"], answer
    assert (await h.repos.requests.get(other)).status is Status.SUBMITTED
