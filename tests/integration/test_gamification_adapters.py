"""gamification-service's adapters on real PostgreSQL and Redis: facts recorded through the
repositories (caps, idempotency, badges in the outbox), the leaderboard projector taking a
batch exactly once across a crash, and the rebuild equal to the incremental boards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

from kgo import provision
from services.gamification.adapters.projection import PostgresProjection
from services.gamification.adapters.redis_boards import RedisLeaderboards
from services.gamification.adapters.unit_of_work import GamificationUnitOfWork
from services.gamification.domain.rules import EventInfo, Fact
from services.gamification.service_layer.awarding import record_fact
from services.gamification.service_layer.leaderboards import Projector, increments
from services.runtime.db import migrate, open_pool, service_migrations

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
REDIS_DB = 11  # away from the live boards (database 0)


@pytest.fixture
async def pool(scratch_database: str) -> AsyncIterator[AsyncConnectionPool]:
    await migrate(scratch_database, service_migrations("gamification"))
    pool = await open_pool(scratch_database, min_size=1, max_size=6)
    yield pool
    await pool.close()


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(provision.redis_url(REDIS_DB))

    async def clear() -> None:
        keys = [k async for k in client.scan_iter(match="gam:*")]
        if keys:
            await client.delete(*keys)

    await clear()
    yield client
    await clear()
    await client.aclose()


async def _record(pool: AsyncConnectionPool, fact: Fact) -> bool:
    async with GamificationUnitOfWork(pool) as uow:
        return not (await record_fact(uow, fact)).duplicate


async def _boards(redis: aioredis.Redis) -> dict[str, dict[str, float]]:
    boards = {}
    async for key in redis.scan_iter(match="gam:lb:*"):
        rows = cast(list[tuple[bytes, float]], await redis.zrange(key, 0, -1, withscores=True))
        boards[bytes(key).decode()] = {m.decode(): s for m, s in rows}
    return boards


async def test_facts_caps_replays_and_badges_on_postgres(pool: AsyncConnectionPool) -> None:
    for n in range(5):
        assert await _record(pool, Fact("u1", f"r{n}", "review", NOW + timedelta(minutes=n)))
    assert not await _record(pool, Fact("u1", "r0", "review", NOW))  # replayed
    event = EventInfo("play", "theatre", "moscow", "moscow:cao")
    assert await _record(pool, Fact("u1", "order-1", "ticket_paid", NOW, event))
    async with GamificationUnitOfWork(pool) as uow:
        assert await uow.ledger.totals("u1") == (3 * 25 + 20 + 100, 2)  # 3 reviews a day, a ticket, the first
        badges = {b.badge_id for b in await uow.badges.of("u1")}
        facts, by_category, _ = await uow.ledger.progress("u1")
        outbox = await (await uow.connection.execute("SELECT topic, key FROM outbox ORDER BY id")).fetchall()
    assert badges == {"first-review", "first-ticket"}
    assert facts == {"review": 5, "ticket_paid": 1} and by_category == {"theatre": 1}
    assert [(r["topic"], bytes(r["key"]).decode()) for r in outbox] == [("badge.earned", "u1")] * 2


async def test_a_batch_reaches_redis_once_across_a_crash_and_the_rebuild_equals_it(
        pool: AsyncConnectionPool, redis: aioredis.Redis) -> None:
    for user, n in (("u1", 3), ("u2", 1)):
        for i in range(n):
            await _record(pool, Fact(user, f"c{i}", "check_in", NOW))
    projection, boards = PostgresProjection(pool), RedisLeaderboards(redis)
    # A projector that took a batch into Redis and died before marking it done...
    batch = await projection.claim_batch(100)
    assert batch is not None
    assert await boards.apply(batch, increments(await projection.batch_rows(batch)))
    # ...and the next one: the same batch again (Redis skips it), then what is new.
    await _record(pool, Fact("u2", "late", "check_in", NOW))
    projector = Projector(projection, boards, batch=2)
    await projector.step()
    assert await projection.undone_batches() == []
    incremental = await _boards(redis)
    assert incremental["gam:lb:global:all"] == {"u1": 90.0, "u2": 60.0}
    assert incremental["gam:lb:global:w2026-49"] == {"u1": 90.0, "u2": 60.0}
    await redis.zadd("gam:lb:global:w1999-01", {"ghost": 5})  # not in the ledger: goes
    await redis.delete("gam:lb:global:all")
    assert await projector.rebuild() == (2, 6)  # 2 users on 3 global boards (no city known)
    assert await _boards(redis) == incremental
