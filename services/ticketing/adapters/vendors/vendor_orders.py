"""Our order id -> the vendor's order id, in ticketing's PostgreSQL (table vendor_orders),
for vendors that name their orders themselves (TicketsCloud)."""

from __future__ import annotations

from typing import Any, Protocol

from psycopg_pool import AsyncConnectionPool


class VendorOrderIds(Protocol):
    async def remember(self, order_id: str, vendor: str, vendor_order_id: str) -> None: ...

    async def find(self, order_id: str) -> str | None: ...


class PostgresVendorOrderIds:
    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool

    async def remember(self, order_id: str, vendor: str, vendor_order_id: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute("INSERT INTO vendor_orders (order_id, vendor, vendor_order_id) VALUES (%s, %s, %s) "
                               "ON CONFLICT (order_id) DO UPDATE SET vendor_order_id = EXCLUDED.vendor_order_id",
                               (order_id, vendor, vendor_order_id))

    async def find(self, order_id: str) -> str | None:
        async with self._pool.connection() as conn:
            row = await (await conn.execute("SELECT vendor_order_id FROM vendor_orders WHERE order_id = %s::uuid",
                                            (order_id,))).fetchone()
        return str(row["vendor_order_id"]) if row else None


class InMemoryVendorOrderIds:
    """For tests of an adapter alone."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    async def remember(self, order_id: str, vendor: str, vendor_order_id: str) -> None:
        self.ids[order_id] = vendor_order_id

    async def find(self, order_id: str) -> str | None:
        return self.ids.get(order_id)
