"""The bounds of a search (services/search/adapters/pg_statement.py) on a scratch database
with 5k documents matching one word: the rank window still puts an exact title match
first, counting stops at the cap with a lower bound over the soonest matches, browsing
walks the next-session index, and the refresh keeps stored next sessions current."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import database_url
from psycopg_pool import AsyncConnectionPool

from services.runtime.db import migrate, open_pool
from services.search.adapters.pg_index import LIMITS, PostgresSearchIndex
from services.search.adapters.pg_statement import Limits
from services.search.domain.model import Document, GeoPoint, SearchResults, Session, make_document
from services.search.domain.query import SearchParams, parse

MIGRATIONS = Path(__file__).parents[2] / "services" / "search" / "migrations"
WORD = "ыкгмозаика"  # in every document of this module, in no other text
MATCHES = 5000
SOON = 600  # of them start within the soon horizon (3 days): more than the default cap
NOW = datetime.now(UTC)
EXACT = f"{WORD}-title"


def _doc(slug: str, title: str, start: datetime, *, description: str = "", category: str = "concert",
         hours: float = 2, extra: tuple[datetime, ...] = ()) -> Document:
    return make_document(
        slug=slug, version=1, title=title, description=description, category=category, tags=(), city="moscow",
        place_name="Площадка", place_address="ул. Тестовая, 1", location=GeoPoint(55.75, 37.62),
        sessions=tuple(Session(s, s + timedelta(hours=hours)) for s in (start, *extra)), is_free=False, kids=False,
        price_min=500, price_max=900, age_restriction=0, image="")


def _corpus() -> Iterator[Document]:
    """WORD in the descriptions only (rank 0 with ts_rank_cd), SOON of them within two
    days, the rest over the next 50; one document has it as its title and starts last."""
    for i in range(MATCHES):
        start = NOW + (timedelta(hours=2 + i % 40) if i < SOON else timedelta(days=4 + i % 46, hours=i % 24))
        yield _doc(f"limits-{i}", f"Событие номер {i}", start, description=f"Программа вечера: {WORD} и музыка.",
                   category=("concert", "lecture", "tour")[i % 3])
    yield _doc(EXACT, f"{WORD.capitalize()}", NOW + timedelta(days=55), description="Большая выставка.")


@pytest.fixture(scope="module")
def search_database() -> Iterator[str]:
    name = f"test_search_limits_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def pool(search_database: str) -> AsyncIterator[AsyncConnectionPool]:
    await migrate(search_database, MIGRATIONS)
    pool = await open_pool(search_database, min_size=1, max_size=2)
    index = PostgresSearchIndex(pool)
    await index.bulk_upsert(_corpus())
    await index.vacuum()
    yield pool
    await pool.close()


async def search(index: PostgresSearchIndex, **params: Any) -> SearchResults:
    return await index.search(parse(SearchParams(**params), datetime.now(UTC)))


async def test_the_rank_window_puts_an_exact_title_match_first_among_5k_matches(pool: AsyncConnectionPool) -> None:
    # Every match counted (no cap in the way), ts_rank_cd for 200 of them: the first
    # phase takes title matches first, so the one that starts last still makes it.
    index = PostgresSearchIndex(pool, limits=Limits(count_cap=10_000, rank_window=200, rescore=20))
    results = await search(index, q=WORD)
    assert (results.total, results.total_is_lower_bound) == (MATCHES + 1, False)
    assert results.hits[0].slug == EXACT and results.hits[0].score > results.hits[1].score
    rest = [h.next_start for h in results.hits[1:]]
    assert rest == sorted(rest)  # equal rank (description only): soonest first


async def test_past_the_cap_the_total_is_a_lower_bound_over_the_soonest_matches(pool: AsyncConnectionPool) -> None:
    results = await search(PostgresSearchIndex(pool), q=WORD, per_page=100)
    assert (results.total, results.total_is_lower_bound) == (LIMITS.count_cap, True)
    assert sum(c.count for c in results.facets.category) == LIMITS.count_cap
    horizon = datetime.now(UTC) + timedelta(days=3)
    assert all(h.next_start is not None and h.next_start < horizon for h in results.hits)


async def test_filters_below_the_cap_stay_exact(pool: AsyncConnectionPool) -> None:
    index = PostgresSearchIndex(pool, limits=Limits(count_cap=10_000, rank_window=50, rescore=10))
    tours = await search(index, q=WORD, categories=("tour",))
    assert (tours.total, tours.total_is_lower_bound) == (MATCHES // 3, False)
    assert [c.value for c in tours.facets.category] == ["tour"]
    tomorrow = await search(index, q=WORD, when="tomorrow")
    assert 0 < tomorrow.total < SOON and not tomorrow.total_is_lower_bound


async def test_browsing_past_the_cap_is_still_the_soonest_first(pool: AsyncConnectionPool) -> None:
    index = PostgresSearchIndex(pool, limits=Limits(count_cap=50, rank_window=0, rescore=0))
    results = await search(index, categories=("concert",), per_page=30)
    assert results.total_is_lower_bound and len(results.hits) == 30
    soonest = ("SELECT slug FROM documents WHERE category = 'concert' AND upper(sessions) > now() "
               "ORDER BY (SELECT lower(r) FROM unnest(sessions) r WHERE upper(r) > now() LIMIT 1), slug LIMIT 30")
    async with pool.connection() as conn:
        rows = await (await conn.execute(soonest)).fetchall()
    assert [h.slug for h in results.hits] == [r["slug"] for r in rows]


async def test_the_refresh_catches_up_with_sessions_that_ended(pool: AsyncConnectionPool) -> None:
    index = PostgresSearchIndex(pool)
    ended, later = NOW - timedelta(hours=3), NOW + timedelta(days=1)
    slug = f"refresh-{uuid.uuid4().hex[:8]}"
    assert await index.upsert(_doc(slug, f"Двойной сеанс {WORD}", ended, hours=1, extra=(later,)))
    # As if written before the first session ended: the stored next session is stale.
    async with pool.connection() as conn:
        await conn.execute("UPDATE documents SET next_start = %s, next_end = %s, soon = false WHERE slug = %s",
                           (ended, ended + timedelta(hours=1), slug))
    hit = (await search(index, q=f"двойной {WORD}")).hits[0]
    assert hit.slug == slug and hit.next_start == later  # exact without the refresh
    assert await index.refresh_next_sessions() >= 1
    async with pool.connection() as conn:
        row = await (await conn.execute("SELECT next_start, soon FROM documents WHERE slug = %s", (slug,))).fetchone()
    assert row == {"next_start": later, "soon": True}
