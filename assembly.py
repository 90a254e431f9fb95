"""The application's assembly: settings -> storage -> services -> dispatcher, jobs and monitoring; and serving it
(long polling or the webhook). ``bot.py`` (the entry point) and the sandbox (``sandbox/app.py``) both start it here."""

from __future__ import annotations

import asyncio
import gc
import logging
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
from config import Settings
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
from operations.nightly import nightly_backup
from operations.version import version
from public.app import BoardSite
from public.render import Pages
from storage.blobs import BlobStore
from storage.open import open_storage
from storage.ports import Storage
from untrusted.ledger import ConfinedLedgerReader
from untrusted.quota_sheet import ConfinedQuotaSheetReader

LOCALES = Path(__file__).resolve().parent / "locales"
SWITCH_INTERVAL_SECONDS = 0.0005
# a young collection every 20,000 allocations instead of CPython's 700: callgrind counted 4.4 % fewer instructions
# per form step (5.02 M -> 4.79 M, 20 applicants); a pass over 20,000 young objects stays near a millisecond
GC_THRESHOLDS = (20_000, 50, 100)
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
    storage: Storage  # the repositories' store: closed last
    bot: Bot
    dp: DurableDispatcher
    app: AppContext
    jobs: Jobs
    coordination: Coordination
    monitor: Monitor | None = None  # /healthz, /readyz, /metrics: only with METRICS_PORT
    bulletin: WeeklyBulletin | None = None

    async def close(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()
        await self.bot.session.close()
        await self.coordination.close()
        await self.storage.close()


async def create_application(
    settings: Settings, *, clock: Clock | None = None, pacing: Pacing | None = None
) -> Application:
    clock = clock or SystemClock()
    tz = ZoneInfo(settings.timezone)
    # locked before anything reads or sends; then the first line of a run: which program wrote the rest
    database_url = settings.database_url.get_secret_value() if settings.database_url else None
    storage = await open_storage(
        settings.database_path,
        tz,
        database_url=database_url,
        locked=lambda: log.info("Green Channel %s starting", version()),
    )
    repos = storage.repos
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
    key_store = repos.key_service  # the key-project service's tables (liaisons, consultations, bulletins)
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
    forms = repos.forms() if repos.forms is not None else None  # None: form state is shared (coordination)
    dp = build_dispatcher(app, forms, throttle=throttle, observe=observe, coordination=coordination)
    bot.session.middleware(
        JournalReplies(repos.replies, repos.units, clock)
    )  # what the user is about to see is stored first
    bot.session.middleware(PinResponseTypes())
    pacing = pacing or Pacing(settings.pace_private_seconds, settings.pace_group_seconds, settings.pace_per_second)
    blobs = BlobStore(settings.files_dir)
    papers = PaperDesk(app, blobs, settings.bureau_name, settings.templates_dir) if settings.written_notices else None
    sender = OutboxSender(bot, app, pacing=pacing, papers=papers)
    copier = DocumentCopier(bot, repos.copies, blobs, repos.copies.added, clock)
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
    return Application(settings, storage, bot, dp, app, jobs, coordination, monitor, bulletin)


def build_board(application: Application) -> BoardSite:
    """The public notice board over this application's database and notice use cases."""
    app, settings = application.app, application.settings
    board = NoticeBoard(app.repos.board, app.approvals, app.approvals.calendar)
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
    gc.set_threshold(*GC_THRESHOLDS)
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
