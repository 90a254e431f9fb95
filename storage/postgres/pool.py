"""The connection pool, opened from ``DATABASE_URL``, with the schema brought up to date before it is handed out."""

from __future__ import annotations

import asyncpg

from storage.postgres.migrations import migrate


async def open_pool(url: str, *, schema: str | None = None, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool on ``url``; ``schema`` (which must exist) puts every table there instead of ``public`` (tests use
    one per run). Migrated once, under an advisory lock, whoever else starts at the same moment."""
    settings = {"search_path": schema} if schema else {}
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, server_settings=settings)
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
    except BaseException:
        await pool.close()
        raise
    return pool
