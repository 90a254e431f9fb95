from localbotapi.world import Call
from tests.bot.conftest import Harness


async def test_start_in_chinese_and_english(harness: Harness) -> None:
    await harness.applicant.send("/start")
    await harness.applicant.expect("欢迎使用")
    await harness.applicant_en.send("/start")
    await harness.applicant_en.expect("Welcome to the Green Channel")


def test_no_filter_is_left_to_run_in_a_thread(harness: Harness) -> None:
    """aiogram hands plain-function filters (magic filters) to a worker thread; build_dispatcher runs them inline."""
    dp = harness.application.dp
    checks = [
        check
        for router in dp.chain_tail
        for observer in router.observers.values()
        for handler in [observer._handler, *observer.handlers]
        for check in handler.filters or ()
    ]
    assert len(checks) > 20
    assert all(check.awaitable for check in checks)


async def test_the_local_server_reports_a_call_as_it_arrives(harness: Harness) -> None:
    """The benchmark knows a bot is up when its first long poll arrives, not when that poll times out."""
    world = harness.api.world
    events: list[tuple[str, Call]] = []  # in the order the server reported them (a busy machine moves no order)
    world.arrivals.append(lambda call: events.append(("arrived", call)))
    world.listeners.append(lambda call, result: events.append(("answered", call)))

    def first_poll() -> Call | None:  # the first long poll that arrived after the callbacks were in place
        return next((c for kind, c in events if kind == "arrived" and c.method == "getUpdates"), None)

    await harness.api.wait_until(first_poll)
    poll = first_poll()
    await harness.api.wait_until(lambda: any(kind == "answered" and c is poll for kind, c in events))
    order = [kind for kind, c in events if c is poll]
    assert order == ["arrived", "answered"]  # reported on arrival, while the poll was still open
