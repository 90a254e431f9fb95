"""The load, played inside the Bot API server's process: applicants filling in /submit and reviewers deciding.

Every simulated person waits for the bot's reply to one step before taking the next (as a person does), so the
bot is measured at the rate it can answer, and each step's time is the time from the update being queued on the
server to the bot's reply arriving there — the same clock at both ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from localbotapi import ChatUser
from localbotapi.world import Call, World

PDF = b"%PDF-1.4 benchmark document\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n"
ANSWERS = ("城东污水处理厂扩建", "区水务集团", "王工", "13812345678")
MORE_ANSWERS = ("1200.5", "城东街道", "日处理能力由2万吨扩至4万吨")
FAKE_BUTTON = "x"  # the echo bot shows no buttons: its users press this instead
STEP_TIMEOUT = 60.0


@dataclass
class Tally:
    """What the load saw: one latency per answered step, and the window it ran in."""

    latencies: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # which step each latency belongs to
    started: float = 0.0
    finished: float = 0.0
    timeouts: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps": len(self.latencies),
            "seconds": self.finished - self.started,
            "latencies_ms": [round(x * 1000, 3) for x in self.latencies],
            "labels": self.labels,
            "timeouts": self.timeouts,
        }


class Pacer:
    """Lets steps through at ``rate`` per second overall (None: as fast as the users go)."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.next_slot = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        slot = max(self.next_slot, now)
        self.next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Replies:
    """Routes the bot's calls to the step waiting for them: a message in the chat, or a callback answer."""

    def __init__(self, world: World) -> None:
        self.waiting: dict[int, tuple[str, asyncio.Future[tuple[float, Any]]]] = {}
        self.query_chat: dict[str, int] = {}
        world.listeners.append(self.on_call)

    def on_call(self, call: Call, result: Any) -> None:
        if call.method == "sendMessage":
            chat, kind = call.params.get("chat_id"), "message"
        elif call.method == "answerCallbackQuery":
            chat, kind = self.query_chat.pop(str(call.params.get("callback_query_id")), None), "answer"
        else:
            return
        waiting = self.waiting.get(chat)  # type: ignore[arg-type]
        if waiting is not None and waiting[0] == kind and not waiting[1].done():
            waiting[1].set_result((time.monotonic(), result))

    def expect(self, chat_id: int, kind: str) -> asyncio.Future[tuple[float, Any]]:
        future: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = (kind, future)
        return future


class Load:
    def __init__(self, world: World, replies: Replies, pacer: Pacer, *, fake_buttons: bool) -> None:
        self.world = world
        self.replies = replies
        self.pacer = pacer
        self.fake_buttons = fake_buttons
        self.tally = Tally()

    async def step(self, user: ChatUser, push: Callable[[], Awaitable[Any]], expect: str, label: str) -> dict[str, Any]:
        await self.pacer.wait()
        future = self.replies.expect(user.id, expect)
        sent = time.monotonic()
        query = await push()
        if expect == "answer":
            self.replies.query_chat[str(query)] = user.id
        try:
            at, result = await asyncio.wait_for(future, STEP_TIMEOUT)
        except TimeoutError:
            self.tally.timeouts += 1
            raise
        self.tally.latencies.append(at - sent)
        self.tally.labels.append(label)
        return result if isinstance(result, dict) else {}

    async def say(self, user: ChatUser, text: str) -> dict[str, Any]:
        label = text if text.startswith("/") else "text"
        return await self.step(user, lambda: user.send(text), "message", label)

    async def press(
        self, user: ChatUser, shown: dict[str, Any], prefix: str, expect: str = "message"
    ) -> dict[str, Any]:
        """Press the first button whose callback data starts with ``prefix`` on the message the bot showed."""
        data = _button(shown, prefix)
        if data is None:
            if not self.fake_buttons:
                raise AssertionError(f"no {prefix!r} button on {shown.get('text', '')[:80]!r}")
            data = FAKE_BUTTON
        return await self.step(
            user, lambda: user.press_data(shown, data), expect, "button " + ":".join(prefix.split(":")[:2])
        )

    async def questions(self, user: ChatUser, n: int) -> dict[str, Any]:
        """/submit and the answers up to the key-project question (10 updates); returns that question."""
        shown = await self.say(user, "/submit")
        for answer in ANSWERS:
            shown = await self.say(user, answer)
        shown = await self.press(user, shown, f"ch:category:{_pick(shown, 'ch:category:', n)}")
        shown = await self.press(user, shown, "ch:document_type:")
        for answer in MORE_ANSWERS:
            shown = await self.say(user, answer)
        return shown

    async def applicant(self, user: ChatUser, n: int) -> None:
        """One whole /submit form: 15 updates, each answered before the next."""
        shown = await self.press(user, await self.questions(user, n), "fm:n")  # not a key project
        shown = await self.press(user, shown, "qf:n")  # no new pollutant discharge (总量控制)
        shown = await self.step(user, lambda: user.send_document("eia.pdf", PDF), "message", "document")
        shown = await self.press(user, shown, "fm:d")  # documents done
        await self.press(user, shown, "cf:s:", expect="answer")  # submit

    async def form_steps(self, user: ChatUser, n: int) -> None:
        """The form's questions alone: 12 updates, each one update, one reply and (ours) its state stored — the
        unit the throughput target is set in. No upload, no submission, no reviewers; /cancel clears the form."""
        await self.press(user, await self.questions(user, n), "fm:n")  # not a key project
        await self.say(user, "/cancel")

    async def reviewer(self, user: ChatUser, done: asyncio.Event) -> None:
        """/next, then Propose approval (公示) — until the applicants are finished. A received request comes first
        from /next: Accept (受理) it, and the next /next claims it. Approval itself waits 5 working days for its
        public notice (拟审批公示): a run of minutes ends with the requests in notice. A bot without notices (the
        echo bot, fake buttons) is pressed Approve and "approve without a number" as before."""
        while not done.is_set():
            card = await self.say(user, "/next")
            if _button(card, "ck:a:") is not None:
                await self.press(user, card, "ck:a:", expect="answer")
                continue
            if _button(card, "rv:p:") is not None:
                await self.press(user, card, "rv:p:", expect="answer")
                continue
            if _button(card, "rv:a:") is None and not self.fake_buttons:
                await asyncio.sleep(0.05)  # nothing waiting yet: look again shortly, as a person would
                continue
            prompt = await self.press(user, card, "rv:a:")
            await self.press(user, prompt, "rv:an:", expect="answer")

    async def run(self, applicants: list[ChatUser], reviewers: list[ChatUser], *, whole_form: bool = True) -> Tally:
        """Every applicant at once (``whole_form``: through Submit, else the questions alone), reviewers beside."""
        play = self.applicant if whole_form else self.form_steps
        done = asyncio.Event()
        self.tally.started = time.monotonic()
        checking = [asyncio.create_task(self.reviewer(r, done)) for r in reviewers]
        results = await asyncio.gather(*(play(u, n) for n, u in enumerate(applicants)), return_exceptions=True)
        self.tally.finished = time.monotonic()
        done.set()
        reviewed = await asyncio.gather(*checking, return_exceptions=True)
        failures = [r for r in [*results, *reviewed] if isinstance(r, BaseException)]
        if failures:
            raise RuntimeError(f"{len(failures)} simulated users failed; first: {failures[0]!r}")
        return self.tally


def _button(message: dict[str, Any], prefix: str) -> str | None:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data") or ""
            if data.startswith(prefix):
                return str(data)
    return None


def _pick(message: dict[str, Any], prefix: str, n: int) -> str:
    """Spread applicants over the choices on offer (category n mod the number of buttons)."""
    values = [
        b["callback_data"].removeprefix(prefix)
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
        if (b.get("callback_data") or "").startswith(prefix)
    ]
    return values[n % len(values)] if values else ""


def people(world: World, count: int, base: int, language: str = "zh-hans") -> list[ChatUser]:
    return [ChatUser(world, base + n, f"u{base + n}", language) for n in range(count)]


async def burst(world: World, users: list[ChatUser], per_user: int) -> int:
    """Queue ``per_user`` updates from each user before the bot starts: /submit, then the form's first answers."""
    script = ("/submit", *ANSWERS, *MORE_ANSWERS, "再说一遍", "谢谢")[:per_user]
    for text in script:
        for user in users:
            await user.send(text)
    return len(script) * len(users)
