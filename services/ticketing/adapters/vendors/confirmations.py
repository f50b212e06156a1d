"""Deferred vendor confirmations in ticketing's PostgreSQL (table vendor_confirmations):
the VendorConfirmations port."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from services.ticketing.service_layer.ports import DeferredConfirmation


class PostgresVendorConfirmations:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool

    async def defer(self, order_id: str, result: dict[str, Any]) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO vendor_confirmations (order_id, result) VALUES (%s, %s::jsonb) "
                "ON CONFLICT (order_id) DO UPDATE SET result = EXCLUDED.result, done_time = NULL, "
                "next_attempt = now()", (order_id, json.dumps(result)))

    async def due(self, now: datetime, limit: int) -> list[DeferredConfirmation]:
        async with self._pool.connection() as conn:
            rows = await (await conn.execute(
                "SELECT order_id::text AS order_id, result, attempts FROM vendor_confirmations "
                "WHERE done_time IS NULL AND next_attempt <= %s ORDER BY next_attempt LIMIT %s",
                (now, limit))).fetchall()
        return [DeferredConfirmation(r["order_id"], dict(r["result"]), r["attempts"]) for r in rows]

    async def pending(self, order_ids: Sequence[str]) -> set[str]:
        if not order_ids:
            return set()
        async with self._pool.connection() as conn:
            rows = await (await conn.execute(
                "SELECT order_id::text AS order_id FROM vendor_confirmations WHERE done_time IS NULL "
                "AND order_id = ANY(%s::uuid[])", (list(order_ids),))).fetchall()
        return {r["order_id"] for r in rows}

    async def retry_later(self, order_id: str, error: str, next_attempt: datetime) -> None:
        async with self._pool.connection() as conn:
            await conn.execute("UPDATE vendor_confirmations SET attempts = attempts + 1, last_error = %s, "
                               "next_attempt = %s WHERE order_id = %s::uuid", (error[:500], next_attempt, order_id))

    async def done(self, order_id: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute("UPDATE vendor_confirmations SET done_time = now() WHERE order_id = %s::uuid",
                               (order_id,))
