"""Bounded outbox and inbox (services/runtime/messaging/retention.py) on real PostgreSQL:
rows past the retention go, in batches; unpublished events and dedupe keys inside the
window stay, and dedupe still holds for them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from services.runtime.messaging.retention import sweep_inbox, sweep_outbox

WEEK = timedelta(days=7)


async def rows(pool: AsyncConnectionPool, sql: str, *params: object) -> list[tuple[Any, ...]]:
    async with pool.connection() as conn:
        return [tuple(r.values()) for r in await (await conn.execute(sql, params)).fetchall()]


async def add_outbox(pool: AsyncConnectionPool, label: str, published_days_ago: float | None) -> None:
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO outbox (ce_id, topic, key, payload, headers, published_at) "
            "VALUES (%s, %s, %s, '', '{}', CASE WHEN %s::float IS NULL THEN NULL "
            "ELSE now() - make_interval(secs => %s::float * 86400) END)",
            (uuid.uuid4(), label, b"k", published_days_ago, published_days_ago))


async def test_published_outbox_rows_past_the_retention_are_swept_in_batches(runtime_pool: AsyncConnectionPool) -> None:
    for n in range(25):
        await add_outbox(runtime_pool, f"old-{n}", 8)
    await add_outbox(runtime_pool, "recent", 1)
    await add_outbox(runtime_pool, "unpublished", None)  # waiting for Kafka: never swept

    assert await sweep_outbox(runtime_pool, WEEK, batch=10) == 25
    assert sorted(r[0] for r in await rows(runtime_pool, "SELECT topic FROM outbox")) == ["recent", "unpublished"]
    assert await sweep_outbox(runtime_pool, WEEK, batch=10) == 0


async def test_inbox_keys_past_the_retention_go_and_dedupe_holds_inside_it(runtime_pool: AsyncConnectionPool) -> None:
    old, recent, other = (str(uuid.uuid4()) for _ in range(3))
    async with runtime_pool.connection() as conn:
        await conn.execute(
            "INSERT INTO inbox (consumer, ce_id, topic, processed_at) VALUES "
            "('indexer', %s, 't', now() - interval '8 days'), ('indexer', %s, 't', now() - interval '6 days'), "
            "('mailer', %s, 't', now() - interval '30 days')", (old, recent, other))

    assert await sweep_inbox(runtime_pool, "indexer", WEEK) == 1
    remaining = set(await rows(runtime_pool, "SELECT consumer, ce_id FROM inbox"))
    assert remaining == {("indexer", recent), ("mailer", other)}  # another consumer's keys are its own business

    # The consumer's dedupe statement (services/runtime/messaging/consumer.py) still skips the recent one.
    async with runtime_pool.connection() as conn:
        again = await (await conn.execute(
            "INSERT INTO inbox (consumer, ce_id, topic) VALUES ('indexer', %s, 't') "
            "ON CONFLICT DO NOTHING RETURNING 1", (recent,))).fetchone()
    assert again is None
