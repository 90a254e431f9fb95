"""People the bot knows, on PostgreSQL: display names, language choice, and the roles admins grant."""

from __future__ import annotations

from collections.abc import Collection

import asyncpg

from approvals.models import Role
from approvals.ports import Person
from storage.postgres.rows import changed

_GET = """
SELECT p.name, p.locale, p.seen_locale, array_remove(array_agg(r.role), NULL) AS roles
FROM people p LEFT JOIN roles r USING (user_id) WHERE p.user_id = $1 GROUP BY p.user_id
"""
_REMEMBER = """
INSERT INTO people (user_id, name, seen_locale) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE
SET name = coalesce(nullif(excluded.name, ''), people.name),
    seen_locale = coalesce(excluded.seen_locale, people.seen_locale)
WHERE (excluded.name <> '' AND excluded.name IS DISTINCT FROM people.name)
   OR (excluded.seen_locale IS NOT NULL AND excluded.seen_locale IS DISTINCT FROM people.seen_locale)
"""


class PostgresPeopleStore:
    """Implements ``approvals.ports.PeopleStore``.

    Unlike the SQLite store this one keeps no cache: another instance may grant or revoke a role at any moment,
    and a role taken away must count from the next update on, whichever instance handles it. ``get`` is one
    indexed round trip. A returning person whose name and language are unchanged writes nothing (the upsert's
    WHERE leaves the row alone, so no dead tuple either). Each write is a plain transaction of its own.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get(self, user_id: int) -> Person | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(_GET, user_id)
        if row is None:
            return None
        roles = frozenset(Role(r) for r in row["roles"])
        return Person(user_id, row["name"], roles, row["locale"], row["seen_locale"])

    async def remember(self, user_id: int, name: str, seen_locale: str | None = None) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(_REMEMBER, user_id, name, seen_locale)

    async def grant(self, user_id: int, role: Role) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO people (user_id) VALUES ($1) ON CONFLICT DO NOTHING", user_id)
            await conn.execute(
                "INSERT INTO roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING", user_id, role.value
            )

    async def revoke(self, user_id: int, role: Role) -> bool:
        async with self.pool.acquire() as conn:
            status = await conn.execute("DELETE FROM roles WHERE user_id = $1 AND role = $2", user_id, role.value)
        return changed(status) > 0

    async def with_role(self, role: Role) -> list[Person]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT p.user_id, p.name, p.locale FROM roles r JOIN people p USING (user_id) "
                "WHERE r.role = $1 ORDER BY p.user_id",
                role.value,
            )
        return [Person(row["user_id"], row["name"], frozenset({role}), row["locale"]) for row in rows]

    async def with_roles(self, roles: Collection[Role]) -> list[Person]:
        """Everyone holding any of ``roles``, each once with those of ``roles`` they hold."""
        wanted = [role.value for role in roles]
        if not wanted:
            return []
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT p.user_id, p.name, p.locale, array_agg(r.role) AS held FROM roles r JOIN people p "
                "USING (user_id) WHERE r.role = ANY($1::text[]) GROUP BY p.user_id ORDER BY p.user_id",
                wanted,
            )
        return [
            Person(row["user_id"], row["name"], frozenset(Role(r) for r in row["held"]), row["locale"]) for row in rows
        ]

    async def set_locale(self, user_id: int, locale: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO people (user_id, locale) VALUES ($1, $2) "
                "ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale",
                user_id,
                locale,
            )
