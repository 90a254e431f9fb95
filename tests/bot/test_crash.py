"""Real processes, killed with SIGKILL at random moments while people submit and decide, then restarted.

Every acknowledged submission and decision must be stored, every notice delivered, at most one duplicate
message per crash."""

import asyncio
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from localbotapi import ChatUser, LocalBotApi
from tests.bot.conftest import TOKEN
from tests.bot.flows import PDF

ROOT = Path(__file__).resolve().parents[2]
GROUP = -100777
REVIEWER = 201
CYCLES = 20


def env_for(api: LocalBotApi, db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "DATABASE_PATH": str(db),
        "ADMIN_IDS": str(REVIEWER),
        "REVIEWER_CHAT_ID": str(GROUP),
        "SUMMARY_TIME": "23:59",
        "PACE_PRIVATE_SECONDS": "0",
        "PACE_GROUP_SECONDS": "0",
        "PACE_PER_SECOND": "1000",
    }


async def fire_form(user: ChatUser, n: int) -> str:
    """A whole /submit form sent at once, as fast typing would; returns the Submit press's query id."""
    anchor = {"message_id": 1, "date": 0, "chat": user.world.chats[user.id]}
    form = (await user.send("/submit"))["message_id"]  # the confirmation screen's Submit names its form
    for text in (f"项目{user.id}-{n}", "区水务集团", "王工", "13812345678"):
        await user.send(text)
    await user.press_data(anchor, "ch:category:infrastructure")
    await user.press_data(anchor, "ch:document_type:report_form")
    for text in ("1200", "城东街道", "日处理能力由2万吨扩至4万吨"):
        await user.send(text)
    await user.press_data(anchor, "fm:n")
    await user.press_data(anchor, "qf:n:0")  # no new pollutant discharge
    await user.send_document("eia.pdf", PDF)
    await user.press_data(anchor, "fm:d")
    return await user.press_data(anchor, f"cf:s:{form}:1")  # the first version of the draft


def stored(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


async def test_sigkill_at_random_points_loses_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(7)
    api = LocalBotApi(TOKEN)
    await api.start()
    world = api.world
    ChatUser.group(world, GROUP, "审批科")
    applicants = [ChatUser(world, 101 + n, f"applicant{n}") for n in range(4)]
    reviewer = ChatUser(world, REVIEWER, "张审")
    db = tmp_path / "crash.db"
    submits: dict[str, int] = {}  # Submit press -> applicant
    acceptances: dict[str, int] = {}  # Accept (受理) press -> request id
    proposals: dict[str, int] = {}  # Propose approval (公示) press -> request id
    pressed: dict[str, set[int]] = {"ck:a:": set(), "rv:p:": set()}

    async def run_bot() -> asyncio.subprocess.Process:
        polls = len(api.calls("getUpdates"))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bot.py"),
            cwd=tmp_path,
            env=env_for(api, db),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await api.wait_until(lambda: len(api.calls("getUpdates")) > polls, timeout=60)
        return proc

    def new_buttons(prefix: str) -> list[tuple[dict[str, Any], str, int]]:
        """Buttons starting ``prefix`` (accept, propose approval) on cards, each request's once: message, data,
        request."""
        found = []
        for message in reviewer.inbox({"id": GROUP}):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data", "")
                    if data.startswith(prefix) and int(data.split(":")[2]) not in pressed[prefix]:
                        pressed[prefix].add(int(data.split(":")[2]))
                        found.append((message, data, int(data.split(":")[2])))
        return found

    for cycle in range(CYCLES):
        proc = await run_bot()
        for user in applicants:
            if rng.random() < 0.6:
                submits[await fire_form(user, cycle)] = user.id
        for message, data, request_id in new_buttons("ck:a:"):  # received first: accepted (受理) from the card
            acceptances[await reviewer.press_data(message, data)] = request_id
        for message, data, request_id in new_buttons("rv:p:"):  # the approval's notice opens (拟审批公示)
            proposals[await reviewer.press_data(message, data)] = request_id
        await asyncio.sleep(rng.uniform(0.05, 1.2))  # a random moment to die at, not a synchronisation
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

    proc = await run_bot()  # the last start: let everything settle
    try:

        def settled() -> bool:
            pending = stored(db, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0]
            return pending == 0 and not world.updates  # all delivered, every update confirmed

        await api.wait_until(settled, timeout=120, poll=0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        await api.stop()

    acked_submits = Counter(
        user for qid, user in submits.items() if (world.callback_answers.get(qid) or {}).get("text") == "已提交。"
    )
    rows = stored(db, "SELECT id, applicant_id, status FROM requests")
    per_applicant = Counter(applicant for _, applicant, _ in rows)
    for user, count in acked_submits.items():
        assert per_applicant[user] >= count
    assert sum(acked_submits.values()) >= CYCLES  # the test really exercised submissions
    status = {rid: st for rid, _, st in rows}
    acked_acceptances = [
        rid
        for qid, rid in acceptances.items()
        if (world.callback_answers.get(qid) or {}).get("text", "").startswith("已受理")
    ]
    assert acked_acceptances
    assert all(status[rid] != "received" for rid in acked_acceptances)
    acked_proposals = [
        rid
        for qid, rid in proposals.items()
        if (world.callback_answers.get(qid) or {}).get("text", "").startswith("已拟批准")
    ]
    assert acked_proposals
    assert all(status[rid] == "in_notice" for rid in acked_proposals)

    duplicates = 0
    for rid, applicant, st in rows:
        chat = [m.get("text", "") for (cid, _), m in world.messages.items() if cid == applicant and m["from"]["is_bot"]]
        receipts = [t for t in chat if f"已收到申请 #{rid}：" in t]
        assert receipts, f"no receipt for #{rid}"
        duplicates += len(receipts) - 1
        if st == "in_notice":
            notices = [t for t in chat if f"申请 #{rid} " in t and "拟予批准" in t]
            assert notices, f"no notice of the proposal for #{rid}"
            duplicates += len(notices) - 1
        cards = [m for (cid, _), m in world.messages.items() if cid == GROUP and f"#{rid} " in m.get("text", "")]
        assert cards, f"no card for #{rid}"
    assert duplicates <= CYCLES
