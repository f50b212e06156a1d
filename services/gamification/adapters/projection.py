"""The ledger's side of the leaderboard projection: batches of new XP rows claimed (and
committed) before Redis takes them, marked done after; one projector at a time across
replicas (a session advisory lock held for a cycle, also taken by the rebuild)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from psycopg_pool import AsyncConnectionPool

from services.gamification.service_layer.ports import Increment

_LOCK = 0x6761_6D65  # "game"
_ROWS = "SELECT user_id, day, city, xp FROM xp_ledger"


def _increments(rows: list[Any]) -> list[Increment]:
    return [Increment(r["user_id"], r["day"], r["city"], int(r["xp"])) for r in cast(list[dict[str, Any]], rows)]


class PostgresProjection:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        async with self._pool.connection() as conn:
            await conn.set_autocommit(True)
            try:
                await conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
                try:
                    yield
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
            finally:
                await conn.set_autocommit(False)

    async def undone_batches(self) -> list[int]:
        async with self._pool.connection() as conn:
            rows = await (await conn.execute("SELECT id FROM projector_batches WHERE NOT done ORDER BY id")).fetchall()
        return [int(cast(dict[str, Any], r)["id"]) for r in rows]

    async def claim_batch(self, size: int) -> int | None:
        async with self._pool.connection() as conn:
            rows = await (await conn.execute(
                "SELECT id FROM xp_ledger WHERE batch IS NULL ORDER BY id LIMIT %s", (size,))).fetchall()
            if not rows:
                return None
            row = await (await conn.execute("INSERT INTO projector_batches DEFAULT VALUES RETURNING id")).fetchone()
            batch = int(cast(dict[str, Any], row)["id"])
            await conn.execute("UPDATE xp_ledger SET batch = %s WHERE id = ANY(%s)",
                               (batch, [cast(dict[str, Any], r)["id"] for r in rows]))
        return batch

    async def batch_rows(self, batch_id: int) -> list[Increment]:
        async with self._pool.connection() as conn:
            rows = await (await conn.execute(f"{_ROWS} WHERE batch = %s AND xp > 0", (batch_id,))).fetchall()
        return _increments(rows)

    async def mark_done(self, batch_id: int) -> None:
        async with self._pool.connection() as conn:
            await conn.execute("UPDATE projector_batches SET done = true WHERE id = %s", (batch_id,))

    async def all_rows(self) -> list[Increment]:
        async with self._pool.connection() as conn:
            rows = await (await conn.execute(
                "SELECT user_id, day, city, sum(xp) AS xp FROM xp_ledger WHERE xp > 0"
                " GROUP BY user_id, day, city")).fetchall()
        return _increments(rows)
