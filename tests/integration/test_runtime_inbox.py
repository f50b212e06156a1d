"""The idempotent consumer (services/runtime/messaging/consumer.py) against real
PostgreSQL and Kafka: inbox dedupe by ce_id, dead letters to `<topic>.dlq`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from confluent_kafka import Producer
from kafka_support import KAFKA, read_topic
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from runtime_support import eventually, running

from services.runtime.messaging.consumer import InboxConsumer, PoisonMessage, ReceivedEvent


@pytest.fixture
async def pool(runtime_pool: AsyncConnectionPool) -> AsyncConnectionPool:
    async with runtime_pool.connection() as conn:
        # What the handler under test writes: its effect shares the inbox transaction.
        await conn.execute("CREATE TABLE handled (seq serial PRIMARY KEY, ce_id text NOT NULL, body text NOT NULL)")
    return runtime_pool


async def handler(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
    body = event.payload.decode()
    if body == "poison":
        raise PoisonMessage("cannot decode the payload")
    if body == "boom":
        raise RuntimeError("boom")
    await conn.execute("INSERT INTO handled (ce_id, body) VALUES (%s, %s)", (event.ce_id, body))


def produce(topic: str, messages: list[tuple[str | None, str]]) -> None:
    """(ce_id or None, body) pairs, in order, on the topic's single partition."""
    producer = Producer({"bootstrap.servers": KAFKA, "enable.idempotence": True})
    for ce_id, body in messages:
        headers = [("ce_type", b"test.Body")] + ([("ce_id", ce_id.encode())] if ce_id else [])
        producer.produce(topic, key=b"aggregate-1", value=body.encode(), headers=headers)
    assert producer.flush(30) == 0


async def rows(pool: AsyncConnectionPool, sql: str, *params: object) -> list[tuple[Any, ...]]:
    async with pool.connection() as conn:
        return [tuple(r.values()) for r in await (await conn.execute(sql, params)).fetchall()]


async def test_duplicates_are_skipped_and_bad_messages_dead_lettered(
        pool: AsyncConnectionPool, new_topic: Callable[[], str]) -> None:
    topic = new_topic()
    group = f"test-inbox-{uuid.uuid4().hex[:8]}"
    first, poison, boom, last = (str(uuid.uuid4()) for _ in range(4))
    produce(topic, [
        (first, "hello"),
        (first, "hello again"),  # redelivery / duplicate publish: same ce_id
        (None, "no id"),  # cannot be deduplicated: never handled
        (poison, "poison"),
        (boom, "boom"),  # fails on every attempt
        (last, "last"),  # handled last: once it is in, everything before was processed
    ])
    consumer = InboxConsumer(pool=pool, bootstrap=KAFKA, group_id=group, topics=[topic], handler=handler,
                             max_attempts=2)

    async def last_handled() -> bool:
        return bool(await rows(pool, "SELECT 1 FROM handled WHERE ce_id = %s", last))

    async with running(consumer.run()):
        await eventually(last_handled, seconds=30)

    assert await rows(pool, "SELECT ce_id, body FROM handled ORDER BY seq") == [(first, "hello"), (last, "last")]
    # The inbox records what was handled, nothing for the dead letters (their
    # transactions rolled back with the handler's failure).
    assert set(await rows(pool, "SELECT ce_id, topic FROM inbox WHERE consumer = %s", group)) == {
        (first, topic), (last, topic)}

    dead = read_topic(f"{topic}.dlq", until=lambda found: len(found) >= 3)
    assert [r.value.decode() for r in dead] == ["no id", "poison", "boom"]
    assert [r.headers["dlq_reason"] for r in dead] == [
        "missing ce_id header", "cannot decode the payload", "RuntimeError('boom')"]
    assert {r.headers["dlq_consumer"] for r in dead} == {group}
    # The original message travels unchanged: key and headers kept.
    assert {r.key for r in dead} == {"aggregate-1"}
    assert [r.headers.get("ce_id") for r in dead] == [None, poison, boom]
