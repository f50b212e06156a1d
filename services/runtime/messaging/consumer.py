"""Idempotent Kafka consumer: inbox dedupe by ce_id in the handler's own transaction,
offset commit after handling, poison messages to `<topic>.dlq`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka import Message as KafkaMessage
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from services.runtime.logging import get_logger, kafka_logging
from services.runtime.messaging.envelope import header_dict
from services.runtime.messaging.outbox import producer_config

log = get_logger(__name__)
_tracer = trace.get_tracer("kulturago.messaging")


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    topic: str
    key: bytes
    payload: bytes
    headers: dict[str, str]

    @property
    def ce_id(self) -> str:
        return self.headers.get("ce_id", "")


class PoisonMessage(Exception):
    """The message can never be handled (undecodable, invalid): send it to the DLQ."""


# handler(event, conn): runs inside the transaction that also records the ce_id.
EventHandler = Callable[[ReceivedEvent, AsyncConnection[Any]], Awaitable[None]]

TRANSIENT = (psycopg.OperationalError, OSError)


class InboxConsumer:
    def __init__(self, *, pool: AsyncConnectionPool, bootstrap: str, group_id: str,
                 topics: Sequence[str], handler: EventHandler, max_attempts: int = 3) -> None:
        self._pool = pool
        self._group = group_id
        self._topics = list(topics)
        self._handler = handler
        self._max_attempts = max_attempts
        self._consumer = Consumer({
            **kafka_logging(),
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "topic.metadata.refresh.interval.ms": 5000,
            "allow.auto.create.topics": True,
        })
        self._dlq = Producer(producer_config(bootstrap, f"{group_id}-dlq"))

    async def _handle_once(self, event: ReceivedEvent) -> bool:
        """True when handled now, False when the ce_id had been handled before."""
        async with self._pool.connection() as conn, conn.transaction():
            inserted = await (await conn.execute(
                "INSERT INTO inbox (consumer, ce_id, topic) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (self._group, event.ce_id, event.topic),
            )).fetchone()
            if inserted is None:
                return False
            await self._handler(event, conn)
            return True

    async def _dead_letter(self, msg: KafkaMessage, reason: str) -> None:
        headers = [*(msg.headers() or []), ("dlq_reason", reason.encode()[:1000]),
                   ("dlq_consumer", self._group.encode())]
        self._dlq.produce(f"{msg.topic()}.dlq", key=msg.key(), value=msg.value(), headers=headers)
        await asyncio.to_thread(self._dlq.flush, 30)

    async def _process(self, msg: KafkaMessage) -> None:
        event = ReceivedEvent(msg.topic() or "", msg.key() or b"", msg.value() or b"",
                              header_dict(msg.headers()))
        # Continue the producer's trace (traceparent header) across Kafka.
        with _tracer.start_as_current_span(f"{event.topic} process", context=propagate.extract(event.headers),
                                           kind=SpanKind.CONSUMER,
                                           attributes={"messaging.system": "kafka",
                                                       "messaging.destination.name": event.topic,
                                                       "messaging.message.id": event.ce_id}):
            await self._process_event(msg, event)

    async def _process_event(self, msg: KafkaMessage, event: ReceivedEvent) -> None:
        if not event.ce_id:
            await self._dead_letter(msg, "missing ce_id header")
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                handled = await self._handle_once(event)
                log.debug("event handled" if handled else "duplicate event skipped",
                          topic=event.topic, ce_id=event.ce_id)
                return
            except PoisonMessage as exc:
                log.warning("poison message", topic=event.topic, ce_id=event.ce_id, error=str(exc))
                await self._dead_letter(msg, str(exc))
                return
            except TRANSIENT:
                # Our database is down: wait and retry forever, nothing committed.
                log.warning("transient failure handling event; retrying", ce_id=event.ce_id)
                await asyncio.sleep(min(5.0, 0.2 * 2**min(attempt, 5)))
            except Exception as exc:
                if attempt >= self._max_attempts:
                    log.exception("event failed repeatedly; dead-lettered", ce_id=event.ce_id)
                    await self._dead_letter(msg, repr(exc))
                    return
                await asyncio.sleep(0.2 * attempt)

    async def run(self) -> None:
        self._consumer.subscribe(self._topics)
        try:
            while True:
                msg = await asyncio.to_thread(self._consumer.poll, 0.5)
                if msg is None:
                    continue
                error = msg.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        log.debug("kafka consumer error", error=str(error))
                    continue
                await self._process(msg)
                # Asynchronous commit: a commit lost in a crash only replays events that
                # the inbox then skips, and a synchronous one would cost a broker round
                # trip per event.
                self._consumer.commit(message=msg, asynchronous=True)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._consumer.close)
