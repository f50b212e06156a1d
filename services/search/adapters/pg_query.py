"""PostgreSQL text of a search, built from a SearchQuery: pure (no I/O) and unit-tested.

A search is two statements:
1. `ANALYZE_TOKENS` asks the database what it knows about each query word: its
   `russian` lexemes (empty for stop words), whether some indexed word starts with it,
   and the nearest indexed words by trigram similarity (typo candidates: `%` catches a
   misspelt whole word, "выствка"; `<%` word_similarity a misspelt beginning, "выстовк").
2. `search_statement` matches, ranks, pages and counts in one round trip. The tsquery
   from `build_tsquery` is a bound parameter of an unprepared statement, so the planner
   plans with its value and estimates its real selectivity (a generic plan, or a tsquery
   computed inside the statement, would get a blind default estimate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from services.search.domain.model import SearchQuery

MIN_FUZZY_LENGTH = 4  # shorter words have too few trigrams to tell a typo from another word
SIMILAR_TERMS = 3  # typo candidates per word
_AFTER_ALL = "\U0010ffff"  # sorts after every string that starts with a given prefix (COLLATE "C")

ANALYZE_TOKENS = sql.SQL("""
SELECT t.token,
       tsvector_to_array(to_tsvector('russian', t.token)) AS lexemes,
       EXISTS (SELECT 1 FROM search_terms s
               WHERE s.term >= t.token AND s.term < t.token || %(after_all)s) AS known,
       ARRAY(SELECT s.term FROM search_terms s
             WHERE char_length(t.token) >= %(min_fuzzy)s AND (t.token %% s.term OR t.token <%% s.term)
             ORDER BY greatest(similarity(t.token, s.term), word_similarity(t.token, s.term)) DESC, s.term
             LIMIT %(similar)s) AS similar
FROM unnest(%(tokens)s::text[]) WITH ORDINALITY AS t(token, n)
ORDER BY t.n
""")


def analyze_params(tokens: Sequence[str]) -> dict[str, Any]:
    return {"tokens": list(tokens), "after_all": _AFTER_ALL, "min_fuzzy": MIN_FUZZY_LENGTH,
            "similar": SIMILAR_TERMS}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the index knows about one query word (a row of ANALYZE_TOKENS)."""

    token: str
    lexemes: tuple[str, ...]  # `russian` stems; empty: a stop word
    known: bool  # some indexed title/tag/place word starts with the token
    similar: tuple[str, ...]  # nearest indexed words, best first


def quote_lexeme(value: str) -> str:
    """A tsquery operand literal: quotes doubled, backslashes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def token_alternatives(info: TokenInfo) -> tuple[str, ...]:
    """The ways one word may appear, as prefix operands: its stems ("художников" ->
    художник:*, which also matches "художника"), the word as typed (the `simple` half
    of the index), and, when no indexed word starts with it, the nearest known words."""
    words = [*info.lexemes, info.token]
    if not info.known and len(info.token) >= MIN_FUZZY_LENGTH:
        words += info.similar
    return tuple(f"{quote_lexeme(w)}:*" for w in dict.fromkeys(words))


def build_tsquery(infos: Sequence[TokenInfo]) -> str | None:
    """AND over the words, OR over each word's alternatives; stop words drop out.
    None when nothing meaningful is left (the search is then a browse)."""
    groups = ["(" + " | ".join(token_alternatives(i)) + ")" for i in infos if i.lexemes]
    return " & ".join(groups) or None


# The window as SQL: sessions overlapping [start, end); a NULL end is unbounded.
_WINDOW = sql.SQL("tstzmultirange(tstzrange(%(window_start)s, %(window_end)s))")
_HIGHLIGHT_TITLE = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"
_HIGHLIGHT_DESCRIPTION = ('StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=12, '
                          'FragmentDelimiter=" … "')


def _conditions(query: SearchQuery, tsquery: str | None) -> tuple[list[sql.Composable], dict[str, Any]]:
    f = query.filters
    where: list[sql.Composable] = [sql.SQL("d.sessions && {}").format(_WINDOW)]
    params: dict[str, Any] = {"window_start": query.window.start, "window_end": query.window.end}
    if tsquery is not None:
        where.append(sql.SQL("d.search_vector @@ %(tsquery)s::tsquery"))
        params["tsquery"] = tsquery
    if f.categories:
        where.append(sql.SQL("d.category = ANY(%(categories)s)"))
        params["categories"] = list(f.categories)
    if f.is_free is not None:
        where.append(sql.SQL("d.is_free = %(is_free)s"))
        params["is_free"] = f.is_free
    if f.kids is not None:
        where.append(sql.SQL("d.kids = %(kids)s"))  # the index sets kids for category "kids" too
        params["kids"] = f.kids
    if f.city:
        where.append(sql.SQL("d.city = %(city)s"))
        params["city"] = f.city
    if f.near is not None:
        where.append(sql.SQL("ST_DWithin(d.location, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,"
                             " %(radius)s)"))
        params.update(lat=f.near.center.lat, lon=f.near.center.lon, radius=f.near.radius_meters)
    return where, params


# matches: every hit with what ordering and facets need (materialised once, read twice).
#   next_start: start of the first session not over at the window start (it may be
#   running already), as event-service defines it; sessions after it cannot start
#   earlier, and one not overlapping the window means the event is filtered out.
# facets: one GROUPING SETS pass gives the three facets and the total (the () set).
# top/ranked/scored: ts_rank_cd orders all matches (ties: soonest first); the first
#   `rescore` of them also add trigram similarity of the query to title + tags,
#   which is too costly per match (tens of µs) but cheap for a page-sized window.
# page/hits: only the rows of the requested page are joined back for display fields
#   and ts_headline highlights.
_SEARCH = sql.SQL("""
WITH matches AS MATERIALIZED (
    SELECT d.slug, d.category, d.is_free, d.kids, {rank} AS rank,
           CASE WHEN d.first_session_end > %(window_start)s THEN lower(d.sessions)
                ELSE (SELECT lower(r) FROM unnest(d.sessions) AS r
                      WHERE upper(r) > %(window_start)s LIMIT 1) END AS next_start
    FROM documents d
    WHERE {where}
),
facets AS (
    SELECT CASE WHEN GROUPING(category) = 0 THEN 'category'
                WHEN GROUPING(is_free) = 0 THEN 'isFree'
                WHEN GROUPING(kids) = 0 THEN 'kids'
                ELSE 'total' END AS facet,
           coalesce(category, is_free::text, kids::text, '') AS value,
           count(*) AS count
    FROM matches
    GROUP BY GROUPING SETS ((category), (is_free), (kids), ())
),
top AS (
    SELECT slug, rank, next_start FROM matches
    ORDER BY rank DESC, next_start, slug
    LIMIT %(depth)s
),
ranked AS (
    SELECT t.*, row_number() OVER (ORDER BY t.rank DESC, t.next_start, t.slug) AS position FROM top t
),
scored AS MATERIALIZED (
    SELECT r.slug, r.next_start, r.position, r.position <= %(rescore)s AS rescored,
           r.rank + CASE WHEN r.position <= %(rescore)s THEN (
               SELECT word_similarity(%(text)s, search_trigram_text(d.title, d.tags))
               FROM documents d WHERE d.slug = r.slug) ELSE 0 END AS score
    FROM ranked r
),
page AS (
    SELECT s.slug, s.score, s.next_start,
           row_number() OVER (ORDER BY s.rescored DESC, CASE WHEN s.rescored THEN s.score END DESC,
                                       CASE WHEN s.rescored THEN s.next_start END, s.position) AS ord
    FROM scored s
    ORDER BY ord
    LIMIT %(limit)s OFFSET %(offset)s
),
hits AS (
    SELECT p.ord, d.slug, d.title, d.category, d.tags, d.city, d.place_name, d.place_address, d.lat, d.lon,
           p.next_start,
           d.is_free, d.kids, d.price_min, d.price_max, d.age_restriction, d.image, p.score,
           {title_highlight} AS title_highlight, {description_highlight} AS description_highlight
    FROM page p JOIN documents d ON d.slug = p.slug
)
SELECT (SELECT coalesce(json_agg(h ORDER BY h.ord), '[]'::json) FROM hits h) AS hits,
       (SELECT json_agg(f) FROM facets f) AS facets
""")


def _highlight(column: str, tsquery: str | None, options: str) -> sql.Composable:
    if tsquery is None:
        return sql.Literal("")
    # Escape HTML first: the only markup in the result must be our <mark>.
    return sql.SQL("ts_headline('simple', search_html_escape(d.{}), %(tsquery)s::tsquery, {})").format(
        sql.Identifier(column), sql.Literal(options))


def search_statement(query: SearchQuery, tsquery: str | None, *, rescore: int) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement and its parameters; `tsquery` None is a browse (soonest first)."""
    where, params = _conditions(query, tsquery)
    rank: sql.Composable = sql.SQL("0::real")
    if tsquery is not None:
        # Normalisation 32 (rank / (rank + 1)) keeps ts_rank_cd in [0, 1), on the scale
        # of the trigram similarity it is added to.
        rank = sql.SQL("ts_rank_cd(d.rank_vector, %(tsquery)s::tsquery, 32)")
    else:
        rescore = 0  # nothing to compare the text against
    end = query.offset + query.per_page
    params.update(depth=max(end, rescore), rescore=rescore, text=query.text, limit=query.per_page,
                  offset=query.offset)
    statement = _SEARCH.format(
        rank=rank, where=sql.SQL(" AND ").join(where),
        title_highlight=_highlight("title", tsquery, _HIGHLIGHT_TITLE),
        description_highlight=_highlight("description", tsquery, _HIGHLIGHT_DESCRIPTION),
    )
    return statement, params
