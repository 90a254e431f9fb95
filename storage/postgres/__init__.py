"""PostgreSQL storage for several bot instances (asyncpg). Foundations only so far: the pool, the migration runner
and the outbox with leased claims. Not yet chosen by ``bot.py`` (docs/storage.md, "PostgreSQL: what exists")."""
