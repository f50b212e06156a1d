"""search-service without I/O: decoding event.published, the result cache, the search
use case with a fake index."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from kulturago.event.v1 import event_service_pb2 as event_pb
from kulturago.event.v1 import events_pb2
from kulturago.search.v1 import search_service_pb2 as pb
from services.runtime.invalidation import InvalidatedCache as ResultCache
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.search.domain.model import Document, GeoPoint, Highlights, Hit, SearchQuery, SearchResults
from services.search.domain.query import SearchParams, parse
from services.search.entrypoints.grpc_api import params_from_proto, render
from services.search.entrypoints.indexer import CE_TYPE, decode
from services.search.service_layer.searching import Searcher

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def _published(version: int = 3, **event: object) -> bytes:
    fields: dict[str, Any] = {
        "slug": "dzhaz-1", "title": "Джазовый вечер", "category": "concert", "city": "spb", "tags": ["Джаз"],
        "place": event_pb.Place(name="Клуб", address="Невский, 1", lat=59.93, lon=30.33),
        "sessions": [event_pb.Session(start_time=_ts(NOW), end_time=_ts(NOW + timedelta(hours=2)))],
        "price": event_pb.PriceRange(min=500, max=900), "images": ["events/dzhaz-1/1.jpg", "events/dzhaz-1/2.jpg"],
        **event,
    }
    return events_pb2.EventPublished(event=event_pb.Event(**fields), version=version).SerializeToString()


def _received(payload: bytes, ce_type: str = CE_TYPE) -> ReceivedEvent:
    return ReceivedEvent("event.published", b"dzhaz-1", payload, {"ce_id": "1", "ce_type": ce_type})


def test_decode_maps_the_event_to_a_document() -> None:
    doc = decode(_received(_published()))
    assert (doc.slug, doc.version, doc.title, doc.city, doc.tags) == ("dzhaz-1", 3, "Джазовый вечер", "spb", ("джаз",))
    assert doc.location == GeoPoint(59.93, 30.33)
    assert doc.sessions[0].start == NOW and doc.sessions[0].end == NOW + timedelta(hours=2)
    assert (doc.price_min, doc.price_max, doc.image) == (500, 900, "events/dzhaz-1/1.jpg")


def test_zero_coordinates_mean_no_location() -> None:
    doc = decode(_received(_published(place=event_pb.Place(name="Онлайн"))))
    assert doc.location is None


@pytest.mark.parametrize("received", [
    _received(b"\xff\xff\xff\xff"),
    _received(_published(), ce_type="kulturago.auth.v1.UserSignedUp"),
    _received(_published(slug="")),
    _received(_published(version=0)),
])
def test_messages_that_can_never_be_indexed_are_poison(received: ReceivedEvent) -> None:
    with pytest.raises(PoisonMessage):
        decode(received)


def test_request_mapping_keeps_absent_optionals_absent() -> None:
    params = params_from_proto(pb.SearchRequest(q="джаз", per_page=5, category=["concert"], kids=False, lat=1, lon=2))
    assert params == SearchParams(q="джаз", per_page=5, categories=("concert",), kids=False, lat=1.0, lon=2.0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cache_serves_until_the_index_changes_or_the_ttl_passes() -> None:
    clock = Clock()
    cache = ResultCache(max_entries=2, ttl_seconds=30, clock=clock)
    assert cache.lookup("a") == (None, None)  # not following index changes yet: no caching
    cache.set_listening(True)
    generation, value = cache.lookup("a")
    assert value is None
    cache.store("a", generation, b"A")
    assert cache.lookup("a")[1] == b"A"
    cache.invalidate()  # a committed index change
    assert cache.lookup("a")[1] is None
    cache.store("a", generation, b"stale")  # computed before the change: dropped
    assert cache.lookup("a")[1] is None
    generation = cache.lookup("a")[0]
    cache.store("a", generation, b"A2")
    clock.now = 31
    assert cache.lookup("a")[1] is None


def test_cache_keeps_the_most_recently_used() -> None:
    cache = ResultCache(max_entries=2, ttl_seconds=30, clock=Clock())
    cache.set_listening(True)
    for key in ("a", "b"):
        cache.store(key, cache.lookup(key)[0], key.encode())
    cache.lookup("a")
    cache.store("c", cache.lookup("c")[0], b"c")
    assert [cache.lookup(k)[1] for k in ("a", "b", "c")] == [b"a", None, b"c"]


class FakeIndex:
    def __init__(self) -> None:
        self.queries: list[SearchQuery] = []

    async def upsert(self, document: Document) -> bool:
        return True

    async def search(self, query: SearchQuery) -> SearchResults:
        self.queries.append(query)
        hit = Hit(slug="s", title="T", category="concert", tags=(), city="spb", place_name="", place_address="",
                  location=None, next_start=NOW, is_free=False, kids=False, price_min=0, price_max=0,
                  age_restriction=0, image="", score=0.5, highlights=Highlights("<mark>T</mark>", ""))
        return SearchResults(hits=(hit,), total=1)


async def test_search_use_case_caches_the_rendered_answer() -> None:
    index, cache = FakeIndex(), ResultCache(max_entries=10, ttl_seconds=30)
    cache.set_listening(True)
    searcher = Searcher(index, cache, clock=lambda: NOW)
    first = await searcher.search(SearchParams(q="джаз", per_page=5), render)
    again = await searcher.search(SearchParams(q="Джаз!", per_page=5), render)
    assert first == again and len(index.queries) == 1
    reply = pb.SearchResponse.FromString(first)
    assert (reply.total, reply.page, reply.per_page, reply.hits[0].highlights.title) == (1, 1, 5, "<mark>T</mark>")


async def test_a_window_in_the_past_matches_nothing_without_asking_the_index() -> None:
    index = FakeIndex()
    searcher = Searcher(index, ResultCache(max_entries=0, ttl_seconds=30), clock=lambda: NOW)
    reply = pb.SearchResponse.FromString(await searcher.search(SearchParams(date_to="2026-11-01"), render))
    assert reply.total == 0 and not reply.hits and not index.queries


class SlowIndex(FakeIndex):
    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def search(self, query: SearchQuery) -> SearchResults:
        await self.release.wait()
        return await super().search(query)


async def test_concurrent_identical_searches_run_once() -> None:
    index = SlowIndex()
    searcher = Searcher(index, ResultCache(max_entries=0, ttl_seconds=30), clock=lambda: NOW)
    waiting = [asyncio.create_task(searcher.search(SearchParams(q="джаз"), render)) for _ in range(5)]
    other = asyncio.create_task(searcher.search(SearchParams(q="орган"), render))
    await asyncio.sleep(0)
    waiting[0].cancel()  # one client gives up: the others still get the answer
    index.release.set()
    answers = await asyncio.gather(*waiting[1:], other)
    assert len(set(answers[:-1])) == 1 and len(index.queries) == 2


def test_a_capped_count_is_rendered_as_a_lower_bound() -> None:
    query = parse(SearchParams(q="концерт"), NOW)
    reply = pb.SearchResponse.FromString(render(query, SearchResults(hits=(), total=300, total_is_lower_bound=True)))
    assert (reply.total, reply.total_is_lower_bound) == (300, True)
    exact = pb.SearchResponse.FromString(render(query, SearchResults(hits=(), total=12)))
    assert (exact.total, exact.total_is_lower_bound) == (12, False)
