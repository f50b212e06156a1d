"""The running search-service's indexer under faults: a poison event goes to the DLQ
and the partition moves on; an outage of the indexer's dependencies turns the
service NOT_SERVING, and everything published meanwhile is indexed once it is back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import httpx
import pytest
from auth_support import Account
from catalog_support import event_body, publish
from confluent_kafka import Producer
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka_support import KAFKA, read_topic

from kgo import paths, topology
from kulturago.event.v1 import event_service_pb2, events_pb2
from services.runtime.messaging.envelope import wrap
from services.search.config import SearchSettings

FAULT = paths.FAULTS / f"consumer.{SearchSettings().indexer_group}"


def search_health(service: str = "") -> int:
    with grpc.insecure_channel(f"127.0.0.1:{topology.service('search').grpc_port}") as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
    return int(reply.status)


def wait_for(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(0.2)


def hits(http: httpx.Client, word: str) -> set[str]:
    reply = http.get("/api/v1/search", params={"q": word, "perPage": 50})
    assert reply.status_code == 200, reply.text
    return {h["slug"] for h in reply.json()["hits"]}


@pytest.fixture
def fault() -> Iterator[Path]:
    FAULT.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield FAULT
    finally:
        FAULT.unlink(missing_ok=True)


def publish_poison(slug: str) -> str:
    """The event that once blocked the indexer for good: one session lasting five centuries,
    whose day lexemes make a tsvector over PostgreSQL's 1 MiB limit. Sent straight to the
    topic, as a buggy or older producer could (event-service now refuses such input)."""
    start = datetime.now(UTC) + timedelta(days=1)
    session = event_service_pb2.Session()
    session.start_time.FromDatetime(start)
    session.end_time.FromDatetime(start.replace(year=start.year + 500))
    message = events_pb2.EventPublished(
        event=event_service_pb2.Event(slug=slug, title="Poison", category="concert", city="moscow",
                                      sessions=[session]),
        version=1)
    envelope = wrap("event.published", slug, message, "tests")
    producer = Producer({"bootstrap.servers": KAFKA})
    producer.produce(envelope.topic, key=envelope.key, value=envelope.payload,
                     headers=list(envelope.headers.items()))
    assert producer.flush(30) == 0
    return envelope.ce_id


def test_a_poison_event_is_dead_lettered_and_later_events_are_indexed(http: httpx.Client, admin: Account) -> None:
    word = f"qz{uuid.uuid4().hex[:10]}"
    poison = publish_poison(f"poison-{word}")
    good = [publish(http, admin, event_body(title=f"Концерт {word} {n}"))["slug"] for n in range(2)]

    wait_for(lambda: hits(http, word) == set(good), "both later events searchable")
    dead = read_topic("event.published.dlq", until=lambda found: any(r.ce_id == poison for r in found))
    letter = next(r for r in dead if r.ce_id == poison)
    assert letter.headers["dlq_cause"] == "poison"
    assert letter.headers["dlq_consumer"] == SearchSettings().indexer_group
    assert f"poison-{word}" not in hits(http, word)


@pytest.mark.disruptive
def test_an_indexer_outage_turns_search_not_serving_and_loses_nothing(
        http: httpx.Client, admin: Account, fault: Path) -> None:
    assert search_health() == health_pb2.HealthCheckResponse.SERVING
    word = f"qz{uuid.uuid4().hex[:10]}"
    fault.touch()  # the indexer's dependency is now "down"
    published = [publish(http, admin, event_body(title=f"Выставка {word} {n}"))["slug"] for n in range(3)]

    wait_for(lambda: search_health() == health_pb2.HealthCheckResponse.NOT_SERVING, "search NOT_SERVING")
    assert search_health("kulturago.search.v1.SearchService") == health_pb2.HealthCheckResponse.NOT_SERVING
    assert search_health("liveness") == health_pb2.HealthCheckResponse.SERVING  # unready, not dead
    assert hits(http, word) == set()  # nothing indexed while the indexer is down

    fault.unlink()
    wait_for(lambda: search_health() == health_pb2.HealthCheckResponse.SERVING, "search SERVING again")
    wait_for(lambda: hits(http, word) == set(published), "everything published during the outage indexed")
