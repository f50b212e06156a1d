"""GET /api/v1/search through the gateway, fed through Kafka the way event-service's
outbox feeds it (EventPublished on `event.published`, key = slug, ce_* headers).

Every run uses its own made-up word in the titles, so the demo catalog and earlier
runs never match. `publish_event` is the one place that knows how events get in:
swap it for POST /api/v1/events as an admin (catalog_support.publish) once version
and ce_id control are not needed.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from catalog_support import TEST_LAT, TEST_LON
from confluent_kafka import Consumer, Producer, TopicPartition
from conftest import database_url
from google.protobuf.timestamp_pb2 import Timestamp
from kafka_support import KAFKA, read_topic

from kulturago.event.v1 import event_service_pb2 as event_pb
from kulturago.event.v1 import events_pb2
from services.runtime.messaging.envelope import wrap
from services.runtime.time_windows import CITY_TZ, Window, window

TOPIC = "event.published"
INDEXER_GROUP = "search-indexer"
SOURCE = "//tests.kulturago/search-e2e"
FRESHNESS_SECONDS = 2.0
NOW = datetime.now(UTC)


def made_up_word() -> str:
    """A word no event title contains (and no stemmer maps onto a real one)."""
    return "ыкг" + "".join(random.choices("бвгджзклмнпрстфхцчшщ", k=7))


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def event(title: str, *, category: str = "concert", city: str = "moscow", starts: tuple[datetime, ...] = (),
          hours: float = 2, is_free: bool = False, kids: bool = False, lat: float = 55.7539, lon: float = 37.6208,
          description: str = "Событие для проверки поиска.", slug: str = "") -> event_pb.Event:
    slug = slug or f"search-e2e-{uuid.uuid4().hex[:12]}"
    return event_pb.Event(
        slug=slug, title=title, description=description, category=category, tags=["тест"], city=city,
        place=event_pb.Place(name="Тестовая площадка", address="ул. Тестовая, 1", lat=lat, lon=lon),
        sessions=[event_pb.Session(start_time=_ts(s), end_time=_ts(s + timedelta(hours=hours)))
                  for s in starts or (NOW + timedelta(days=2),)],
        price=event_pb.PriceRange(min=0, max=0) if is_free else event_pb.PriceRange(min=500, max=900),
        is_free=is_free, kids=kids, images=[f"events/{slug}/1.jpg"])


@dataclass(frozen=True)
class Published:
    slug: str
    ce_id: str
    partition: int
    offset: int


@pytest.fixture(scope="module")
def producer() -> Iterator[Producer]:
    producer = Producer({"bootstrap.servers": KAFKA, "enable.idempotence": True, "linger.ms": 0})
    yield producer
    producer.flush(10)


def produce(producer: Producer, key: str, payload: bytes, headers: dict[str, str]) -> tuple[int, int]:
    delivered: list[tuple[int, int]] = []

    def on_delivery(err: Any, msg: Any) -> None:
        assert err is None, err
        delivered.append((msg.partition(), msg.offset()))

    producer.produce(TOPIC, key=key.encode(), value=payload, headers=list(headers.items()), on_delivery=on_delivery)
    assert producer.flush(10) == 0 and delivered
    return delivered[0]


def publish_event(producer: Producer, ev: event_pb.Event, *, version: int = 1, ce_id: str = "") -> Published:
    """EventPublished as the outbox writes it (services/runtime/messaging/envelope.wrap);
    `ce_id` replays an earlier message."""
    envelope = wrap(TOPIC, ev.slug, events_pb2.EventPublished(event=ev, version=version), SOURCE)
    headers = {**envelope.headers, "ce_id": ce_id or envelope.ce_id}
    partition, offset = produce(producer, ev.slug, envelope.payload, headers)
    return Published(ev.slug, headers["ce_id"], partition, offset)


def wait_consumed(published: Published, timeout: float = 10.0) -> None:
    """Until the indexer has committed past the message (handled or skipped as a duplicate)."""
    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": INDEXER_GROUP, "enable.auto.commit": False})
    try:
        deadline = time.monotonic() + timeout
        while True:
            [committed] = consumer.committed([TopicPartition(TOPIC, published.partition)], timeout=5)
            if committed.offset > published.offset:
                return
            assert time.monotonic() < deadline, f"indexer did not get past {published}"
            time.sleep(0.05)
    finally:
        consumer.close()


def search(http: httpx.Client, **params: Any) -> dict[str, Any]:
    reply = http.get("/api/v1/search", params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def found(http: httpx.Client, **params: Any) -> list[str]:
    return [h["slug"] for h in search(http, perPage=100, **params)["hits"]]


def wait_until(http: httpx.Client, condition: Any, timeout: float, **params: Any) -> float:
    """Seconds until `condition(response)` holds for a search; fails after `timeout`."""
    started = time.monotonic()
    while True:
        body = search(http, **params)
        elapsed = time.monotonic() - started
        if condition(body):
            return elapsed
        assert elapsed < timeout, f"search {params} never satisfied the condition: {body}"
        time.sleep(0.05)


def overlaps(ev: event_pb.Event, w: Window) -> bool:
    return any(s.end_time.ToDatetime(tzinfo=UTC) > w.start
               and (w.end is None or s.start_time.ToDatetime(tzinfo=UTC) < w.end) for s in ev.sessions)


@dataclass(frozen=True)
class Catalog:
    word: str
    events: dict[str, event_pb.Event]  # by role
    ended: event_pb.Event

    def slug(self, role: str) -> str:
        return self.events[role].slug

    def where(self, w: Window) -> set[str]:
        return {e.slug for e in self.events.values() if overlaps(e, w)}


@pytest.fixture(scope="module")
def catalog(producer: Producer, http: httpx.Client) -> Catalog:
    word = made_up_word()
    today, tomorrow, weekend = (window(NOW, when=w) for w in ("today", "tomorrow", "weekend"))
    assert today.end and tomorrow.end and weekend.end
    in_weekend = weekend.start + (weekend.end - weekend.start) / 3
    in_a_month = NOW + timedelta(days=30)
    events = {
        # Running now and over by midnight (Moscow): in "today" only.
        "art": event(f"Выставка современных художников {word}", category="exhibition",
                     starts=(NOW - timedelta(hours=1),),
                     hours=(min(NOW + timedelta(hours=1), today.end) - NOW).total_seconds() / 3600 + 1),
        "organ": event(f"Концерт органной музыки {word}", city="spb", lat=59.9343, lon=30.3351,
                       starts=(tomorrow.start + timedelta(hours=12),)),
        "jazz": event(f"Джазовый концерт под открытым небом {word}", is_free=True, starts=(in_weekend,),
                      hours=min(2.0, (weekend.end - in_weekend).total_seconds() / 3600)),
        "turnip": event(f"Спектакль «Репка» {word}", category="kids", is_free=True, starts=(in_a_month,)),
        "roofs": event(f"Прогулка по крышам {word}", category="tour", city="spb", kids=True, lat=TEST_LAT,
                       lon=TEST_LON, starts=(NOW + timedelta(days=3),),
                       description="Художник-реставратор расскажет об истории домов."),
    }
    ended = event(f"Лекция, которая уже закончилась {word}", category="lecture", starts=(NOW - timedelta(days=1),))
    for ev in (ended, *events.values()):
        publish_event(producer, ev)
    wait_until(http, lambda body: body["total"] == len(events), 10, q=word)
    return Catalog(word, events, ended)


def test_published_event_is_searchable_within_two_seconds(producer: Producer, http: httpx.Client) -> None:
    word = made_up_word()
    started = time.monotonic()
    ev = publish_event(producer, event(f"Вечер камерной музыки {word}"))
    wait_until(http, lambda body: [h["slug"] for h in body["hits"]] == [ev.slug], FRESHNESS_SECONDS, q=word)
    assert time.monotonic() - started < FRESHNESS_SECONDS


def test_words_match_in_other_forms_with_typos_and_while_typing(http: httpx.Client, catalog: Catalog) -> None:
    w, art = catalog.word, catalog.slug("art")
    assert found(http, q=f"художник {w}")[0] == art  # morphology; the title outranks "roofs"' description
    assert set(found(http, q=f"художник {w}")) == {art, catalog.slug("roofs")}
    assert found(http, q=f"выставкаа {w}") == [art]  # typo
    assert found(http, q=f"выствка {w}") == [art]
    assert set(found(http, q=f"конц {w}")) == {catalog.slug("organ"), catalog.slug("jazz")}  # prefix
    assert found(http, q=w[:6]) == found(http, q=w)


def test_hits_carry_the_card_and_highlights(http: httpx.Client, catalog: Catalog) -> None:
    [hit] = search(http, q=f"органной {catalog.word}")["hits"]
    organ = catalog.events["organ"]
    assert hit["slug"] == organ.slug and hit["title"] == organ.title
    assert (hit["category"], hit["city"], hit["tags"]) == ("concert", "spb", ["тест"])
    assert (hit["lat"], hit["lon"], hit["priceMin"], hit["priceMax"]) == (59.9343, 30.3351, 500, 900)
    assert hit["nextStartTime"] == organ.sessions[0].start_time.ToJsonString()
    assert hit["image"] == f"events/{organ.slug}/1.jpg" and hit["score"] > 0
    assert hit["highlights"]["title"] == f"Концерт <mark>органной</mark> музыки <mark>{catalog.word}</mark>"


def test_ended_events_are_indexed_but_never_found(http: httpx.Client, catalog: Catalog) -> None:
    with psycopg.connect(database_url("search")) as conn:
        assert conn.execute("SELECT 1 FROM documents WHERE slug = %s", (catalog.ended.slug,)).fetchone()
    assert catalog.ended.slug not in found(http, q=catalog.word)
    assert found(http, q=f"лекция {catalog.word}") == []


@pytest.mark.parametrize(("params", "roles"), [
    ({"category": "concert"}, {"organ", "jazz"}),
    ({"category": ["concert", "kids"]}, {"organ", "jazz", "turnip"}),  # repeated: any of
    ({"isFree": "true"}, {"jazz", "turnip"}),
    ({"isFree": "false"}, {"art", "organ", "roofs"}),
    ({"kids": "true"}, {"turnip", "roofs"}),  # category kids, or the kids flag
    ({"city": "spb"}, {"organ", "roofs"}),
    ({"lat": TEST_LAT, "lon": TEST_LON, "radius": 2000}, {"roofs"}),
    ({"lat": 59.9343, "lon": 30.3351}, {"organ"}),  # default radius 5 km
])
def test_filters(http: httpx.Client, catalog: Catalog, params: dict[str, Any], roles: set[str]) -> None:
    assert set(found(http, q=catalog.word, **params)) == {catalog.slug(r) for r in roles}


@pytest.mark.parametrize("when", ["today", "tomorrow", "weekend", "week"])
def test_when(http: httpx.Client, catalog: Catalog, when: str) -> None:
    expected = catalog.where(window(datetime.now(UTC), when=when))
    assert set(found(http, q=catalog.word, when=when)) == expected


def test_date_range(http: httpx.Client, catalog: Catalog) -> None:
    # Dates are Moscow days (window() itself keeps `now` in UTC, so its tzinfo says nothing).
    session = catalog.events["turnip"].sessions[0]
    first_day = session.start_time.ToDatetime(tzinfo=UTC).astimezone(CITY_TZ).date()
    last_day = session.end_time.ToDatetime(tzinfo=UTC).astimezone(CITY_TZ).date()  # past midnight when late
    params = {"dateFrom": first_day.isoformat(), "dateTo": first_day.isoformat()}
    assert found(http, q=catalog.word, **params) == [catalog.slug("turnip")]
    assert found(http, q=catalog.word, dateFrom=(last_day + timedelta(days=1)).isoformat()) == []


def test_browse_with_filters_is_soonest_first(http: httpx.Client, catalog: Catalog) -> None:
    body = search(http, city="spb", perPage=100)
    starts = [h["nextStartTime"] for h in body["hits"]]
    assert starts == sorted(starts) and body["total"] >= 2
    assert all(h["city"] == "spb" for h in body["hits"])


def test_pages(http: httpx.Client, catalog: Catalog) -> None:
    everything = found(http, q=catalog.word)
    first = search(http, q=catalog.word, perPage=2)
    second = search(http, q=catalog.word, page=2, per_page=2)  # snake_case works too
    third = search(http, q=catalog.word, page="3", perPage="2")
    assert [(b["page"], b["perPage"], b["total"]) for b in (first, second, third)] == [(1, 2, 5), (2, 2, 5), (3, 2, 5)]
    assert [h["slug"] for b in (first, second, third) for h in b["hits"]] == everything
    assert search(http, q=catalog.word, page=4, perPage=2)["hits"] == []
    assert search(http, q=catalog.word)["perPage"] == 20


def test_facets_count_all_matches(http: httpx.Client, catalog: Catalog) -> None:
    facets = search(http, q=catalog.word, perPage=1)["facets"]
    as_dict = {name: {v["value"]: v["count"] for v in values} for name, values in facets.items()}
    assert as_dict == {
        "category": {"concert": 2, "exhibition": 1, "kids": 1, "tour": 1},
        "isFree": {"true": 2, "false": 3},
        "kids": {"true": 2, "false": 3},
    }


@pytest.mark.parametrize(("params", "field"), [
    ({"perPage": 1000}, "perPage"),
    ({"page": 5000}, "page"),
    ({"when": "yesterday"}, "when"),
    ({"dateFrom": "bad"}, "dateFrom"),
    ({"dateFrom": "2026-02-30"}, "dateFrom"),
    ({"dateFrom": "2030-01-10", "dateTo": "2030-01-01"}, "dateTo"),
    ({"category": "opera"}, "category"),
    ({"city": "kazan"}, "city"),
    ({"lat": 100, "lon": 37}, "lat"),
    ({"q": "я" * 201}, "q"),
])
def test_bad_input_is_400_naming_the_field(http: httpx.Client, params: dict[str, Any], field: str) -> None:
    reply = http.get("/api/v1/search", params=params)
    assert reply.status_code == 400, reply.text
    details = reply.json()["details"]
    assert any(d.get("metadata", {}).get("field") == field for d in details), details


def test_replays_and_older_versions_change_nothing(producer: Producer, http: httpx.Client) -> None:
    word = made_up_word()
    slug = f"search-e2e-{uuid.uuid4().hex[:12]}"
    v2 = publish_event(producer, event(f"Вторая редакция {word}", slug=slug), version=2)
    wait_until(http, lambda body: body["total"] == 1, FRESHNESS_SECONDS, q=word)

    replay = publish_event(producer, event(f"Вторая редакция {word}", slug=slug), version=2, ce_id=v2.ce_id)
    older = publish_event(producer, event(f"Первая редакция {word}", slug=slug), version=1)
    wait_consumed(replay)
    wait_consumed(older)
    assert [h["title"] for h in search(http, q=word)["hits"]] == [f"Вторая редакция {word}"]

    publish_event(producer, event(f"Третья редакция {word}", slug=slug), version=3)
    wait_until(http, lambda body: [h["title"] for h in body["hits"]] == [f"Третья редакция {word}"],
               FRESHNESS_SECONDS, q=word)


def test_undecodable_messages_go_to_the_dead_letter_topic(producer: Producer) -> None:
    key, ce_id = f"search-e2e-poison-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    ce_type = events_pb2.EventPublished.DESCRIPTOR.full_name
    produce(producer, key, b"\xff\xff\xff\xff", {"ce_id": ce_id, "ce_type": ce_type})
    records = read_topic(f"{TOPIC}.dlq", key=key, until=lambda rs: any(
        r.ce_id == ce_id and r.headers.get("dlq_consumer") == INDEXER_GROUP for r in rs))
    assert any(r.ce_id == ce_id and r.headers.get("dlq_consumer") == INDEXER_GROUP for r in records)
