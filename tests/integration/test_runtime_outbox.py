"""The transactional outbox (services/runtime/messaging/outbox.py) against real
PostgreSQL and Kafka, in a scratch database and on a topic of its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from kafka_support import KAFKA, read_topic
from psycopg_pool import AsyncConnectionPool
from runtime_support import eventually, running

from services.runtime.messaging.outbox import OutboxRelay, add_event

SOURCE = "//tests/outbox"


class Rollback(Exception):
    """Raised inside a transaction to roll it back."""


async def stage(pool: AsyncConnectionPool, topic: str, values: list[str], *, key: str = "aggregate-1") -> list[str]:
    """Adds events in one committed transaction; returns their ce_ids."""
    async with pool.connection() as conn, conn.transaction():
        return [await add_event(conn, topic, key, StringValue(value=v), SOURCE) for v in values]


async def unpublished(pool: AsyncConnectionPool) -> int:
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")).fetchone()
    assert row is not None
    return int(row["n"])


async def all_published(pool: AsyncConnectionPool) -> bool:
    return await unpublished(pool) == 0


def relay(pool: AsyncConnectionPool, database_url: str, name: str) -> OutboxRelay:
    return OutboxRelay(pool, database_url, KAFKA, f"test-outbox-{name}")


async def test_committed_events_reach_kafka_once_in_order(runtime_pool: AsyncConnectionPool, scratch_database: str,
                                                          new_topic: Callable[[], str]) -> None:
    topic = new_topic()
    ce_ids = await stage(runtime_pool, topic, ["first", "second", "third"])
    assert await unpublished(runtime_pool) == 3  # nothing leaves before a relay runs

    # Two relays on one database, as with two replicas of a service: the advisory
    # lock makes one of them the leader, so nothing is published twice.
    leader, standby = relay(runtime_pool, scratch_database, "a"), relay(runtime_pool, scratch_database, "b")
    async with running(leader.run(), standby.run()):
        await eventually(lambda: all_published(runtime_pool))
        # Events committed while the relay runs are picked up too (NOTIFY on commit).
        ce_ids += await stage(runtime_pool, topic, ["fourth"])
        await eventually(lambda: all_published(runtime_pool))

    records = read_topic(topic, until=lambda found: len(found) >= 4)
    assert [r.ce_id for r in records] == ce_ids  # each once, in commit order
    assert [StringValue.FromString(r.value).value for r in records] == ["first", "second", "third", "fourth"]
    assert {r.key for r in records} == {"aggregate-1"}
    assert all(r.headers["ce_type"] == "google.protobuf.StringValue" for r in records)
    assert all(r.headers["ce_source"] == SOURCE for r in records)


async def test_rolled_back_events_are_never_published(runtime_pool: AsyncConnectionPool, scratch_database: str,
                                                      new_topic: Callable[[], str]) -> None:
    topic = new_topic()
    with pytest.raises(Rollback):
        async with runtime_pool.connection() as conn, conn.transaction():
            await add_event(conn, topic, "aggregate-1", StringValue(value="rolled back"), SOURCE)
            raise Rollback
    kept = await stage(runtime_pool, topic, ["committed"])

    async with running(relay(runtime_pool, scratch_database, "c").run()):
        await eventually(lambda: all_published(runtime_pool))

    records = read_topic(topic, until=lambda found: len(found) >= 1)
    assert [r.ce_id for r in records] == kept
    async with runtime_pool.connection() as conn:
        rows = await (await conn.execute("SELECT ce_id::text AS ce_id FROM outbox")).fetchall()
    assert [r["ce_id"] for r in rows] == kept


async def test_a_restarted_relay_does_not_publish_again(runtime_pool: AsyncConnectionPool, scratch_database: str,
                                                        new_topic: Callable[[], str]) -> None:
    topic = new_topic()
    first = await stage(runtime_pool, topic, ["one", "two"])
    async with running(relay(runtime_pool, scratch_database, "d").run()):
        await eventually(lambda: all_published(runtime_pool))

    second = await stage(runtime_pool, topic, ["three"])
    async with running(relay(runtime_pool, scratch_database, "e").run()):  # a new process: no memory of the first
        await eventually(lambda: all_published(runtime_pool))

    records = read_topic(topic, until=lambda found: len(found) >= 3)
    assert [r.ce_id for r in records] == first + second
