"""ticketing's PostgreSQL stock under concurrent transactions (a scratch database with
its migrations): many holds racing for a tier never exceed its capacity, many racing
for a seat leave it to one ticket, and the CHECK stands even against a bare UPDATE."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from services.runtime.db import migrate, open_pool
from services.runtime.errors import Conflict
from services.ticketing.adapters.unit_of_work import TicketingUnitOfWork
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.domain.model import Order, OrderStatus, SessionInfo, Ticket, TierStock
from services.ticketing.service_layer.ports import PublishedSession

NOW = datetime.now(UTC)
SESSION = SessionInfo("race", "s1", "Гонка", NOW + timedelta(days=3), NOW + timedelta(days=3, hours=2), "RUB",
                      "kulturago")
SEATED = SessionInfo("race", "s2", "Гонка", NOW + timedelta(days=4), NOW + timedelta(days=4, hours=2), "RUB",
                     "kulturago", seated=True)


@pytest.fixture
async def pool(scratch_database: str) -> AsyncIterator[AsyncConnectionPool]:
    await migrate(scratch_database, MIGRATIONS)
    pool = await open_pool(scratch_database, min_size=2, max_size=20)
    async with TicketingUnitOfWork(pool) as uow:
        await uow.inventory.publish_sessions("race", 1, [
            PublishedSession(SESSION, (TierStock("floor", "Танцпол", 1000, 7),), ()),
            PublishedSession(SEATED, (TierStock("front", "Первые", 2000, 2),), (("A-1", "front"), ("A-2", "front")))])
    yield pool
    await pool.close()


async def hold(pool: AsyncConnectionPool, session: SessionInfo, tier: str, seat: str = "") -> bool:
    ticket = Ticket(str(uuid.uuid4()), tier, tier, 1000, seat)
    order = Order(str(uuid.uuid4()), "u", session, OrderStatus.PENDING, (ticket,), 1000, NOW + timedelta(minutes=15),
                  NOW, NOW)
    try:
        async with TicketingUnitOfWork(pool) as uow:
            await uow.inventory.hold(session, [ticket])
            await uow.orders.add(order)
    except Conflict:
        return False
    return True


async def test_fifty_racing_holds_take_exactly_the_capacity(pool: AsyncConnectionPool) -> None:
    won = await asyncio.gather(*(hold(pool, SESSION, "floor") for _ in range(50)))
    assert sum(won) == 7
    async with TicketingUnitOfWork(pool) as uow:
        tier = (await uow.inventory.tiers(SESSION))["floor"]
    assert (tier.held, tier.sold, tier.capacity) == (7, 0, 7)


async def test_racing_for_one_seat_leaves_it_to_one_ticket(pool: AsyncConnectionPool) -> None:
    won = await asyncio.gather(*(hold(pool, SEATED, "front", "A-1") for _ in range(30)))
    assert sum(won) == 1
    async with pool.connection() as conn:
        live = await (await conn.execute(
            "SELECT count(*) AS n FROM tickets WHERE seat_id = 'A-1' "
            "AND status IN ('HELD', 'VALID', 'USED')")).fetchone()
    assert live is not None and live["n"] == 1


async def test_the_check_refuses_an_oversell_whoever_writes_it(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            await conn.execute("UPDATE tiers SET sold = capacity + 1 WHERE tier_id = 'floor'")


async def test_republishing_never_shrinks_below_what_is_taken(pool: AsyncConnectionPool) -> None:
    assert await hold(pool, SESSION, "floor") and await hold(pool, SESSION, "floor")
    async with TicketingUnitOfWork(pool) as uow:
        applied = await uow.inventory.publish_sessions(
            "race", 2, [PublishedSession(SESSION, (TierStock("floor", "Танцпол", 1000, 1),), ())])
        stale = await uow.inventory.publish_sessions("race", 1, [])
        tier = (await uow.inventory.tiers(SESSION))["floor"]
        seated = await uow.inventory.session("race", "s2")
    assert applied and not stale
    assert (tier.capacity, tier.held) == (2, 2)
    assert seated is not None and not seated.on_sale  # no longer published: stops selling
