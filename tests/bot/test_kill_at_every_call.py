"""A scripted conversation, killed (SIGKILL) at every Bot API call it makes, once before Telegram acts on the call
and once after: the restarted bot must still answer every update that was sent.

The conversation: an applicant fills the whole form (text answers, buttons, a document), submits, and receives the
receipt; a reviewer accepts (受理), claims and proposes approval (公示: the notice of the intended decision opens)
from the card in the group; the applicant is told. Meanwhile
the bureau's own copy of the document is made in the background: a trial ends only once it is kept. Each step waits
for its answer like a person would, so an update that is never answered makes the script stop there and the test
fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from localbotapi import ChatUser, LocalBotApi
from localbotapi.world import ApiError, Call, Fault
from tests.bot.conftest import TOKEN
from tests.bot.flows import PDF

ROOT = Path(__file__).resolve().parents[2]
GROUP = -100777
APPLICANT, REVIEWER = 101, 201
STEP_SECONDS = 60.0  # each answer, restart included, on a busy machine
NOT_COUNTED = frozenset({"getUpdates", "getMe", "setMyCommands", "deleteMyCommands", "deleteWebhook"})
PARALLEL = 4  # trials at once: each mostly waits on its bot
# a whole trial: start, conversation, kill, restart, settling, stop — 3-4 s, four at once on two cores. Far below
# ten steps' worth: a trial once stalled ten minutes in the local server's stop (test_local_api.py) and passed
TRIAL_SECONDS = 3 * STEP_SECONDS


class Steps:
    """When each step of a trial began: a slow trial names the wait that took long."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, name: str) -> None:
        self.marks.append((name, time.monotonic()))

    def durations(self) -> list[tuple[str, float]]:
        ends = [at for _, at in self.marks[1:]] + [time.monotonic()]
        return [(name, end - at) for (name, at), end in zip(self.marks, ends, strict=True)]

    def slowest(self) -> tuple[str, float]:
        return max(self.durations(), key=lambda d: d[1], default=("-", 0.0))


class Zygote:
    """``tests/bot/zygote.py`` as a subprocess: bots forked on request."""

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bot.zygote",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    async def spawn(self, env: dict[str, str], cwd: Path) -> int:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        async with self._lock, asyncio.timeout(STEP_SECONDS):
            request = {"env": env, "cwd": str(cwd), "log": str(cwd / "bot.log")}
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            await self.proc.stdin.drain()
            reading = asyncio.ensure_future(self.proc.stdout.readline())
            try:
                return int(await asyncio.shield(reading))
            except asyncio.CancelledError:
                # cancelled while the zygote forks: the pid is still read (left in the pipe it would answer the
                # next spawn) and its bot killed (it would run on, known to no one)
                with contextlib.suppress(ValueError, ProcessLookupError):
                    os.kill(int(await reading), signal.SIGKILL)
                raise

    async def close(self) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
            await asyncio.wait_for(self.proc.wait(), 30)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@dataclass
class Trial:
    """One run of the conversation, killing the bot at counted call ``kill_at`` (None: never)."""

    zygote: Zygote
    workdir: Path
    kill_at: int | None
    after: bool  # kill once Telegram has acted on the call (else before it does)
    api: LocalBotApi = field(default_factory=lambda: LocalBotApi(TOKEN))
    counted: list[str] = field(default_factory=list)
    pid: int = 0
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    steps: Steps = field(default_factory=Steps)
    events: list[tuple[str, float]] = field(default_factory=list)  # kill and restart, beside the steps

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": self.api.base_url,
            "DATABASE_PATH": str(self.workdir / "bot.db"),
            "ADMIN_IDS": str(REVIEWER),
            "REVIEWER_CHAT_ID": str(GROUP),
            "SUMMARY_TIME": "23:59",
            "PACE_PRIVATE_SECONDS": "0",
            "PACE_GROUP_SECONDS": "0",
            "PACE_PER_SECOND": "1000",
            "THROTTLE_RATE": "1000",
            # the written notices' own redelivery is tested in test_papers.py; rendering one takes seconds of CPU
            # in a child, which would change the calls a trial counts from one run to the next
            "WRITTEN_NOTICES": "false",
        }

    def on_arrival(self, call: Call) -> None:
        if call.method in NOT_COUNTED:
            return
        self.counted.append(call.method)
        if len(self.counted) == self.kill_at:
            os.kill(self.pid, signal.SIGKILL)
            self.events.append((f"killed at {call.method}", time.monotonic()))
            if not self.after:  # the call dies with the bot: Telegram never acts on it
                self.api.world.faults.insert(0, Fault(call.method, ApiError(0, "killed"), 1))
            self.killed.set()

    async def start_bot(self) -> None:
        polls = len(self.api.calls("getUpdates"))
        self.pid = await self.zygote.spawn(self.env(), self.workdir)
        await self.api.wait_until(lambda: len(self.api.calls("getUpdates")) > polls, timeout=STEP_SECONDS)

    async def restart_after_kill(self) -> None:
        await self.killed.wait()
        await self.api.wait_until(lambda: gone(self.pid), timeout=STEP_SECONDS, poll=0.05)
        self.events.append(("gone", time.monotonic()))
        await self.start_bot()
        self.events.append(("restarted", time.monotonic()))

    async def run(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        await self.api.start()
        ChatUser.group(self.api.world, GROUP, "审批科")
        self.api.world.arrivals.append(self.on_arrival)
        restarter: asyncio.Task[None] | None = None
        try:
            self.steps("start")
            await self.start_bot()
            restarter = asyncio.create_task(self.restart_after_kill())
            await conversation(self.api, self.steps)
            if self.kill_at is not None:
                assert self.killed.is_set(), "the conversation made fewer calls than the trial meant to kill at"
                self.steps("restart")
                await restarter
            self.steps("settle")
            await self.api.wait_until(self.settled, timeout=STEP_SECONDS, poll=0.2)
        finally:
            self.steps("stop")
            if restarter is not None:
                restarter.cancel()
                await asyncio.gather(restarter, return_exceptions=True)  # a bot it started meanwhile is self.pid
            if self.pid and not gone(self.pid):
                os.kill(self.pid, signal.SIGKILL)
            await self.api.stop()
        assert self.api.unanswered_callbacks() == [], "every button press is answered"

    def wall(self) -> float:
        return time.monotonic() - self.steps.marks[0][1] if self.steps.marks else 0.0

    def stalled(self) -> str:
        """Where the trial waited longest, for a failure's message."""
        step, waited = self.steps.slowest()
        return f"{self.wall():.0f} s in all, {waited:.0f} s of them in step {step!r}"

    def timing(self) -> dict[str, Any]:
        start = self.steps.marks[0][1] if self.steps.marks else time.monotonic()
        return {
            "trial": self.workdir.name,
            "wall": round(self.wall(), 2),
            "slowest": self.steps.slowest(),
            "steps": [(n, round(d, 2)) for n, d in self.steps.durations()],
            "events": [(n, round(at - start, 2)) for n, at in self.events],
        }

    def settled(self) -> bool:
        with sqlite3.connect(f"file:{self.workdir / 'bot.db'}?mode=ro", uri=True) as conn:
            left = conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
            for table in ("inbox", "replies", "file_copies"):  # what a killed run left to do (the bureau's copy
                left += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # of the document included)
        return left == 0 and not self.api.world.updates


async def after_reply(user: ChatUser, send: Any, steps: Steps, name: str) -> None:
    """Do ``send`` and wait for the bot's next message in that chat."""
    steps(name)
    mark = user.last_id()
    await send()
    await user.world.wait_until(lambda: user.last_id() > mark + 1, timeout=STEP_SECONDS)


async def conversation(api: LocalBotApi, step: Steps) -> None:
    world = api.world
    group = world.chats[GROUP]
    applicant = ChatUser(world, APPLICANT, "王工")
    reviewer = ChatUser(world, REVIEWER, "张审")
    wait = STEP_SECONDS

    step("/submit")
    mark = applicant.last_id()
    await applicant.send("/submit")
    await applicant.expect("第一步", after=mark, timeout=wait)
    for text in ("城东污水处理厂扩建", "区水务集团", "王工", "13812345678"):
        await after_reply(applicant, lambda t=text: applicant.send(t), step, f"text {text}")
    for question, label in (("类别", "基础设施"), ("环评文件", "环境影响报告表")):
        step(f"button {label}")
        pick = await applicant.expect(question, timeout=wait)
        mark = applicant.last_id()
        await applicant.answer(await applicant.press(pick, label), wait)
        await applicant.world.wait_until(lambda m=mark: applicant.last_id() > m, timeout=wait)
    for text in ("1200", "城东街道", "日处理能力由2万吨扩至4万吨"):
        await after_reply(applicant, lambda t=text: applicant.send(t), step, f"text {text}")
    step("button 非重点项目")
    question = await applicant.expect("重点项目", timeout=wait)
    mark = applicant.last_id()
    await applicant.answer(await applicant.press(question, "非重点项目"), wait)
    step("button 无新增排放")
    question = await applicant.expect("总量控制", after=mark, timeout=wait)
    mark = applicant.last_id()
    await applicant.answer(await applicant.press(question, "无新增排放"), wait)
    await applicant.expect("上传申报材料", after=mark, timeout=wait)
    step("document")
    mark = applicant.last_id()
    await applicant.send_document("eia.pdf", PDF)
    received = await applicant.expect("已收到", after=mark, timeout=wait)
    step("button 完成")
    mark = applicant.last_id()
    await applicant.answer(await applicant.press(received, "完成"), wait)
    confirm = await applicant.expect("请核对", after=mark, timeout=wait)
    step("button 提交")
    mark = applicant.last_id()
    assert (await applicant.answer(await applicant.press(confirm, "提交"), wait))["text"] == "已提交。"
    receipt = await applicant.expect("已收到申请", after=mark, timeout=wait)
    step("card")
    number = int(receipt["text"].split("#", 1)[1].split("：", 1)[0].split()[0])

    card = await reviewer.expect(f"#{number} ", chat=group, timeout=wait)
    step("button 受理")
    await reviewer.answer(await reviewer.press(card, "受理"), wait)  # received first: accepted from the card
    card = await world.wait_until(lambda: has_button(reviewer.inbox(group), number, "领取"), timeout=wait)
    step("button 领取")
    await reviewer.answer(await reviewer.press(card, "领取"), wait)
    claimed = await world.wait_until(lambda: has_button(reviewer.inbox(group), number, "退回队列"), timeout=wait)
    step("button 拟批准")
    proposed = await reviewer.answer(await reviewer.press(claimed, "拟批准（公示）"), wait)
    assert proposed["text"].startswith("已拟批准")
    step("applicant told")
    await applicant.expect(f"申请 #{number} ", timeout=wait)
    step("card in notice")
    await world.wait_until(lambda: in_notice(reviewer.inbox(group), number), timeout=wait)


def in_notice(messages: list[dict[str, Any]], number: int) -> dict[str, Any] | None:
    """The card of ``number`` redrawn in notice: rejection its only step until the notice has run."""
    card = has_button(messages, number, "不予批准")
    return card if card is not None and "拟审批公示中" in card.get("text", "") else None


def has_button(messages: list[dict[str, Any]], number: int, label: str | None) -> dict[str, Any] | None:
    """The card of ``number`` showing a button ``label`` (None: a card with nothing left to decide: decided)."""
    for message in reversed(messages):
        if f"#{number} " not in message.get("text", ""):
            continue
        labels = [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        if (label is None and set(labels) <= {"📎 材料"}) or (label is not None and label in labels):
            return message
    return None


@pytest.fixture
async def zygote() -> AsyncIterator[Zygote]:
    running = Zygote()
    await running.start()
    try:
        yield running
    finally:
        await running.close()


async def bounded(trial: Trial, log: Path) -> str | None:
    """Run ``trial`` within ``TRIAL_SECONDS``; what went wrong, naming the step that waited longest, or None."""
    problem: str | None = None
    try:
        async with asyncio.timeout(TRIAL_SECONDS):
            await trial.run()
    except (AssertionError, TimeoutError) as exc:
        problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if problem is None and trial.wall() > TRIAL_SECONDS:  # the bound is checked, not only trusted to cancel
        problem = f"longer than {TRIAL_SECONDS:.0f} s"
    with log.open("a") as timings:  # every trial's times, for a run that was slow but passed
        timings.write(json.dumps(trial.timing()) + "\n")
    return None if problem is None else f"{problem} ({trial.stalled()})"


async def test_a_kill_at_any_call_of_a_conversation_loses_no_update(tmp_path: Path, zygote: Zygote) -> None:
    log = tmp_path / "timings.jsonl"
    calibration = Trial(zygote, tmp_path / "calibration", kill_at=None, after=False)
    problem = await bounded(calibration, log)
    assert problem is None, f"the conversation without a kill: {problem}"
    calls = list(calibration.counted)
    assert len(calls) >= 20, calls  # the conversation really talks to Telegram
    trials = [
        Trial(zygote, tmp_path / f"kill-{n}-{'after' if after else 'before'}", kill_at=n, after=after)
        for n, after in itertools.product(range(1, len(calls) + 1), (False, True))
    ]
    failures: list[str] = []
    slots = asyncio.Semaphore(PARALLEL)

    async def run(trial: Trial) -> None:
        async with slots:
            if problem := await bounded(trial, log):
                where = calls[trial.kill_at - 1] if trial.kill_at else "-"
                failures.append(
                    f"kill at call {trial.kill_at} ({where}, {'after' if trial.after else 'before'}): {problem}"
                )

    await asyncio.gather(*(run(trial) for trial in trials))
    assert failures == [], "\n".join(sorted(failures))
