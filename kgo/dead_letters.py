"""`kgo events dlq ls|show|replay`: inspect dead letters (`<topic>.dlq`) and re-drive them.

A dead letter is the original message (key, value, headers) plus `dlq_*` headers that
say why it was moved (services/runtime/messaging/consumer.py). `replay` publishes the
original back to its topic; consumers dedupe by ce_id, so a replay of a message that
did get handled is harmless. What has been replayed is remembered as the committed
offsets of the consumer group `kgo-dlq-replay`: each dead letter is re-driven once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from confluent_kafka import Consumer, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from kgo import topology
from kgo.events_tail import _load_event_types, decode
from services.runtime.messaging.consumer import DLQ_SUFFIX
from services.runtime.messaging.envelope import header_dict

REPLAY_GROUP = "kgo-dlq-replay"


def _bootstrap() -> str:
    return f"127.0.0.1:{topology.KAFKA_PORT}"


def _consumer(group: str = "kgo-dlq-reader") -> Consumer:
    return Consumer({"bootstrap.servers": _bootstrap(), "group.id": group, "enable.auto.commit": False,
                     "log_level": 3})


def _dlq_topics() -> list[str]:
    topics = AdminClient({"bootstrap.servers": _bootstrap(), "log_level": 3}).list_topics(timeout=10).topics
    return sorted(t for t in topics if t.endswith(DLQ_SUFFIX))


def _partitions(consumer: Consumer, topic: str) -> list[int]:
    meta = consumer.list_topics(topic, timeout=10).topics.get(topic)
    if meta is None or meta.error is not None:
        raise SystemExit(f"kgo: no topic {topic!r}")
    return sorted(meta.partitions)


def _replayed(consumer: Consumer, topic: str, partitions: list[int]) -> dict[int, int]:
    """Next offset to replay per partition (the replay group's committed offsets)."""
    committed = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
    return {tp.partition: max(tp.offset, 0) for tp in committed}


def _messages(consumer: Consumer, topic: str, start: dict[int, int]) -> Iterator[Message]:
    """Every message from `start` to the end of each partition, then stop."""
    ends = {}
    for partition, offset in start.items():
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        if max(offset, low) < high:
            ends[partition] = high
    if not ends:
        return
    consumer.assign([TopicPartition(topic, p, max(start[p], 0)) for p in ends])
    while ends:
        msg = consumer.poll(5.0)
        if msg is None:
            raise SystemExit(f"kgo: timed out reading {topic}")
        if msg.error() is not None:
            continue
        partition = msg.partition() or 0
        if partition in ends and (msg.offset() or 0) + 1 >= ends[partition]:
            ends.pop(partition)
        yield msg


def _record(msg: Message, *, payload: bool) -> dict[str, Any]:
    headers = header_dict(msg.headers())
    record: dict[str, Any] = {
        "topic": msg.topic(), "at": f"{msg.partition()}:{msg.offset()}",
        "ce_id": headers.get("ce_id", ""), "ce_type": headers.get("ce_type", ""),
        "cause": headers.get("dlq_cause", ""), "reason": headers.get("dlq_reason", ""),
        "consumer": headers.get("dlq_consumer", ""), "time": headers.get("dlq_time", ""),
    }
    if payload:
        value = msg.value() or b""
        decoded = decode(headers.get("ce_type", ""), value)
        record["key"] = (msg.key() or b"").decode("utf-8", "replace")
        record["headers"] = headers
        record["payload"] = decoded if decoded is not None else value.hex()
    return record


def ls(topic: str | None = None) -> int:
    """Without a topic: each DLQ with its counts; with one: a line per dead letter."""
    consumer = _consumer(REPLAY_GROUP)
    try:
        if topic is None:
            for name in _dlq_topics():
                partitions = _partitions(consumer, name)
                replayed = _replayed(consumer, name, partitions)
                total = pending = 0
                for p in partitions:
                    low, high = consumer.get_watermark_offsets(TopicPartition(name, p), timeout=10)
                    total += high - low
                    pending += high - max(low, replayed[p])
                print(json.dumps({"topic": name, "messages": total, "not_replayed": pending}))
            return 0
        name = topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX
        start = dict.fromkeys(_partitions(consumer, name), 0)
        for msg in _messages(_consumer(), name, start):
            print(json.dumps(_record(msg, payload=False), ensure_ascii=False))
        return 0
    finally:
        consumer.close()


def show(topic: str, at: str) -> int:
    """One dead letter, decoded: `at` is `<partition>:<offset>` as `ls` prints it."""
    _load_event_types()
    name = topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX
    partition, _, offset = at.partition(":")
    consumer = _consumer()
    try:
        consumer.assign([TopicPartition(name, int(partition), int(offset))])
        msg = consumer.poll(10.0)
        if msg is None or msg.error() is not None or msg.offset() != int(offset):
            print(f"kgo: no dead letter at {name} {at}", file=sys.stderr)
            return 1
        print(json.dumps(_record(msg, payload=True), ensure_ascii=False, indent=1))
        return 0
    finally:
        consumer.close()


def replay(topic: str) -> int:
    """Publish every dead letter not replayed yet back to its original topic."""
    name = topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX
    original = name.removesuffix(DLQ_SUFFIX)
    consumer = _consumer(REPLAY_GROUP)
    producer = Producer({"bootstrap.servers": _bootstrap(), "enable.idempotence": True, "acks": "all",
                         "log_level": 3})
    replayed = 0
    try:
        partitions = _partitions(consumer, name)
        for msg in _messages(consumer, name, _replayed(consumer, name, partitions)):
            raw = msg.headers() or []
            pairs = raw.items() if isinstance(raw, dict) else raw
            headers = [(k, v) for k, v in pairs if not k.startswith("dlq_")]
            producer.produce(original, key=msg.key(), value=msg.value(), headers=headers)
            if producer.flush(30) > 0:
                raise SystemExit(f"kgo: could not publish to {original}; nothing more replayed")
            consumer.commit(offsets=[TopicPartition(name, msg.partition() or 0, (msg.offset() or 0) + 1)],
                            asynchronous=False)
            replayed += 1
    finally:
        consumer.close()
    print(json.dumps({"topic": original, "replayed": replayed}))
    return 0
