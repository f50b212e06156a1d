"""The SearchIndex port on PostgreSQL: upserts keep the highest version per slug;
searches are two round trips (token analysis, then one statement for hits + facets)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.types.multirange import Multirange
from psycopg.types.range import Range
from psycopg_pool import AsyncConnectionPool

from services.search.adapters import pg_query
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

# Committed index changes are announced here (NOTIFY is delivered on commit only), so
# result caches in every replica can drop what they hold.
CHANGES_CHANNEL = "search_index_changed"
RESCORE_WINDOW = 20  # top matches that also get trigram similarity (a first page at the default size)
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


def _facets(rows: list[dict[str, Any]]) -> tuple[Facets, int]:
    by_facet: dict[str, list[FacetCount]] = {"category": [], "isFree": [], "kids": []}
    total = 0
    for r in rows:
        if r["facet"] == "total":
            total = r["count"]
        else:
            by_facet[r["facet"]].append(FacetCount(r["value"], r["count"]))
    ordered = {k: tuple(sorted(v, key=lambda c: (-c.count, c.value))) for k, v in by_facet.items()}
    return Facets(category=ordered["category"], is_free=ordered["isFree"], kids=ordered["kids"]), total


class PostgresSearchIndex:
    def __init__(self, pool: AsyncConnectionPool, *, conn: AsyncConnection[Any] | None = None,
                 rescore: int = RESCORE_WINDOW) -> None:
        self._pool = pool
        self._conn = conn
        self._rescore = rescore

    def using(self, conn: AsyncConnection[Any]) -> PostgresSearchIndex:
        """The same index inside the caller's transaction (the inbox consumer's)."""
        return PostgresSearchIndex(self._pool, conn=conn, rescore=self._rescore)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        if self._conn is not None:
            yield self._conn
        else:
            async with self._pool.connection() as conn:
                yield conn

    async def upsert(self, document: Document) -> bool:
        async with self._connection() as conn:
            applied = await (await conn.execute(_UPSERT, _row(document))).fetchone() is not None
            if applied:
                await conn.execute(_ADD_TERMS.format(
                    source=sql.SQL("(SELECT %(title)s::text AS title, %(tags)s::text[] AS tags, "
                                   "%(place_name)s::text AS place_name) AS doc"),
                    min_length=sql.Literal(MIN_TERM_LENGTH)),
                    {"title": document.title, "tags": list(document.tags), "place_name": document.place_name})
                await conn.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(CHANGES_CHANNEL)))
        return applied

    async def _statement(self, conn: AsyncConnection[Any], query: SearchQuery) -> tuple[sql.Composed, dict[str, Any]]:
        tsquery = None
        if query.tokens:
            rows = await (await conn.execute(pg_query.ANALYZE_TOKENS, pg_query.analyze_params(query.tokens))).fetchall()
            tsquery = pg_query.build_tsquery([
                pg_query.TokenInfo(r["token"], tuple(r["lexemes"]), r["known"], tuple(r["similar"])) for r in rows])
        return pg_query.search_statement(query, tsquery, rescore=self._rescore)

    async def search(self, query: SearchQuery) -> SearchResults:
        async with self._connection() as conn:
            statement, params = await self._statement(conn, query)
            # Unprepared: every execution is planned with its own values (see pg_query).
            row = await (await conn.execute(statement, params, prepare=False)).fetchone()
        assert row is not None
        facets, total = _facets(row["facets"] or [])
        return SearchResults(hits=tuple(_hit(h) for h in row["hits"]), total=total, facets=facets)

    async def explain(self, query: SearchQuery, *, analyze: bool = False) -> str:
        """The plan of the search statement for `query` (EXPLAIN [ANALYZE]): to check at
        scale that matching runs on the indexes."""
        async with self._connection() as conn:
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
            await conn.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(CHANGES_CHANNEL)))
        return changed

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
                await conn.execute("VACUUM (ANALYZE) documents")
                await conn.execute("VACUUM (ANALYZE) search_terms")
            finally:
                await conn.set_autocommit(False)
