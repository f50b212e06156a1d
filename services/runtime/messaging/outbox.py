"""Transactional outbox: `add_event` writes an event in the caller's transaction;
`OutboxRelay` publishes committed events with an idempotent producer (acks=all).

While Kafka is down the rows stay unpublished and the producer keeps the in-flight
ones queued; they go out, once, when Kafka returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from datetime import timedelta
from typing import Any

import psycopg
from confluent_kafka import KafkaError, Message, Producer
from google.protobuf.message import Message as ProtoMessage
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from services.runtime.logging import get_logger, kafka_logging
from services.runtime.messaging.envelope import wrap
from services.runtime.messaging.retention import DEFAULT_RETENTION, sweep_outbox
from services.runtime.supervision import worker_healthy

log = get_logger(__name__)

NOTIFY_CHANNEL = "outbox"


async def add_event(conn: AsyncConnection[Any], topic: str, key: str, message: ProtoMessage,
                    source: str) -> str:
    """Stage an event in the current transaction; returns its ce_id."""
    env = wrap(topic, key, message, source)
    await add_record(conn, env.ce_id, env.topic, env.key, env.payload, env.headers)
    return env.ce_id


async def add_record(conn: AsyncConnection[Any], ce_id: str, topic: str, key: bytes, payload: bytes,
                     headers: dict[str, str]) -> None:
    """Stage a record as it is, headers included. `ce_id` is the outbox row's own unique
    id: a record carrying another event's headers (a dead letter a consumer writes in the
    transaction that gives up on it) takes a new one there and keeps the original ce_id
    header, so that a replay of it is still that event."""
    # One round trip: the row and the relay's wake-up (pg_notify, like NOTIFY, is
    # delivered on commit only, and once per transaction however often it is called).
    await conn.execute(
        "WITH staged AS (INSERT INTO outbox (ce_id, topic, key, payload, headers) VALUES (%s, %s, %s, %s, %s) "
        "RETURNING 1) SELECT pg_notify(%s, '') FROM staged",
        (ce_id, topic, key, payload, json.dumps(headers), NOTIFY_CHANNEL),
    )


def producer_config(bootstrap: str, client_id: str) -> dict[str, Any]:
    return {
        **kafka_logging(),
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        # Never expire queued messages locally: during an outage they wait for Kafka.
        "message.timeout.ms": 0,
        "reconnect.backoff.max.ms": 2000,
    }


class OutboxRelay:
    def __init__(self, pool: AsyncConnectionPool, database_url: str, bootstrap: str, client_id: str,
                 *, batch: int = 500, retention: timedelta = DEFAULT_RETENTION,
                 sweep_every_seconds: float = 600.0) -> None:
        self._pool = pool
        self._retention = retention
        self._sweep_every = sweep_every_seconds
        self._next_sweep = 0.0
        self._database_url = database_url
        self._producer = Producer(producer_config(bootstrap, client_id))
        self._client_id = client_id
        self._batch = batch
        self._in_flight: set[int] = set()
        self._delivered: list[int] = []
        self._failed: list[int] = []

    def _on_delivery(self, row_id: int) -> Any:
        def callback(err: KafkaError | None, _msg: Message) -> None:
            # Runs in the thread that calls poll/flush; list.append is atomic.
            (self._failed if err is not None else self._delivered).append(row_id)
            if err is not None:
                log.warning("outbox delivery failed", id=row_id, error=str(err))
        return callback

    async def _publish_batch(self) -> int:
        async with self._pool.connection() as conn:
            rows: list[dict[str, Any]] = await (await conn.execute(  # type: ignore[assignment]
                "SELECT id, topic, key, payload, headers FROM outbox "
                "WHERE published_at IS NULL AND NOT (id = ANY(%s)) ORDER BY id LIMIT %s",
                (list(self._in_flight), self._batch),
            )).fetchall()
        for row in rows:
            headers = [(k, v.encode()) for k, v in row["headers"].items()]
            while True:
                try:
                    self._producer.produce(row["topic"], key=bytes(row["key"]), value=bytes(row["payload"]),
                                           headers=headers, on_delivery=self._on_delivery(row["id"]))
                    break
                except BufferError:  # local queue full: let deliveries drain
                    await asyncio.to_thread(self._producer.poll, 0.5)
            self._in_flight.add(row["id"])
        return len(rows)

    async def _settle(self) -> None:
        if self._in_flight:
            await asyncio.to_thread(self._producer.flush, 0.5)
        delivered, self._delivered = self._delivered, []
        failed, self._failed = self._failed, []
        if delivered:
            async with self._pool.connection() as conn:
                await conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", (delivered,))
        self._in_flight.difference_update(delivered)
        self._in_flight.difference_update(failed)  # picked up again next round

    async def run(self) -> None:
        """Publish until cancelled; one relay per database holds an advisory lock (leader).

        Errors propagate: the worker supervisor logs them and restarts the relay."""
        lock_key = zlib.crc32(b"outbox-relay")
        while True:
            async with await psycopg.AsyncConnection.connect(self._database_url, autocommit=True) as listen:
                got = await (await listen.execute("SELECT pg_try_advisory_lock(%s)", (lock_key,))).fetchone()
                worker_healthy()  # reachable database; a follower is healthy too
                if not got or not got[0]:
                    await asyncio.sleep(5)
                    continue
                await listen.execute(f"LISTEN {NOTIFY_CHANNEL}")
                await self._loop(listen)

    async def _loop(self, listen: AsyncConnection[Any]) -> None:
        while True:
            sent = await self._publish_batch()
            await self._settle()
            if time.monotonic() >= self._next_sweep:
                # The leader keeps the table bounded (published rows past the retention).
                await sweep_outbox(self._pool, self._retention)
                self._next_sweep = time.monotonic() + self._sweep_every
            if sent == 0 and not self._in_flight:
                # Idle: wake on the next committed event (or poll every second).
                async for _ in listen.notifies(timeout=1.0, stop_after=1):
                    pass

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._producer.flush, 2.0)
