"""Idempotent Kafka consumer: inbox dedupe by ce_id in the handler's own transaction,
offset commit after handling, dead letters to `<topic>.dlq`.

What a failure means decides what happens to the message:
- poison (PoisonMessage, or a permanent database error such as a value too large for
  an index): it can never succeed, so it goes to the DLQ at once and the partition moves on;
- a dependency down (our database unreachable, DependencyUnavailable): not the message's
  fault, so nothing is committed and the consumer stops; its supervisor restarts it with
  backoff (the service reports NOT_SERVING meanwhile) and the message is read again;
- anything else may pass on a retry (a deadlock, a timeout): retried with backoff a
  bounded number of times, then dead-lettered with the reason.
Dead letters are inspected and re-driven with `kgo events dlq ls|show|replay`.

Throughput: messages are taken from Kafka in batches (whatever has arrived, up to
`batch`, in one hop to librdkafka's thread) and the batch is handled with up to
`concurrency` messages at a time, each in its own transaction as before. Messages with
the same key (one aggregate) are handled one after another, in their order; offsets are
committed once the whole batch is done, at most every half second while busy. A serial
loop spent most of its time waiting for round trips to PostgreSQL and fell behind under
load (ticketing's payment news queued for ~0.9 s at 45 payments/s).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka import Message as KafkaMessage
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Counter
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.runtime.errors import DependencyUnavailable
from services.runtime.faults import NO_FAULTS, FaultPoints
from services.runtime.logging import get_logger, kafka_logging
from services.runtime.messaging.envelope import header_dict
from services.runtime.messaging.outbox import producer_config
from services.runtime.messaging.retention import DEFAULT_RETENTION, sweep_inbox
from services.runtime.supervision import Backoff, worker_healthy

log = get_logger(__name__)
_tracer = trace.get_tracer("kulturago.messaging")

DEAD_LETTERS = Counter("kafka_dead_letters_total", "Messages moved to <topic>.dlq",
                       ["consumer", "topic", "cause"])
DLQ_SUFFIX = ".dlq"
# Headers a dead letter carries besides the original ones (kgo events dlq reads them).
DLQ_REASON, DLQ_CAUSE, DLQ_CONSUMER, DLQ_TIME = "dlq_reason", "dlq_cause", "dlq_consumer", "dlq_time"
DLQ_PARTITION, DLQ_OFFSET = "dlq_partition", "dlq_offset"


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

# SQLSTATE classes that no retry can fix: data exceptions (22), integrity (23),
# syntax/access (42), program limits such as an index row too large (54).
_PERMANENT_SQLSTATE_CLASSES = frozenset({"22", "23", "42", "54"})


async def forget_handled(conn: AsyncConnection[Any], consumer: str, ce_id: str) -> None:
    """The consumer (group) `consumer` takes the event `ce_id` again when it comes back (its
    handler found later that the work it started failed for good, and dead-lettered the
    event itself: a replay from the DLQ must not be skipped as already handled)."""
    await conn.execute("DELETE FROM inbox WHERE consumer = %s AND ce_id = %s", (consumer, ce_id))


def is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, PoisonMessage):
        return True
    sqlstate: str | None = getattr(exc, "sqlstate", None)
    return isinstance(exc, psycopg.Error) and sqlstate is not None and sqlstate[:2] in _PERMANENT_SQLSTATE_CLASSES


def is_dependency_down(exc: BaseException) -> bool:
    """Our own infrastructure is unreachable: the message is not to blame."""
    if isinstance(exc, DependencyUnavailable | PoolTimeout | OSError):
        return True
    # psycopg.OperationalError covers lost connections (no SQLSTATE, class 08), shutdowns
    # (57P) and exhausted resources (53); is_permanent() has already taken class 54.
    return isinstance(exc, psycopg.OperationalError)


class InboxConsumer:
    def __init__(self, *, pool: AsyncConnectionPool, bootstrap: str, group_id: str,
                 topics: Sequence[str], handler: EventHandler, max_attempts: int = 5,
                 retry_backoff: Backoff | None = None, faults: FaultPoints = NO_FAULTS,
                 retention: timedelta = DEFAULT_RETENTION, sweep_every_seconds: float = 600.0,
                 batch: int = 100, concurrency: int = 8, commit_every_seconds: float = 0.5) -> None:
        self._pool = pool
        self._commit_every = commit_every_seconds
        self._batch = max(1, batch)
        self._concurrency = max(1, concurrency)
        self._retention = retention
        self._sweep_every = sweep_every_seconds
        self._next_sweep = 0.0
        self._bootstrap = bootstrap
        self._group = group_id
        self._topics = list(topics)
        self._handler = handler
        self._max_attempts = max_attempts
        self._retry = retry_backoff or Backoff(initial=0.2, maximum=5.0)
        self._faults = faults
        self._fault_point = f"consumer.{group_id}"
        self._dlq = Producer(producer_config(bootstrap, f"{group_id}-dlq"))

    def _new_consumer(self) -> Consumer:
        return Consumer({
            **kafka_logging(),
            "bootstrap.servers": self._bootstrap,
            "group.id": self._group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "topic.metadata.refresh.interval.ms": 5000,
            "allow.auto.create.topics": True,
        })

    async def _handle_once(self, event: ReceivedEvent) -> bool:
        """True when handled now, False when the ce_id had been handled before."""
        self._faults.check(self._fault_point)
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

    async def _dead_letter(self, msg: KafkaMessage, cause: str, reason: str) -> None:
        topic = msg.topic() or ""
        headers = [*(msg.headers() or []),
                   (DLQ_REASON, reason.encode()[:1000]), (DLQ_CAUSE, cause.encode()),
                   (DLQ_CONSUMER, self._group.encode()),
                   (DLQ_TIME, datetime.now(UTC).isoformat(timespec="milliseconds").encode()),
                   (DLQ_PARTITION, str(msg.partition()).encode()), (DLQ_OFFSET, str(msg.offset()).encode())]
        self._dlq.produce(topic + DLQ_SUFFIX, key=msg.key(), value=msg.value(), headers=headers)
        if await asyncio.to_thread(self._dlq.flush, 30) > 0:
            # Not in the DLQ yet: do not commit past it; retried after a restart.
            raise DependencyUnavailable(f"could not write to {topic}{DLQ_SUFFIX}")
        DEAD_LETTERS.labels(self._group, topic, cause).inc()
        log.error("dead letter", topic=topic, dlq=topic + DLQ_SUFFIX, cause=cause, reason=reason,
                  ce_id=header_dict(msg.headers()).get("ce_id", ""), partition=msg.partition(),
                  offset=msg.offset())

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
            await self._dead_letter(msg, "poison", "missing ce_id header")
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                handled = await self._handle_once(event)
                log.debug("event handled" if handled else "duplicate event skipped",
                          topic=event.topic, ce_id=event.ce_id)
                return
            except Exception as exc:
                if is_permanent(exc):
                    reason = str(exc) if isinstance(exc, PoisonMessage) else f"{type(exc).__name__}: {exc}"
                    await self._dead_letter(msg, "poison", reason)
                    return
                if is_dependency_down(exc):
                    raise  # the supervisor restarts us; nothing was committed
                if attempt >= self._max_attempts:
                    await self._dead_letter(msg, "retries-exhausted",
                                            f"{type(exc).__name__} after {attempt} attempts: {exc}")
                    return
                delay = self._retry.delay(attempt)
                log.warning("event failed; retrying", topic=event.topic, ce_id=event.ce_id, attempt=attempt,
                            retry_in=delay, error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(delay)

    def _next_batch(self, consumer: Consumer) -> list[KafkaMessage]:
        """Blocks (in a worker thread) for the first message, then takes what has arrived since."""
        first = consumer.poll(0.5)
        if first is None:
            return []
        return [first, *consumer.consume(self._batch - 1, 0)] if self._batch > 1 else [first]

    async def _process_batch(self, messages: Sequence[KafkaMessage]) -> None:
        """Handle every message; one key's messages in order, up to `concurrency` at once.
        Raises (after the others are done) when a dependency is down."""
        by_key: dict[bytes, list[KafkaMessage]] = {}
        for msg in messages:
            by_key.setdefault(msg.key() or b"", []).append(msg)
        if len(by_key) == 1 or self._concurrency == 1:
            for msg in messages:
                await self._process(msg)
            return
        slots = asyncio.Semaphore(self._concurrency)

        async def in_order(group: list[KafkaMessage]) -> None:
            for msg in group:
                async with slots:
                    await self._process(msg)

        outcomes = await asyncio.gather(*(in_order(group) for group in by_key.values()), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome  # nothing of the batch is committed: redelivered, the inbox skips what was done

    async def run(self) -> None:
        """Consume until cancelled; raises when a dependency is down (the supervisor restarts it)."""
        consumer = self._new_consumer()  # a fresh one per run: a closed consumer cannot be reused
        consumer.subscribe(self._topics)
        # Offsets handled but not committed yet, per partition. Committed at most every
        # `commit_every_seconds` while busy (an offset commit is a write to Kafka's
        # __consumer_offsets log: one per batch cost the broker more than the events did)
        # and at once when idle; a crash replays at most that much, which the inbox skips.
        handled: dict[tuple[str, int], int] = {}
        committed_at = time.monotonic()

        def commit() -> None:
            nonlocal committed_at
            if handled:
                consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in handled.items()],
                                asynchronous=True)
                handled.clear()
            committed_at = time.monotonic()

        try:
            while True:
                batch = await asyncio.to_thread(self._next_batch, consumer)
                if not batch:
                    commit()
                    if consumer.assignment():
                        worker_healthy()  # caught up
                    if time.monotonic() >= self._next_sweep:  # idle: keep our inbox rows bounded
                        await sweep_inbox(self._pool, self._group, self._retention)
                        self._next_sweep = time.monotonic() + self._sweep_every
                    continue
                messages = []
                for msg in batch:
                    error = msg.error()
                    if error is None:
                        messages.append(msg)
                    elif error.code() != KafkaError._PARTITION_EOF:
                        log.debug("kafka consumer error", error=str(error))
                if not messages:
                    continue
                await self._process_batch(messages)
                worker_healthy()
                # Only past what has been handled (and never before): asynchronous, since a
                # commit lost in a crash only replays events that the inbox then skips.
                handled.update(_next_offsets(messages))
                if time.monotonic() - committed_at >= self._commit_every:
                    commit()
        finally:
            with contextlib.suppress(Exception):
                commit()
            with contextlib.suppress(Exception):  # whatever the commit did: leave the group now
                await asyncio.to_thread(consumer.close)


def _next_offsets(messages: Sequence[KafkaMessage]) -> dict[tuple[str, int], int]:
    """Per (topic, partition), the offset after the last message handled."""
    last: dict[tuple[str, int], int] = {}
    for msg in messages:
        where = (msg.topic() or "", msg.partition() or 0)
        last[where] = max(last.get(where, -1), msg.offset() or 0)
    return {where: offset + 1 for where, offset in last.items()}
