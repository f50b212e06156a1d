"""The PostgreSQL search index (services/search/adapters/pg_index.py) on a scratch
database: matching (morphology, typos, prefixes), ranking, filters, facets, paging,
highlights, the replay rule and the plans at a few thousand documents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import database_url
from psycopg_pool import AsyncConnectionPool

from kgo.demo_city import generate_events
from services.runtime.db import migrate, open_pool
from services.runtime.invalidation import InvalidatedCache as ResultCache
from services.runtime.time_windows import CITY_TZ, window
from services.search.adapters.pg_index import PostgresSearchIndex
from services.search.domain.model import Document, GeoPoint, SearchResults, Session, make_document
from services.search.domain.query import SearchParams, parse

MIGRATIONS = Path(__file__).parents[2] / "services" / "search" / "migrations"
MARK = "ыкгтест"  # in the titles of this module's own documents, in no demo event
DEMO_EVENTS = 3000
NOW = datetime.now(UTC)
TOMORROW_NOON = window(NOW, when="tomorrow").start + timedelta(hours=12)
KREMLIN = GeoPoint(55.75, 37.62)
# Running now and ending by midnight (Moscow): in "today", not in "tomorrow".
RUNNING = (NOW - timedelta(hours=1), min(NOW + timedelta(hours=1), window(NOW, when="today").end or NOW))


def _doc(slug: str, title: str, *, category: str = "concert", description: str = "", tags: tuple[str, ...] = (),
         city: str = "moscow", starts: tuple[datetime, ...] = (TOMORROW_NOON,), hours: float = 2,
         is_free: bool = False, kids: bool = False, location: GeoPoint | None = KREMLIN,
         version: int = 1, place_name: str = "Площадка") -> Document:
    return make_document(
        slug=slug, version=version, title=title, description=description, category=category, tags=tags,
        city=city, place_name=place_name, place_address="ул. Тестовая, 1", location=location,
        sessions=tuple(Session(s, s + timedelta(hours=hours)) for s in starts), is_free=is_free, kids=kids,
        price_min=0 if is_free else 500, price_max=0 if is_free else 900, age_restriction=0, image=f"{slug}.jpg")


CORPUS = (
    _doc("art", f"Выставка современных художников {MARK}", category="exhibition", tags=("выставка",),
         description="Живопись и графика.", starts=(RUNNING[0],),
         hours=(RUNNING[1] - RUNNING[0]).total_seconds() / 3600),
    _doc("organ", f"Концерт органной музыки {MARK}", city="spb", tags=("орган",),
         starts=(TOMORROW_NOON, TOMORROW_NOON + timedelta(days=3))),
    _doc("jazz", f"Джазовый концерт в саду {MARK}", is_free=True, starts=(NOW + timedelta(days=5),)),
    _doc("library", f"Вечер в библиотеке {MARK}", category="lecture",
         description="Поговорим о том, как работает художник с натурой."),
    _doc("turnip", f"Спектакль «Репка» {MARK}", category="kids", is_free=True, starts=(NOW + timedelta(days=2),)),
    _doc("family-tour", f"Прогулка по парку {MARK}", category="tour", kids=True, starts=(NOW + timedelta(days=3),),
         location=GeoPoint(59.95, 30.30), city="spb"),
    _doc("ended", f"Концерт, который уже прошёл {MARK}", starts=(NOW - timedelta(days=1),)),
    _doc("html", f"Шоу <b>фокусов</b> & магии {MARK}", category="standup", starts=(NOW + timedelta(days=4),)),
)


@pytest.fixture(scope="module")
def search_database() -> Iterator[str]:
    name = f"test_search_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _demo_document(e: Any) -> Document:
    return make_document(
        slug=f"demo-{e.slug}", version=1, title=e.title, description=e.description, category=e.category,
        tags=e.tags, city=e.city, place_name=e.place.name, place_address=e.place.address,
        location=GeoPoint(e.place.lat, e.place.lon), sessions=tuple(Session(s.start, s.end) for s in e.sessions),
        is_free=e.is_free, kids=e.kids, price_min=e.price_min, price_max=e.price_max,
        age_restriction=e.age_restriction, image=e.images[0])


@pytest.fixture(scope="module")
async def pool(search_database: str) -> AsyncIterator[AsyncConnectionPool]:
    await migrate(search_database, MIGRATIONS)
    pool = await open_pool(search_database, min_size=1, max_size=4)
    index = PostgresSearchIndex(pool)
    await index.bulk_upsert(_demo_document(e) for e in generate_events(DEMO_EVENTS, start=date.today()))
    for doc in CORPUS:
        assert await index.upsert(doc)
    await index.vacuum()
    yield pool
    await pool.close()


@pytest.fixture
def index(pool: AsyncConnectionPool) -> PostgresSearchIndex:
    return PostgresSearchIndex(pool)


async def search(index: PostgresSearchIndex, **params: Any) -> SearchResults:
    return await index.search(parse(SearchParams(**params), datetime.now(UTC)))


async def slugs(index: PostgresSearchIndex, **params: Any) -> list[str]:
    return [h.slug for h in (await search(index, **{"per_page": 100, **params})).hits]


async def test_morphology_finds_other_forms(index: PostgresSearchIndex) -> None:
    assert "art" in await slugs(index, q="художник")
    assert "art" in await slugs(index, q="Современные художники")


async def test_typos_find_the_intended_word(index: PostgresSearchIndex) -> None:
    assert "art" in await slugs(index, q=f"выставкаа {MARK}")
    assert "art" in await slugs(index, q=f"выствка {MARK}")
    assert set(await slugs(index, q=f"концрет {MARK}")) >= {"organ", "jazz"}


async def test_prefixes_match_while_typing(index: PostgresSearchIndex) -> None:
    assert set(await slugs(index, q=f"конц {MARK}")) == {"organ", "jazz"}
    assert "art" in await slugs(index, q="выстав")


async def test_title_match_ranks_above_description_only_match(index: PostgresSearchIndex) -> None:
    found = await slugs(index, q=f"художник {MARK}")
    assert found == ["art", "library"]
    hits = (await search(index, q=f"художник {MARK}")).hits
    assert hits[0].score > hits[1].score


async def test_ties_go_to_the_soonest(index: PostgresSearchIndex) -> None:
    assert await slugs(index, q=MARK, categories=("concert",)) == ["organ", "jazz"]


async def test_ended_events_are_not_found(index: PostgresSearchIndex) -> None:
    assert "ended" not in await slugs(index, q=MARK)
    # ...but a running session counts: "art" started an hour ago and ends later.
    assert "art" in await slugs(index, q=MARK, when="today")


async def test_facets_count_every_match_not_just_the_page(index: PostgresSearchIndex) -> None:
    results = await search(index, q=MARK, per_page=2)
    assert len(results.hits) == 2 and results.total == 7
    assert {c.value: c.count for c in results.facets.category} == {
        "concert": 2, "exhibition": 1, "lecture": 1, "kids": 1, "tour": 1, "standup": 1}
    assert {c.value: c.count for c in results.facets.is_free} == {"true": 2, "false": 5}
    assert {c.value: c.count for c in results.facets.kids} == {"true": 2, "false": 5}
    assert results.facets.category[0].value == "concert"  # largest first


@pytest.mark.parametrize(("params", "expected"), [
    ({"categories": ("concert", "lecture")}, {"organ", "jazz", "library"}),
    ({"is_free": True}, {"jazz", "turnip"}),
    ({"is_free": False}, {"art", "organ", "library", "family-tour", "html"}),
    ({"kids": True}, {"turnip", "family-tour"}),  # category kids, or the kids flag
    ({"city": "spb"}, {"organ", "family-tour"}),
    ({"when": "tomorrow"}, {"organ", "library"}),
    ({"lat": 59.95, "lon": 30.30, "radius": 1000}, {"family-tour"}),
])
async def test_filters(index: PostgresSearchIndex, params: dict[str, Any], expected: set[str]) -> None:
    assert set(await slugs(index, q=MARK, **params)) == expected


async def test_date_range_is_inclusive(index: PostgresSearchIndex) -> None:
    day = (NOW + timedelta(days=5)).astimezone(CITY_TZ).date().isoformat()  # the Moscow day jazz starts
    assert "jazz" in await slugs(index, q=MARK, date_from=day, date_to=day)


async def test_pages_partition_the_ordered_matches(index: PostgresSearchIndex) -> None:
    everything = await slugs(index, q=MARK)
    pages = [await slugs(index, q=MARK, page=p, per_page=3) for p in (1, 2, 3)]
    assert [s for page in pages for s in page] == everything
    assert [len(p) for p in pages] == [3, 3, 1]
    assert await slugs(index, q=MARK, page=4, per_page=3) == []


async def test_browse_is_soonest_first(index: PostgresSearchIndex) -> None:
    results = await search(index, categories=("concert",), per_page=50)
    starts = [h.next_start for h in results.hits]
    assert starts == sorted(starts)  # type: ignore[type-var]
    assert results.total > 50 and all(h.highlights.title == "" for h in results.hits)


async def test_highlights_mark_the_matched_words_in_escaped_html(index: PostgresSearchIndex) -> None:
    art = (await search(index, q=f"художник {MARK}")).hits[0]
    assert art.highlights.title == f"Выставка современных <mark>художников</mark> <mark>{MARK}</mark>"
    html = (await search(index, q=f"фокусы {MARK}")).hits[0]
    assert html.highlights.title == (f"Шоу &lt;b&gt;<mark>фокусов</mark>&lt;/b&gt; &amp; магии <mark>{MARK}</mark>")
    assert html.title == f"Шоу <b>фокусов</b> & магии {MARK}"  # the field itself is the plain text


async def test_stop_words_alone_are_a_browse(index: PostgresSearchIndex) -> None:
    assert (await search(index, q="в и на")).total == (await search(index)).total


async def test_only_the_newest_version_counts(index: PostgresSearchIndex) -> None:
    slug = f"versioned-{uuid.uuid4().hex[:8]}"
    assert await index.upsert(_doc(slug, f"Вторая версия {MARK}", version=2))
    assert not await index.upsert(_doc(slug, f"Вторая версия {MARK}", version=2))  # a replay
    assert not await index.upsert(_doc(slug, f"Первая версия {MARK}", version=1))  # late and older
    assert [h.title for h in (await search(index, q=f"версия {MARK}")).hits] == [f"Вторая версия {MARK}"]
    assert await index.upsert(_doc(slug, f"Третья версия {MARK}", version=3))
    assert [h.title for h in (await search(index, q=f"версия {MARK}")).hits] == [f"Третья версия {MARK}"]


async def test_bulk_upsert_follows_the_same_version_rule(index: PostgresSearchIndex) -> None:
    prefix = f"bulk-{uuid.uuid4().hex[:8]}-"
    docs = [_doc(f"{prefix}{i}", f"Пакетное событие {i} {MARK}", version=2) for i in range(3)]
    assert await index.bulk_upsert(docs) == 3
    assert await index.bulk_upsert([_doc(f"{prefix}0", "Старое", version=1)]) == 0
    assert (await search(index, q=f"пакетное {MARK}")).total == 3
    assert await index.delete_prefix(prefix) == 3
    assert (await search(index, q=f"пакетное {MARK}")).total == 0


@pytest.mark.parametrize("q", ["джаз", "конц", "выставка художников"])
async def test_text_search_plans_use_the_gin_index(index: PostgresSearchIndex, q: str) -> None:
    plan = await index.explain(parse(SearchParams(q=q), datetime.now(UTC)))
    assert "Bitmap Index Scan on documents_search_vector" in plan, plan
    assert "Seq Scan on documents" not in plan, plan


async def test_the_vocabulary_cache_follows_index_changes(pool: AsyncConnectionPool) -> None:
    vocabulary = ResultCache(max_entries=100, ttl_seconds=60)
    vocabulary.set_listening(True)  # as if following the index's NOTIFYs
    index = PostgresSearchIndex(pool, vocabulary=vocabulary)
    first = f"vocab-{uuid.uuid4().hex[:8]}"
    assert await index.upsert(_doc(first, f"Ыкгплед {MARK}"))
    assert await slugs(index, q="ыкгпл") == [first]  # "ыкгпл" expands to the lexemes of the vocabulary...
    second = f"vocab-{uuid.uuid4().hex[:8]}"
    assert await index.upsert(_doc(second, f"Ыкгплюшка {MARK}"))
    assert await slugs(index, q="ыкгпл") == [first]  # ...as cached: not the new one yet
    vocabulary.invalidate()  # what the committed upsert's NOTIFY does
    assert set(await slugs(index, q="ыкгпл")) == {first, second}
