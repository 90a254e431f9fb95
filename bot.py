"""Green Channel's entry point: command line and settings -> logging -> the application (``assembly.py``) ->
polling, the public board beside it; or the sandbox, or an operator's command. Wiring only."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import logsetup
from assembly import build_board, create_application, serve
from config import ConfigError, Settings, load_settings
from operations import cli
from operations.settings import load_operations_settings
from public import server as public_board
from storage.open import DatabaseInUse, SchemaTooNew


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
        print(f"{'DATABASE_URL' if settings.database_url else settings.database_path}: {exc}", file=sys.stderr)
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
