"""Through a real dispatcher: a refusal the errors router answers is counted as "refused", a fault as "error"."""

from __future__ import annotations

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Message, Update

from approvals.errors import DomainError, NotFound
from monitoring.metrics import Metrics
from monitoring.middleware import UpdateMetrics


def message(text: str, update_id: int) -> Update:
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {"message_id": update_id, "date": 0, "chat": {"id": 1, "type": "private"}, "text": text},
        }
    )


def count(metrics: Metrics, outcome: str) -> float:
    labels = {"type": "message", "outcome": outcome}
    return metrics.registry.get_sample_value("green_channel_updates_total", labels) or 0.0


async def test_a_handled_refusal_is_not_counted_as_an_error_but_a_fault_is() -> None:
    metrics = Metrics("1")
    dp = Dispatcher()
    dp.update.outer_middleware(UpdateMetrics(metrics))  # as handlers/dispatcher.py puts it
    router = Router()
    seen: list[str] = []

    @router.message(F.text == "/view 99")
    async def view(_: Message) -> None:
        raise NotFound(99)  # what a use case raises for a request that does not exist

    @router.message(F.text == "/bug")
    async def bug(_: Message) -> None:
        raise RuntimeError("a handler's bug")

    @router.errors(ExceptionTypeFilter(DomainError))
    async def refused(event: ErrorEvent) -> None:
        seen.append(type(event.exception).__name__)  # handlers/errors.py tells the user here

    @router.errors()
    async def unexpected(event: ErrorEvent) -> None:
        seen.append("fault")

    dp.include_router(router)
    bot = Bot("4242:TEST-not-a-real-token")
    try:
        await dp.feed_update(bot, message("/view 99", 1))
        await dp.feed_update(bot, message("/bug", 2))
    finally:
        await bot.session.close()
    assert seen == ["NotFound", "fault"]
    assert (count(metrics, "refused"), count(metrics, "error")) == (1, 1)
