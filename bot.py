"""Green Channel's composition root: settings -> storage -> services -> dispatcher -> polling. Wiring only."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.utils.i18n import I18n

import logsetup
from approvals.admin import AdminService
from approvals.board import NoticeBoard
from approvals.bulletin import Thresholds
from approvals.calendar import CalendarOverrides, WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.key_service import KeyService
from approvals.ports import Clock
from approvals.quota_service import QuotaService
from approvals.service import ApprovalService
from catalogues import compiled_locales
from config import ConfigError, Settings, load_settings
from coordination import Coordination, open_coordination
from handlers.commands import register_commands
from handlers.context import AppContext
from handlers.dispatcher import build_dispatcher
from handlers.journal import JournalReplies
from handlers.polling import DurableDispatcher
from handlers.response_types import PinResponseTypes
from handlers.throttle import Throttle
from handlers.webhook import serve_webhook
from jobs.bulletin import BulletinSettings, WeeklyBulletin
from jobs.copies import DocumentCopier
from jobs.papers import PaperDesk
from jobs.scheduler import Jobs, ScheduleSettings
from jobs.sender import OutboxSender, Pacing
from monitoring import Monitor
from operations import cli
from operations.nightly import nightly_backup
from operations.settings import load_operations_settings
from operations.version import version
from public import server as public_board
from public.app import BoardSite
from public.render import Pages
from storage.blobs import BlobStore
from storage.board import SqliteBoardReader
from storage.database import Database
from storage.fsm import SqliteFsmStorage
from storage.key_service import SqliteKeyService
from storage.lock import DatabaseInUse, ProcessLock
from storage.migrations import SchemaTooNew
from storage.repositories import Repositories
from untrusted.ledger import ConfinedLedgerReader
from untrusted.quota_sheet import ConfinedQuotaSheetReader

LOCALES = Path(__file__).resolve().parent / "locales"
SWITCH_INTERVAL_SECONDS = 0.0005
log = logging.getLogger("green_channel")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def build_calendar(settings: Settings, today: date) -> WorkCalendar:
    overrides = (
        CalendarOverrides.from_toml(settings.calendar_file.read_text("utf-8")) if settings.calendar_file else None
    )
    return WorkCalendar.china(range(today.year - 2, today.year + 3), overrides)


def build_policy(settings: Settings) -> DeadlinePolicy:
    return DeadlinePolicy(
        risk_days=settings.risk_days,
        office_hours_end=settings.office_hours_end,
        completion_days=settings.completion_days,
        promise_excludes_notices=settings.promise_excludes_notices,
        notice_report_forms=settings.notice_report_forms,
    )


@dataclass
class Application:
    settings: Settings
    db: Database
    bot: Bot
    dp: DurableDispatcher
    app: AppContext
    jobs: Jobs
    lock: ProcessLock
    coordination: Coordination
    monitor: Monitor | None = None  # /healthz, /readyz, /metrics: only with METRICS_PORT
    bulletin: WeeklyBulletin | None = None

    async def close(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()
        await self.bot.session.close()
        await self.coordination.close()
        await self.db.close()
        self.lock.release()


async def create_application(
    settings: Settings, *, clock: Clock | None = None, pacing: Pacing | None = None
) -> Application:
    clock = clock or SystemClock()
    tz = ZoneInfo(settings.timezone)
    lock = ProcessLock.take(settings.database_path)  # before anything reads or sends: one process per file
    log.info("Green Channel %s starting", version())  # the first line of a run: which program wrote the rest
    try:
        db = await Database.open(settings.database_path)
    except BaseException:
        lock.release()
        raise
    repos = Repositories.over(db)
    calendar = build_calendar(settings, clock.now().astimezone(tz).date())
    approvals = ApprovalService(
        requests=repos.requests,
        key_projects=repos.key_projects,
        calendar=calendar,
        policy=build_policy(settings),
        clock=clock,
        tz=tz,
        approval_number_pattern=settings.approval_number_pattern,
        numbering=settings.numbering,
        notices=repos.notices,
        chain=settings.chain,
        quota=repos.quota,
        quota_settings=settings.quota,
    )
    key_store = SqliteKeyService(db, tz)  # the key-project service's tables (liaisons, consultations, bulletins)
    quota = QuotaService(repos.quota, clock, tz, settings.quota, ConfinedQuotaSheetReader())
    admin = AdminService(
        people=repos.people,
        key_projects=repos.key_projects,
        source=repos.summary,
        admin_ids=settings.admin_ids,
        ledger_reader=ConfinedLedgerReader(),
        approvals=approvals,
        liaisons=key_store,
    )
    i18n = I18n(path=compiled_locales(LOCALES), default_locale=settings.default_locale, domain="messages")
    thresholds = Thresholds(settings.bulletin_red_days, settings.bulletin_yellow_days)
    keys = KeyService(key_store, repos.key_projects, repos.people, approvals, settings.admin_ids, thresholds)
    app = AppContext(
        approvals, admin, repos, i18n, tz, settings.reviewer_chat_id, settings.group_locale, keys, quota=quota
    )
    base = settings.telegram_api_base
    session = AiohttpSession(api=TelegramAPIServer.from_base(str(base).rstrip("/"))) if base else AiohttpSession()
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    coordination = open_coordination(redis_url, prefix=settings.redis_prefix)
    throttle = Throttle(i18n, coordination.buckets(settings.throttle_rate, settings.throttle_burst))
    monitor = Monitor.configured(settings)
    observe = monitor.updates if monitor else None
    storage = SqliteFsmStorage(db, repos.committer)
    dp = build_dispatcher(app, storage, throttle=throttle, observe=observe, coordination=coordination)
    bot.session.middleware(JournalReplies(repos.replies, clock))  # what the user is about to see is stored first
    bot.session.middleware(PinResponseTypes())
    pacing = pacing or Pacing(settings.pace_private_seconds, settings.pace_group_seconds, settings.pace_per_second)
    blobs = BlobStore(settings.files_dir)
    papers = PaperDesk(app, blobs, settings.bureau_name, settings.templates_dir) if settings.written_notices else None
    sender = OutboxSender(bot, app, pacing=pacing, papers=papers)
    copier = DocumentCopier(bot, repos.copies, blobs, db.copies_added, clock)
    schedule = ScheduleSettings(settings.summary_time, settings.summary_workdays_only)
    jobs = Jobs(app, clock, sender, schedule, copier)
    jobs.attach(dp)
    weekly = BulletinSettings(settings.bulletin_weekday, settings.bulletin_time)
    bulletin = WeeklyBulletin(app, keys, key_store, clock, jobs, weekly)
    bulletin.attach(dp)  # after the daily jobs: their scheduler is running when the weekly job is added
    if backups := nightly_backup(settings, repos.runs, clock):
        backups.attach(dp, jobs.scheduler)
    if monitor is not None:
        await monitor.start(bot, app, jobs, clock)
    return Application(settings, db, bot, dp, app, jobs, lock, coordination, monitor, bulletin)


def build_board(application: Application) -> BoardSite:
    """The public notice board over this application's database and notice use cases."""
    app, settings = application.app, application.settings
    board = NoticeBoard(SqliteBoardReader(application.db), app.approvals, app.approvals.calendar)
    base = str(settings.public_base_url) if settings.public_base_url else ""
    return BoardSite(
        board,
        Pages(app.i18n, settings.bureau_name),
        app.approvals.today,
        trust_proxy=settings.public_trust_proxy,
        base_url=base,
    )


async def wait_for_telegram(bot: Bot, *, first_delay: float = 1.0, max_delay: float = 60.0) -> None:
    """getMe until it answers: a Bot API server that is down at start delays the bot, it does not kill it."""
    delay = first_delay
    while True:
        try:
            me = await bot.get_me()
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, OSError) as exc:
            log.warning("Bot API not ready, retrying in %.0f s: %s", delay, type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
            continue
        log.info("connected as @%s", me.username)
        return


async def serve(
    application: Application,
    *,
    handle_signals: bool = True,
    polling_timeout: int = 10,
    stop: asyncio.Event | None = None,
) -> None:
    """Register the command menus, then long-poll (or serve the webhook). Pending updates are never dropped."""
    settings = application.settings
    await wait_for_telegram(application.bot)
    await register_commands(
        application.bot,
        application.app.i18n,
        reviewer_chat_id=settings.reviewer_chat_id,
        admin_ids=sorted(settings.admin_ids),
    )
    # aiosqlite's reader thread needs the GIL back after each query and by default waits up to 5 ms for the busy
    # loop to let go, holding up the update that asked; 0.5 ms measured ~10 % more updates/s under load
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    gc.freeze()  # start-up objects live for the whole run: keep them out of every collection
    # what a killed run left: replies committed but not sent go out through the outbox; updates stored but not
    # handled are handled now, before Telegram can deliver any of them again
    await application.app.repos.replies.requeue(application.app.approvals.clock.now())
    await application.dp.replay_inbox(application.bot)
    if settings.webhook_url is not None:
        stop = stop or asyncio.Event()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        assert settings.webhook_secret is not None
        await serve_webhook(
            application.dp,
            application.bot,
            url=str(settings.webhook_url),
            secret=settings.webhook_secret.get_secret_value(),
            host=settings.webhook_host,
            port=settings.webhook_port,
            path=settings.webhook_path,
            allowed_updates=application.dp.resolve_used_update_types(),
            concurrency=settings.max_concurrent_updates,
            stop=stop,
        )
        return
    log.info("polling started")
    await application.dp.start_polling(
        application.bot,
        handle_signals=handle_signals,
        close_bot_session=False,
        polling_timeout=polling_timeout,
        allowed_updates=application.dp.resolve_used_update_types(),
        tasks_concurrency_limit=settings.max_concurrent_updates,  # a burst cannot pile up unbounded tasks
    )
    log.info("polling stopped")


async def run(settings: Settings) -> None:
    application = await create_application(settings)
    board = None
    try:
        if settings.public_port is not None:
            board = await public_board.start(build_board(application), settings.public_host, settings.public_port)
        await serve(application)
    finally:
        if board is not None:
            await board.cleanup()
        await application.close()


def main(argv: list[str] | None = None) -> int:
    options = cli.parse(sys.argv[1:] if argv is None else argv)  # --version and bad arguments end here
    if isinstance(options, int):
        return options
    if options.sandbox:
        return run_sandbox()
    if options.command is not None:  # backup, restore, migrate: no Telegram, so no token needed
        return run_command(options)
    try:
        settings = load_settings()
    except ConfigError as exc:
        if exc.missing == {"BOT_TOKEN"} and not exc.invalid:  # nothing set: the sandbox
            print("No BOT_TOKEN set: starting the sandbox (a local Telegram stand-in with a web chat).")
            return run_sandbox()
        print(exc, file=sys.stderr)
        return 2
    logsetup.configure(settings.bot_token.get_secret_value(), level=options.log_level or settings.log_level)
    try:
        asyncio.run(run(settings))
    except DatabaseInUse as exc:
        print(exc, file=sys.stderr)
        return 2
    except SchemaTooNew as exc:  # one line, no traceback: the operator runs the newer version or restores
        print(f"{settings.database_path}: {exc}", file=sys.stderr)
        return 2
    return 0


def run_command(options: cli.Options) -> int:
    try:
        settings = load_operations_settings()  # where the data lives, nothing more (operations/settings.py)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    logsetup.configure(*settings.secrets(), level=options.log_level or settings.log_level)
    return cli.run(options, settings)


def run_sandbox() -> int:
    from sandbox.app import run as sandbox  # the sandbox is a demo front end, not loaded by a production bot

    logsetup.configure(level=logging.WARNING)
    asyncio.run(sandbox(Path("data/sandbox"), port=int(os.environ.get("SANDBOX_PORT", "8080"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
