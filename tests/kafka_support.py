"""Reading Kafka in tests without races: assign every partition from the beginning
(no consumer-group rebalance to wait for, nothing published before the test can be
missed), keep the records that match, stop once the caller is satisfied and every
partition has been read to its end, or when a bounded wait runs out.

Imported by test modules as `kafka_support` (tests/ is on sys.path because
tests/conftest.py lives there and the suite uses pytest's default import mode).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Message, TopicPartition
from confluent_kafka.admin import AdminClient

from kgo import topology
from services.runtime.messaging.envelope import header_dict

KAFKA = f"127.0.0.1:{topology.KAFKA_PORT}"


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    topic: str
    partition: int
    offset: int
    key: str
    headers: dict[str, str]
    value: bytes

    @property
    def ce_id(self) -> str:
        return self.headers.get("ce_id", "")


def _record(msg: Message) -> KafkaRecord:
    raw_key, value = msg.key(), msg.value()
    return KafkaRecord(
        topic=msg.topic() or "", partition=msg.partition() or 0, offset=msg.offset() or 0,
        key=raw_key.decode() if isinstance(raw_key, bytes) else (raw_key or ""),
        headers=header_dict(msg.headers()),  # type: ignore[arg-type]
        value=value if isinstance(value, bytes) else (value or "").encode(),
    )


def _partitions(consumer: Consumer, topic: str, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        meta = consumer.list_topics(topic, timeout=5).topics.get(topic)
        if meta is not None and meta.error is None and meta.partitions:
            return sorted(meta.partitions)
        if time.monotonic() > deadline:
            raise AssertionError(f"topic {topic!r} does not exist")
        time.sleep(0.2)


def read_topic(topic: str, *, key: str | None = None,
               until: Callable[[list[KafkaRecord]], bool] = lambda records: bool(records),
               timeout: float = 20.0) -> list[KafkaRecord]:
    """Records of `topic` (those with `key`, when given) in partition order.

    Returns once `until(records)` holds and all partitions are at their end (so that
    a duplicate already in the log is seen too), or after `timeout` seconds with
    whatever was read: the caller's assertions then say what is missing.
    """
    consumer = Consumer({
        "bootstrap.servers": KAFKA,
        "group.id": f"tests-{uuid.uuid4()}",  # never committed: assign() needs no group
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "log_level": 3,
    })
    records: list[KafkaRecord] = []
    deadline = time.monotonic() + timeout
    try:
        partitions = _partitions(consumer, topic, timeout)
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        at_end: set[int] = set()
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition())
                    if at_end == set(partitions) and until(records):
                        break
                continue
            at_end.discard(msg.partition())
            record = _record(msg)
            if key is None or record.key == key:
                records.append(record)
    finally:
        consumer.close()
    return records


def broker_is_up() -> bool:
    try:
        return bool(AdminClient({"bootstrap.servers": KAFKA, "log_level": 0}).list_topics(timeout=3).brokers)
    except Exception:
        return False


def wait_for_broker(timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not broker_is_up():
        if time.monotonic() > deadline:
            raise AssertionError(f"Kafka broker not reachable at {KAFKA} after {timeout:.0f}s")
        time.sleep(1)
