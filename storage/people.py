"""People the bot knows: display names, language choice, and the roles admins grant."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from approvals.models import Role
from approvals.ports import Person
from storage.database import Database
from storage.inline import InlineConnection

CACHE_SIZE = 20_000


class SqlitePeopleStore:
    """Implements ``approvals.ports.PeopleStore``.

    ``get`` runs for every update (roles are checked on every action), so answers are cached in this process —
    the only one writing this database — and every write below drops the person's entry first: a role taken
    away counts from the next update on.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: OrderedDict[int, Person | None] = OrderedDict()

    async def get(self, user_id: int) -> Person | None:
        if user_id in self._cache:
            self._cache.move_to_end(user_id)
            return self._cache[user_id]
        person = await self._load(user_id)
        self._cache[user_id] = person
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return person

    @asynccontextmanager
    async def _changing(self, user_id: int) -> AsyncIterator[InlineConnection]:
        """A write about one person; their cached entry is dropped once it is committed. (Dropped before, a read
        that was already waiting for the database could put the old row back after it.)"""
        try:
            async with self.db.transaction() as conn:
                yield conn
        finally:
            self._cache.pop(user_id, None)

    async def _load(self, user_id: int) -> Person | None:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT p.name, p.locale, p.seen_locale, group_concat(r.role) "
                "FROM people p LEFT JOIN roles r USING (user_id) WHERE p.user_id = ? GROUP BY p.user_id",
                (user_id,),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        if row is None:
            return None
        name, locale, seen, roles = row
        return Person(user_id, name, frozenset(Role(r) for r in (roles or "").split(",") if r), locale, seen)

    async def remember(self, user_id: int, name: str, seen_locale: str | None = None) -> None:
        known = self._cache.get(user_id)
        if known is not None and name in ("", known.name) and seen_locale in (None, known.seen_locale):
            return  # a returning applicant: nothing would change, so no transaction
        async with self._changing(user_id) as conn:
            await conn.execute(
                "INSERT INTO people (user_id, name, seen_locale) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE "
                "SET name = coalesce(nullif(excluded.name, ''), name), "
                "seen_locale = coalesce(excluded.seen_locale, seen_locale)",
                (user_id, name, seen_locale),
            )

    async def grant(self, user_id: int, role: Role) -> None:
        async with self._changing(user_id) as conn:
            await conn.execute("INSERT OR IGNORE INTO people (user_id) VALUES (?)", (user_id,))
            await conn.execute("INSERT OR IGNORE INTO roles (user_id, role) VALUES (?, ?)", (user_id, role.value))

    async def revoke(self, user_id: int, role: Role) -> bool:
        async with self._changing(user_id) as conn:
            cursor = await conn.execute("DELETE FROM roles WHERE user_id = ? AND role = ?", (user_id, role.value))
            return cursor.rowcount > 0

    async def with_role(self, role: Role) -> list[Person]:
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT p.user_id, p.name, p.locale FROM roles r JOIN people p USING (user_id) "
                "WHERE r.role = ? ORDER BY p.user_id",
                (role.value,),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [Person(user_id, name, frozenset({role}), locale) for user_id, name, locale in rows]

    async def with_roles(self, roles: Collection[Role]) -> list[Person]:
        """Everyone holding any of ``roles``, each once with those of ``roles`` they hold."""
        wanted = [role.value for role in roles]
        if not wanted:
            return []
        async with (
            self.db.point_read() as conn,
            conn.execute(
                "SELECT p.user_id, p.name, p.locale, group_concat(r.role) FROM roles r JOIN people p USING (user_id) "
                f"WHERE r.role IN ({', '.join('?' for _ in wanted)}) GROUP BY p.user_id ORDER BY p.user_id",
                wanted,
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [
            Person(user_id, name, frozenset(Role(r) for r in held.split(",")), locale)
            for user_id, name, locale, held in rows
        ]

    async def set_locale(self, user_id: int, locale: str) -> None:
        async with self._changing(user_id) as conn:
            await conn.execute(
                "INSERT INTO people (user_id, locale) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale",
                (user_id, locale),
            )
