"""The idempotent consumer (services/runtime/messaging/consumer.py) against real
PostgreSQL and Kafka: inbox dedupe by ce_id, dead letters to `<topic>.dlq`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from kafka_support import KAFKA, read_topic
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from runtime_support import eventually, running

from services.runtime.faults import FaultPoints
from services.runtime.messaging.consumer import InboxConsumer, PoisonMessage, ReceivedEvent
from services.runtime.supervision import RESTARTS, Backoff, Supervisor, Worker


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
        "missing ce_id header", "cannot decode the payload", "RuntimeError after 2 attempts: boom"]
    assert [r.headers["dlq_cause"] for r in dead] == ["poison", "poison", "retries-exhausted"]
    assert {r.headers["dlq_consumer"] for r in dead} == {group}
    # The original message travels unchanged: key and headers kept.
    assert {r.key for r in dead} == {"aggregate-1"}
    assert [r.headers.get("ce_id") for r in dead] == [None, poison, boom]


async def test_a_permanent_database_error_is_dead_lettered_at_once_and_the_partition_moves_on(
        pool: AsyncConnectionPool, new_topic: Callable[[], str]) -> None:
    """The search indexer's real failure: a tsvector over 1 MiB (SQLSTATE 54000, which
    psycopg files under OperationalError) was retried for ever and blocked the partition."""
    topic = new_topic()
    group = f"test-inbox-{uuid.uuid4().hex[:8]}"
    attempts: list[str] = []

    async def indexing_handler(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        attempts.append(event.ce_id)
        if event.payload == b"huge":
            await conn.execute("SELECT to_tsvector('simple', string_agg(md5(i::text), ' ')) "
                               "FROM generate_series(1, 40000) i")
        await handler(event, conn)

    huge, *good = (str(uuid.uuid4()) for _ in range(4))
    produce(topic, [(huge, "huge"), *((ce_id, f"good {n}") for n, ce_id in enumerate(good))])
    consumer = InboxConsumer(pool=pool, bootstrap=KAFKA, group_id=group, topics=[topic], handler=indexing_handler,
                             max_attempts=5)

    async def all_good_handled() -> bool:
        return len(await rows(pool, "SELECT 1 FROM handled")) == len(good)

    async with running(consumer.run()):
        await eventually(all_good_handled, seconds=30)

    assert attempts.count(huge) == 1  # not retried: no retry can make it fit
    dead = read_topic(f"{topic}.dlq")
    assert [r.ce_id for r in dead] == [huge]
    assert dead[0].headers["dlq_cause"] == "poison"
    assert "ProgramLimitExceeded" in dead[0].headers["dlq_reason"]
    assert (dead[0].headers["dlq_partition"], dead[0].headers["dlq_offset"]) == ("0", "0")


async def test_a_dependency_outage_restarts_the_worker_and_loses_nothing(
        pool: AsyncConnectionPool, new_topic: Callable[[], str], tmp_path: Path) -> None:
    """A fault point makes the handler's dependency 'unreachable': the consumer stops
    without dead-lettering, its supervisor reports unhealthy and restarts it with backoff;
    once the dependency is back every message is handled once."""
    topic = new_topic()
    group = f"test-inbox-{uuid.uuid4().hex[:8]}"
    fault = tmp_path / f"consumer.{group}"
    fault.touch()
    reports: list[bool] = []

    async def report(healthy: bool) -> None:
        reports.append(healthy)

    consumer = InboxConsumer(pool=pool, bootstrap=KAFKA, group_id=group, topics=[topic], handler=handler,
                             faults=FaultPoints(tmp_path))
    supervisor = Supervisor([Worker("indexer", consumer.run)], report,
                            backoff=Backoff(initial=0.1, maximum=0.5), settle_seconds=60)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    produce(topic, [(ce_id, f"body {n}") for n, ce_id in enumerate(ids)])

    async def restarted() -> bool:
        return RESTARTS.labels("indexer")._value.get() >= restarts_before + 2

    async def all_handled() -> bool:
        return len(await rows(pool, "SELECT 1 FROM handled")) == len(ids)

    restarts_before = RESTARTS.labels("indexer")._value.get()
    supervisor.start()
    try:
        await eventually(restarted, seconds=30)
        assert reports and reports[-1] is False
        assert await rows(pool, "SELECT 1 FROM handled") == []
        fault.unlink()
        await eventually(all_handled, seconds=30)
        await eventually(lambda: _true_if(reports[-1] is True), seconds=10)
    finally:
        await supervisor.stop()
    assert [r[0] for r in await rows(pool, "SELECT ce_id FROM handled ORDER BY seq")] == ids
    # Nothing was dead-lettered: no DLQ topic was ever written to.
    assert f"{topic}.dlq" not in AdminClient({"bootstrap.servers": KAFKA}).list_topics(timeout=10).topics


async def _true_if(value: bool) -> bool:
    return value


async def test_a_batch_is_handled_concurrently_across_keys_and_in_order_within_one(
        pool: AsyncConnectionPool, new_topic: Callable[[], str]) -> None:
    """Messages that have arrived are taken as a batch: different keys (aggregates) are
    handled at the same time, one key's messages one after another in their order; each
    once, and the offsets committed past the batch (a second consumer of the group
    finds nothing left)."""
    topic = new_topic()
    group = f"test-inbox-{uuid.uuid4().hex[:8]}"
    keys = [f"order-{n}" for n in range(6)]
    sent = [(keys[n % len(keys)], str(uuid.uuid4()), f"{keys[n % len(keys)]} #{n // len(keys)}") for n in range(36)]
    producer = Producer({"bootstrap.servers": KAFKA, "enable.idempotence": True})
    for key, ce_id, body in sent:
        producer.produce(topic, key=key.encode(), value=body.encode(), headers=[("ce_id", ce_id.encode())])
    assert producer.flush(30) == 0
    running_now, most = 0, 0

    async def slow_handler(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        try:
            await asyncio.sleep(0.02)  # a round trip's worth: others run meanwhile
            await handler(event, conn)
        finally:
            running_now -= 1

    consumer = InboxConsumer(pool=pool, bootstrap=KAFKA, group_id=group, topics=[topic], handler=slow_handler,
                             concurrency=4)

    async def all_handled() -> bool:
        return len(await rows(pool, "SELECT 1 FROM handled")) == len(sent)

    async with running(consumer.run()):
        await eventually(all_handled, seconds=30)
        await asyncio.sleep(1)  # the asynchronous offset commit

    handled = [body for _, body in await rows(pool, "SELECT ce_id, body FROM handled ORDER BY seq")]
    assert sorted(handled) == sorted(body for _, _, body in sent)  # each once
    for key in keys:
        assert [b for b in handled if b.startswith(key + " ")] == [body for k, _, body in sent if k == key]
    assert 1 < most <= 4

    seen: list[str] = []

    async def recording(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        seen.append(event.ce_id)

    again = InboxConsumer(pool=pool, bootstrap=KAFKA, group_id=group, topics=[topic], handler=recording)
    async with running(again.run()):
        await asyncio.sleep(5)  # joins the group, fetches from the committed offsets
    assert seen == []
