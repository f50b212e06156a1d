"""`kgo events dlq ls|show|replay` against real Kafka: dead letters are listed with
their reasons, shown decoded, and re-driven to their topic once, without dlq_ headers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from confluent_kafka import Producer
from kafka_support import KAFKA, read_topic

from kgo import dead_letters
from kulturago.auth.v1 import events_pb2


def dead_letter(topic: str, ce_id: str, body: bytes, ce_type: str = "test.Body") -> None:
    producer = Producer({"bootstrap.servers": KAFKA})
    producer.produce(f"{topic}.dlq", key=ce_id.encode(), value=body, headers=[
        ("ce_id", ce_id.encode()), ("ce_type", ce_type.encode()),
        ("dlq_reason", b"RuntimeError after 5 attempts: boom"), ("dlq_cause", b"retries-exhausted"),
        ("dlq_consumer", b"test-consumer"), ("dlq_partition", b"0"), ("dlq_offset", b"7")])
    assert producer.flush(30) == 0


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_dead_letters_are_listed_shown_and_replayed_once(
        new_topic: Callable[[], str], capsys: pytest.CaptureFixture[str]) -> None:
    topic = new_topic()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    signed_up = events_pb2.UserSignedUp(user_id="u-1", email="a@example.com")
    dead_letter(topic, first, signed_up.SerializeToString(), events_pb2.UserSignedUp.DESCRIPTOR.full_name)
    dead_letter(topic, second, b"raw bytes")

    assert dead_letters.ls(topic) == 0
    listed = lines(capsys)
    assert {r["ce_id"] for r in listed} == {first, second}
    assert {r["cause"] for r in listed} == {"retries-exhausted"}

    at = next(r["at"] for r in listed if r["ce_id"] == first)
    assert dead_letters.show(topic, str(at)) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["payload"] == {"userId": "u-1", "email": "a@example.com"}
    assert shown["reason"] == "RuntimeError after 5 attempts: boom"

    assert dead_letters.replay(topic) == 0
    assert lines(capsys) == [{"topic": topic, "replayed": 2}]
    back = read_topic(topic, until=lambda found: len(found) >= 2)
    assert {r.ce_id for r in back} == {first, second}
    assert all(not k.startswith("dlq_") for r in back for k in r.headers)
    assert {r.value for r in back} == {signed_up.SerializeToString(), b"raw bytes"}

    assert dead_letters.replay(topic) == 0  # each dead letter is re-driven once
    assert lines(capsys) == [{"topic": topic, "replayed": 0}]
    assert dead_letters.ls() == 0
    summary = next(r for r in lines(capsys) if r["topic"] == f"{topic}.dlq")
    assert summary == {"topic": f"{topic}.dlq", "messages": 2, "not_replayed": 0}
