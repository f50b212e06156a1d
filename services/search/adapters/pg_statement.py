"""The search statement, built from a SearchQuery: pure (no I/O) and unit-tested.

One round trip matches, counts, ranks and pages, and its work is bounded whatever the
query matches (a broad word matches a fifth of the catalog, and on two cores every
thousand matches visited costs milliseconds):

- matching reads the `soon` documents first (next session within days; their own GIN
  index) and the others only while fewer than `count_cap` matches were found;
- counting stops at `count_cap`: past it the total and the facets are lower bounds
  (Elasticsearch's track_total_hits) and the hits come from the matches counted;
- ranking: ts_rank_cd for the `rank_window` best counted matches by a cheap first
  phase (title matches first, then soonest), trigram similarity for the `rescore` best
  of those (Elasticsearch's rescore window). Fewer matches are ranked in full;
- browsing (no text) walks the next-session index: soonest first.

The statement is prepared and runs a generic plan (migration 0002): its shape is fixed
by MATERIALIZED CTEs and the indexes, so the planner's estimates of a particular tsquery
would not change it, and planning it every time costs about 1.5 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from services.search.adapters.geo_box import bounding_box
from services.search.adapters.pg_query import TextQuery, with_filters
from services.search.domain.model import GeoCircle, SearchQuery


@dataclass(frozen=True, slots=True)
class Limits:
    count_cap: int  # matches counted at most; the total is a lower bound past it
    rank_window: int  # counted matches ranked with ts_rank_cd at most
    rescore: int  # ranked matches that also get trigram similarity


def _window_condition(query: SearchQuery) -> sql.Composable:
    """Sessions overlapping [start, end). The stored next session decides most rows: one
    that overlaps ends after the start (never before now), so it is the stored next
    session or a later one. The sessions are read only when the next one ended before
    the start and a later one might fall inside."""
    if query.window.end is None:
        return sql.SQL("d.last_end > %(window_start)s")
    return sql.SQL("d.next_start < %(window_end)s AND d.last_end > %(window_start)s"
                   " AND (d.next_end > %(window_start)s"
                   " OR d.sessions && tstzmultirange(tstzrange(%(window_start)s, %(window_end)s)))")


def _conditions(query: SearchQuery, text: TextQuery | None) -> tuple[list[sql.Composable], dict[str, Any]]:
    f = query.filters
    where = [_window_condition(query)]
    params: dict[str, Any] = {"window_start": query.window.start, "window_end": query.window.end}
    if text is not None:
        # The filters and the window's days are also lexemes of search_vector: ANDed
        # into the tsquery, GIN applies them; the conditions stay, so results never
        # depend on it.
        where.append(sql.SQL("d.search_vector @@ %(tsquery)s::tsquery"))
        params.update(tsquery=with_filters(text.match, f, query.window), rank_tsquery=text.rank)
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
        where.append(_near_condition(f.near, params))
    return where, params


def _near_condition(near: GeoCircle, params: dict[str, Any]) -> sql.Composable:
    """Within the circle. The plain lat/lon box around it goes first: two comparisons
    reject most rows, where the geodesic ST_DWithin costs microseconds each. (No GiST
    index: PostGIS misjudges how many events a dense centre holds, 10 estimated for 16k,
    and walking it plus a sort costs more than the next-session index with this box.)"""
    box = bounding_box(near)
    params.update(lat=near.center.lat, lon=near.center.lon, radius=near.radius_meters,
                  lat_min=box.lat_min, lat_max=box.lat_max, lon_min=box.lon_min, lon_max=box.lon_max)
    conditions = [sql.SQL("d.lat BETWEEN %(lat_min)s AND %(lat_max)s")]
    if box.lon_min is not None:
        conditions.append(sql.SQL("d.lon BETWEEN %(lon_min)s AND %(lon_max)s"))
    conditions.append(sql.SQL("ST_DWithin(d.location, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,"
                              " %(radius)s)"))
    return sql.SQL(" AND ").join(conditions)


# next_start: the start of the first session not over at the window start (it may be
# running already), as event-service defines it: the stored next session unless it
# ended before the window starts.
_MATCH_COLUMNS = """d.slug, d.category, d.is_free, d.kids,
           CASE WHEN d.next_end > %(window_start)s THEN d.next_start
                ELSE (SELECT lower(r) FROM unnest(d.sessions) AS r
                      WHERE upper(r) > %(window_start)s LIMIT 1) END AS next_start"""

# Text: the soon matches, then the others. The CTE that holds this is MATERIALIZED:
# planned without the cap (a LIMIT would tempt the planner into a sequential scan that
# detoasts every search_vector) and read lazily, so the scans stop where the readers
# do, and the second runs only when the first has fewer matches than the cap.
_TEXT_MATCHES = sql.SQL("""
    SELECT {columns}, d.title_terms @@ %(rank_tsquery)s::tsquery AS in_title
    FROM documents d WHERE d.soon AND {where}
    UNION ALL
    SELECT {columns}, d.title_terms @@ %(rank_tsquery)s::tsquery AS in_title
    FROM documents d WHERE NOT d.soon AND {where}""")

# Browse: soonest first along documents_next_start, which includes every column read
# here (index-only scans: the wide rows are not visited). The LIMIT is wanted here: it
# is what lets the planner walk the index in order and stop.
_BROWSE_MATCHES = sql.SQL("""
    SELECT {columns}, false AS in_title
    FROM documents d WHERE {where}
    ORDER BY d.next_start
    LIMIT %(count_cap)s + 1""")

# counted: the first `count_cap` matches (read by two CTE scans of matched, not copied).
# facets: counts by (category, is_free, kids), at most 40 groups, which the adapter
#   adds up into the three facets and the total.
# candidates: the first phase, cheap per match: title matches first, then soonest.
# ranked: ts_rank_cd for the first `rank_window` candidates only (NULL for the others).
# scored: tier 1, the best `rescore` ranked (ties: soonest), adds trigram similarity of
#   the query to title + tags (tens of µs each); tier 2, the other ranked, keep their
#   rank; tier 3, past the rank window, keep the first-phase order with score 0.
# page/hits: only the rows of the requested page are joined back for display fields
#   and ts_headline highlights.
_SEARCH = sql.SQL("""
WITH matched AS MATERIALIZED ({matches}
),
facets AS (
    SELECT c.category, c.is_free, c.kids, count(*) AS count
    FROM (SELECT * FROM matched LIMIT %(count_cap)s) c
    GROUP BY c.category, c.is_free, c.kids
),
candidates AS (
    SELECT c.slug, c.next_start, row_number() OVER (ORDER BY c.in_title DESC, c.next_start, c.slug) AS position
    FROM (SELECT * FROM (SELECT * FROM matched LIMIT %(count_cap)s) m
          ORDER BY m.in_title DESC, m.next_start, m.slug
          LIMIT greatest(%(depth)s, %(rank_window)s)) c
),
ranked AS MATERIALIZED (
    SELECT c.slug, c.next_start, c.position,
           CASE WHEN c.position <= %(rank_window)s THEN {rank} END AS rank
    FROM candidates c
),
scored AS MATERIALIZED (
    SELECT o.slug, o.next_start, o.position, o.rank_position,
           CASE WHEN o.rank IS NULL THEN 3 WHEN o.rank_position <= %(rescore)s THEN 1 ELSE 2 END AS tier,
           coalesce(o.rank, 0) + CASE WHEN o.rank IS NOT NULL AND o.rank_position <= %(rescore)s THEN (
               SELECT word_similarity(%(text)s, search_trigram_text(d.title, d.tags))
               FROM documents d WHERE d.slug = o.slug) ELSE 0 END AS score
    FROM (SELECT r.*, row_number() OVER (ORDER BY r.rank DESC NULLS LAST, r.next_start, r.slug) AS rank_position
          FROM ranked r) o
),
page AS (
    SELECT s.slug, s.score, s.next_start,
           row_number() OVER (ORDER BY s.tier, CASE WHEN s.tier = 1 THEN s.score END DESC,
                                       CASE WHEN s.tier = 1 THEN s.next_start END,
                                       CASE WHEN s.tier < 3 THEN s.rank_position END, s.position) AS ord
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
       (SELECT json_agg(f) FROM facets f) AS facets,
       EXISTS (SELECT 1 FROM matched OFFSET %(count_cap)s) AS more_matches
""")

_HIGHLIGHT_TITLE = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"
_HIGHLIGHT_DESCRIPTION = ('StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=12, '
                          'FragmentDelimiter=" … "')


def _highlight(column: str, text: TextQuery | None, options: str) -> sql.Composable:
    if text is None:
        return sql.Literal("")
    # Escape HTML first: the only markup in the result must be our <mark>.
    return sql.SQL("ts_headline('simple', search_html_escape(d.{}), %(rank_tsquery)s::tsquery, {})").format(
        sql.Identifier(column), sql.Literal(options))


def search_statement(query: SearchQuery, text: TextQuery | None, limits: Limits) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement and its parameters; `text` None is a browse (soonest first)."""
    where, params = _conditions(query, text)
    conditions = sql.SQL(" AND ").join(where)
    columns = sql.SQL(_MATCH_COLUMNS)
    if text is None:
        matches = _BROWSE_MATCHES.format(columns=columns, where=conditions)
        rank: sql.Composable = sql.SQL("NULL::real")
        rank_window = rescore = 0  # no text to rank by: soonest first
    else:
        matches = _TEXT_MATCHES.format(columns=columns, where=conditions)
        # Normalisation 32 (rank / (rank + 1)) keeps ts_rank_cd in [0, 1), on the scale
        # of the trigram similarity it is added to.
        rank = sql.SQL("(SELECT ts_rank_cd(d.rank_vector, %(rank_tsquery)s::tsquery, 32)"
                       " FROM documents d WHERE d.slug = c.slug)")
        rank_window, rescore = limits.rank_window, min(limits.rescore, limits.rank_window)
    end = query.offset + query.per_page
    params.update(depth=max(end, rescore), rescore=rescore, rank_window=rank_window, count_cap=limits.count_cap,
                  text=query.text, limit=query.per_page, offset=query.offset)
    statement = _SEARCH.format(
        matches=matches, rank=rank,
        title_highlight=_highlight("title", text, _HIGHLIGHT_TITLE),
        description_highlight=_highlight("description", text, _HIGHLIGHT_DESCRIPTION),
    )
    return statement, params
