"""/find: reviewers look a request up by number, project, organisation, applicant or status."""

from tests.bot.conftest import Harness
from tests.bot.flows import card_in_group, submit


async def test_reviewers_find_requests_by_number_name_organisation_applicant_or_status(harness: Harness) -> None:
    h = harness
    first = await submit(h.applicant)
    second = await submit(h.applicant, answers={"project_name": "城西雨水泵站", "organisation": "区城投集团"})
    card = await card_in_group(h, second)
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.answer(await h.reviewer.press(card, "要求补正"))
    prompt = await h.reviewer.expect("请回复本消息填写", chat=h.group, after=mark)
    await h.reviewer.send("请补充雨水收集方案", chat=h.group, reply_to=prompt)
    await h.reviewer.expect("待补正", chat=h.group, after=mark)

    async def find(query: str) -> str:
        mark = h.reviewer.last_id(h.group)
        await h.reviewer.send(f"/find {query}", chat=h.group)
        return str((await h.reviewer.expect("", chat=h.group, after=mark + 1))["text"])

    by_name = await find("城东")
    assert "找到 1 件与“城东”相关的申请：" in by_name
    assert f"#{first} 城东污水处理厂扩建 · 区水务集团 · 王工 · 已受理" in by_name
    assert f"#{second} " not in by_name
    assert f"#{second} 城西雨水泵站" in await find("区城投")  # organisation
    both = await find("王工")  # the applicant
    assert f"#{first} " in both and f"#{second} " in both
    by_status = await find("待补正")
    assert f"#{second} 城西雨水泵站" in by_status and f"#{first} " not in by_status
    for part in ("补正", "material", "受理", "Accept"):  # part of a status's name, in either language
        partly = await find(part)
        wanted, other = (second, first) if part in ("补正", "material") else (first, second)
        assert f"#{wanted} " in partly and f"#{other} " not in partly, part
    by_number = await find(f"#{first}")
    assert f"#{first} 城东污水处理厂扩建" in by_number and f"#{second} " not in by_number
    assert "未找到与“不存在的项目”相关的申请。" in await find("不存在的项目")
    mark = h.reviewer.last_id(h.group)
    await h.reviewer.send("/find", chat=h.group)
    await h.reviewer.expect("请发送要查找的内容", chat=h.group, after=mark)

    mark = h.applicant.last_id()
    await h.applicant.send("/find 城东")  # applicants look up their own requests with /my
    refused = await h.applicant.expect("", after=mark)
    assert refused["text"] == "您无权进行此操作。"
