"""The SearchIndex port on PostgreSQL: upserts keep the highest version per slug;
a search is one statement for hits + facets, after a token analysis for the words the
vocabulary cache does not hold (see pg_query, pg_statement)."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.types.multirange import Multirange
from psycopg.types.range import Range
from psycopg_pool import AsyncConnectionPool

from services.search.adapters import pg_query
from services.search.adapters.pg_statement import Limits, search_statement
from services.search.domain.model import (
    Document,
    FacetCount,
    Facets,
    GeoPoint,
    Highlights,
    Hit,
    SearchQuery,
    SearchResults,
)
from services.search.service_layer.ports import ResultCache

# Committed index changes are announced here (NOTIFY is delivered on commit only), so
# result caches in every replica can drop what they hold.
CHANGES_CHANNEL = "search_index_changed"
# The bounds of one search (see pg_statement): measured at 100k events on two cores, where
# each match counted costs ~2 µs and each match ranked ~5 µs.
LIMITS = Limits(
    count_cap=300,  # exact totals and facets up to this many matches, lower bounds past it
    rank_window=50,  # ts_rank_cd for this many of the counted matches (title matches, then soonest)
    rescore=20,  # of those, the best that also get trigram similarity (a first page at the default size)
)
MIN_TERM_LENGTH = 3  # shorter words are useless typo targets

_COLUMNS = ("slug", "version", "title", "description", "category", "tags", "city", "place_name",
            "place_address", "lat", "lon", "sessions", "is_free", "kids", "price_min", "price_max",
            "age_restriction", "image")
_COLUMN_LIST = sql.SQL(", ").join(map(sql.Identifier, _COLUMNS))

# The replay rule: an incoming version replaces the stored one only when newer.
_ON_CONFLICT = sql.SQL("ON CONFLICT (slug) DO UPDATE SET {}, indexed_at = now() "
                       "WHERE documents.version < EXCLUDED.version").format(
    sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in _COLUMNS[1:]))

_UPSERT = sql.SQL("INSERT INTO documents ({}) VALUES ({}) {} RETURNING 1").format(
    _COLUMN_LIST, sql.SQL(", ").join(sql.Placeholder(c) for c in _COLUMNS), _ON_CONFLICT)

# Words of title/tags/place for typo correction; sorted so that concurrent indexers
# take the unique-index locks in one order (no deadlocks).
_ADD_TERMS = sql.SQL("""
INSERT INTO search_terms (term)
SELECT DISTINCT w FROM {source},
     unnest(tsvector_to_array(to_tsvector('simple', search_fold(
         concat_ws(' ', title, array_to_string(tags, ' '), place_name))))) AS w
WHERE char_length(w) >= {min_length}
ORDER BY w
ON CONFLICT DO NOTHING
""")

# Every lexeme the documents can be matched by: what a query prefix expands to (see
# pg_query.ANALYZE_TOKENS). Sorted like _ADD_TERMS; never pruned (a lexeme that no
# longer matches anything costs one empty posting-list lookup).
_ADD_LEXEMES = sql.SQL("""
INSERT INTO search_lexemes (lexeme)
SELECT DISTINCT l FROM documents d, unnest(tsvector_to_array(d.search_vector)) AS l
WHERE d.slug IN ({slugs})
ORDER BY l
ON CONFLICT DO NOTHING
""")

# Time moves on: rows whose stored next session is over, or that entered the soon
# horizon, get their next session and soon flag again. One refresher at a time (the
# others skip): concurrent ones would only wait on each other's row locks.
_REFRESH_LOCK = 0x5EA7C4  # pg_advisory_xact_lock key of the refresh
_REFRESH = sql.SQL("""
UPDATE documents d
SET next_start = lower(n.next), next_end = upper(n.next), soon = search_is_soon(lower(n.next))
FROM (SELECT slug, search_next_session(sessions, now()) AS next FROM documents
      WHERE next_end <= now() OR (NOT soon AND next_start < search_soon_until())) AS n
WHERE d.slug = n.slug
""")


def _row(doc: Document) -> dict[str, Any]:
    return {
        "slug": doc.slug, "version": doc.version, "title": doc.title, "description": doc.description,
        "category": doc.category, "tags": list(doc.tags), "city": doc.city, "place_name": doc.place_name,
        "place_address": doc.place_address,
        "lat": doc.location.lat if doc.location else None, "lon": doc.location.lon if doc.location else None,
        "sessions": Multirange([Range(s.start, s.end, "[)") for s in doc.sessions]),
        "is_free": doc.is_free, "kids": doc.kids, "price_min": doc.price_min, "price_max": doc.price_max,
        "age_restriction": doc.age_restriction, "image": doc.image,
    }


def _hit(h: dict[str, Any]) -> Hit:
    location = GeoPoint(h["lat"], h["lon"]) if h["lat"] is not None and h["lon"] is not None else None
    return Hit(
        slug=h["slug"], title=h["title"], category=h["category"], tags=tuple(h["tags"]), city=h["city"],
        place_name=h["place_name"], place_address=h["place_address"], location=location,
        next_start=datetime.fromisoformat(h["next_start"]) if h["next_start"] else None,
        is_free=h["is_free"], kids=h["kids"], price_min=h["price_min"], price_max=h["price_max"],
        age_restriction=h["age_restriction"], image=h["image"], score=float(h["score"]),
        highlights=Highlights(h["title_highlight"], h["description_highlight"]),
    )


def _largest_first(counts: Counter[str]) -> tuple[FacetCount, ...]:
    return tuple(FacetCount(v, n) for v, n in sorted(counts.items(), key=lambda vn: (-vn[1], vn[0])))


def _facets(rows: list[dict[str, Any]]) -> tuple[Facets, int]:
    """The three facets and the total from the counts by (category, is_free, kids)."""
    category: Counter[str] = Counter()
    is_free: Counter[str] = Counter()
    kids: Counter[str] = Counter()
    for r in rows:
        category[r["category"]] += r["count"]
        is_free["true" if r["is_free"] else "false"] += r["count"]
        kids["true" if r["kids"] else "false"] += r["count"]
    facets = Facets(category=_largest_first(category), is_free=_largest_first(is_free), kids=_largest_first(kids))
    return facets, category.total()


class PostgresSearchIndex:
    def __init__(self, pool: AsyncConnectionPool, *, conn: AsyncConnection[Any] | None = None,
                 limits: Limits = LIMITS, vocabulary: ResultCache | None = None) -> None:
        self._pool = pool
        self._conn = conn
        self._limits = limits
        # What ANALYZE_TOKENS says of each word depends on the vocabulary only, which
        # changes with the index: cached like answers (dropped on every index change),
        # a search whose words were seen before costs one round trip, not two.
        self._vocabulary = vocabulary

    def using(self, conn: AsyncConnection[Any]) -> PostgresSearchIndex:
        """The same index inside the caller's transaction (the inbox consumer's)."""
        return PostgresSearchIndex(self._pool, conn=conn, limits=self._limits, vocabulary=self._vocabulary)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        if self._conn is not None:
            yield self._conn
        else:
            async with self._pool.connection() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection for read-only statements: in autocommit, so a search costs no
        BEGIN/COMMIT round trip; the pool gets the connection back as it lent it."""
        if self._conn is not None:
            yield self._conn
            return
        async with self._pool.connection() as conn:
            await conn.set_autocommit(True)
            try:
                yield conn
            finally:
                await conn.set_autocommit(False)

    async def upsert(self, document: Document) -> bool:
        async with self._connection() as conn:
            applied = await (await conn.execute(_UPSERT, _row(document))).fetchone() is not None
            if applied:
                await conn.execute(_ADD_TERMS.format(
                    source=sql.SQL("(SELECT %(title)s::text AS title, %(tags)s::text[] AS tags, "
                                   "%(place_name)s::text AS place_name) AS doc"),
                    min_length=sql.Literal(MIN_TERM_LENGTH)),
                    {"title": document.title, "tags": list(document.tags), "place_name": document.place_name})
                await conn.execute(_ADD_LEXEMES.format(slugs=sql.SQL("%(slug)s")), {"slug": document.slug})
                await conn.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(CHANGES_CHANNEL)))
        return applied

    async def _statement(self, conn: AsyncConnection[Any], query: SearchQuery) -> tuple[sql.Composed, dict[str, Any]]:
        text = None
        if query.tokens:
            text = pg_query.text_query(await self._token_infos(conn, query.tokens))
        return search_statement(query, text, self._limits)

    async def _token_infos(self, conn: AsyncConnection[Any], tokens: Sequence[str]) -> list[pg_query.TokenInfo]:
        vocabulary = self._vocabulary
        rows: dict[str, dict[str, Any]] = {}
        generations: dict[str, int | None] = dict.fromkeys(tokens)
        if vocabulary is not None:
            for token in tokens:
                generations[token], cached = vocabulary.lookup(token)
                if cached is not None:
                    rows[token] = json.loads(cached)
        if missing := [t for t in tokens if t not in rows]:
            analyzed = await conn.execute(pg_query.ANALYZE_TOKENS, pg_query.analyze_params(missing), prepare=True)
            for row in await analyzed.fetchall():
                rows[row["token"]] = row
                if vocabulary is not None:
                    vocabulary.store(row["token"], generations[row["token"]], json.dumps(row).encode())
        return [pg_query.TokenInfo.from_row(rows[t]) for t in tokens]

    async def search(self, query: SearchQuery) -> SearchResults:
        async with self._reading() as conn:
            statement, params = await self._statement(conn, query)
            # Prepared: one generic plan per statement shape and connection (migration 0002).
            row = await (await conn.execute(statement, params, prepare=True)).fetchone()
        assert row is not None
        facets, total = _facets(row["facets"] or [])
        return SearchResults(hits=tuple(_hit(h) for h in row["hits"]), total=total, facets=facets,
                             total_is_lower_bound=row["more_matches"])

    async def explain(self, query: SearchQuery, *, analyze: bool = False) -> str:
        """The plan of the search statement for `query` (EXPLAIN [ANALYZE]): to check at
        scale that matching runs on the indexes."""
        async with self._reading() as conn:
            statement, params = await self._statement(conn, query)
            explain = sql.SQL("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ")
            rows = await (await conn.execute(explain + statement, params, prepare=False)).fetchall()
        return "\n".join(r["QUERY PLAN"] for r in rows)

    async def bulk_upsert(self, documents: Iterable[Document]) -> int:
        """Many documents in one transaction (seeding, benchmarks): COPY into a staging
        table, then the same versioned upsert as `upsert`. Returns the rows changed."""
        async with self._connection() as conn, conn.transaction():
            await conn.execute(sql.SQL("CREATE TEMP TABLE staging ON COMMIT DROP AS "
                                       "SELECT {} FROM documents WITH NO DATA").format(_COLUMN_LIST))
            async with conn.cursor().copy(sql.SQL("COPY staging ({}) FROM STDIN").format(_COLUMN_LIST)) as copy:
                for doc in documents:
                    row = _row(doc)
                    await copy.write_row([row[c] for c in _COLUMNS])
            changed = (await conn.execute(sql.SQL("INSERT INTO documents ({0}) SELECT {0} FROM staging {1}")
                                          .format(_COLUMN_LIST, _ON_CONFLICT))).rowcount
            await conn.execute(_ADD_TERMS.format(source=sql.SQL("staging"),
                                                 min_length=sql.Literal(MIN_TERM_LENGTH)))
            await conn.execute(_ADD_LEXEMES.format(slugs=sql.SQL("SELECT slug FROM staging")))
            await conn.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(CHANGES_CHANNEL)))
        return changed

    async def refresh_next_sessions(self) -> int:
        """Catch up with the clock (see _REFRESH); returns the rows changed. Searches are
        exact without it: it keeps the soon slice and the browse order current."""
        async with self._connection() as conn, conn.transaction():
            lock = await (await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS taken",
                                             (_REFRESH_LOCK,))).fetchone()
            if lock is None or not lock["taken"]:
                return 0  # another replica is at it
            return (await conn.execute(_REFRESH)).rowcount

    async def delete_prefix(self, prefix: str) -> int:
        """Remove the documents whose slug starts with `prefix` (benchmark datasets)."""
        async with self._connection() as conn:
            deleted = (await conn.execute("DELETE FROM documents WHERE starts_with(slug, %s)", (prefix,))).rowcount
            await conn.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(CHANGES_CHANNEL)))
        return deleted

    async def vacuum(self) -> None:
        """After bulk changes: merge GIN pending lists, refresh statistics and the
        visibility map, so searches plan and run as they will in steady state."""
        async with self._pool.connection() as conn:
            await conn.set_autocommit(True)  # VACUUM cannot run inside a transaction
            try:
                for table in ("documents", "search_terms", "search_lexemes"):
                    await conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
            finally:
                await conn.set_autocommit(False)
