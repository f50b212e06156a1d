"""The words of a search as PostgreSQL sees them: pure (no I/O) and unit-tested.

A search is two statements:
1. `ANALYZE_TOKENS` asks the database what it knows about each query word: its
   `russian` lexemes (empty for stop words), whether some indexed word starts with it,
   and, for a word no indexed word starts with, the nearest indexed words by trigram
   similarity (typo candidates: `%` catches a misspelt whole word, "выствка"; `<%`
   word_similarity a misspelt beginning, "выстовк").
2. `pg_statement.search_statement` matches, ranks, pages and counts in one round trip,
   with the tsquery that `build_tsquery` makes of the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from psycopg import sql

from services.runtime.time_windows import CITY_TZ, Window
from services.search.domain.model import Filters

MIN_FUZZY_LENGTH = 4  # shorter words have too few trigrams to tell a typo from another word
SIMILAR_TERMS = 3  # typo candidates per word
_AFTER_ALL = "\U0010ffff"  # sorts after every string that starts with a given prefix (COLLATE "C")

MAX_EXPANSION = 32  # a prefix of more indexed lexemes stays a prefix operand
MAX_WINDOW_DAYS = 31  # a longer date window is not worth its day lexemes
_DAY_ZERO = date(2000, 1, 1)  # day lexemes count days from it (search_day_vector)

# One row per query word, in order:
# - lexemes: its `russian` stems (empty: a stop word);
# - known: some indexed title/tag/place word starts with it;
# - similar: for a word `token_alternatives` may correct (unknown, long enough), the
#   nearest indexed words (the trigram search is the costly part, so only then);
# - expansions: for each prefix the word may be searched by (stems, the word, similar
#   words), the indexed lexemes starting with it when there are at most MAX_EXPANSION.
#   GIN answers a prefix operand by collecting every posting list under it before it
#   can intersect anything; exact lexemes let it skip through the lists of an AND
#   ("выставка современных художников": 22 ms -> 7 ms at 100k documents).
ANALYZE_TOKENS = sql.SQL("""
SELECT t.token, t.lexemes, k.known, s.similar,
       (SELECT coalesce(jsonb_object_agg(e.prefix, e.words), '{}')
        FROM (SELECT w AS prefix,
                     ARRAY(SELECT l.lexeme FROM search_lexemes l
                           WHERE l.lexeme >= w AND l.lexeme < w || %(after_all)s
                           ORDER BY l.lexeme LIMIT %(expansion)s + 1) AS words
              FROM unnest(t.lexemes || t.token || s.similar) AS w) e
        WHERE cardinality(e.words) <= %(expansion)s) AS expansions
FROM (SELECT u.token, u.n, tsvector_to_array(to_tsvector('russian', u.token)) AS lexemes
      FROM unnest(%(tokens)s::text[]) WITH ORDINALITY AS u(token, n)) t
CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM search_terms s
                                   WHERE s.term >= t.token AND s.term < t.token || %(after_all)s) AS known) k
CROSS JOIN LATERAL (
    SELECT CASE WHEN k.known OR char_length(t.token) < %(min_fuzzy)s THEN '{}'::text[]
                ELSE ARRAY(SELECT s.term FROM search_terms s
                           WHERE t.token %% s.term OR t.token <%% s.term
                           ORDER BY greatest(similarity(t.token, s.term), word_similarity(t.token, s.term)) DESC,
                                    s.term
                           LIMIT %(similar)s) END AS similar) s
ORDER BY t.n
""")


def analyze_params(tokens: Sequence[str]) -> dict[str, Any]:
    return {"tokens": list(tokens), "after_all": _AFTER_ALL, "min_fuzzy": MIN_FUZZY_LENGTH,
            "similar": SIMILAR_TERMS, "expansion": MAX_EXPANSION}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the index knows about one query word (a row of ANALYZE_TOKENS)."""

    token: str
    lexemes: tuple[str, ...]  # `russian` stems; empty: a stop word
    known: bool  # some indexed title/tag/place word starts with the token
    similar: tuple[str, ...]  # nearest indexed words, best first
    # prefix -> every indexed lexeme that starts with it; a prefix not here has too many
    expansions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TokenInfo:
        return cls(row["token"], tuple(row["lexemes"]), row["known"], tuple(row["similar"]),
                   {prefix: tuple(words) for prefix, words in row["expansions"].items()})


def quote_lexeme(value: str) -> str:
    """A tsquery operand literal: quotes doubled, backslashes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _prefixes(info: TokenInfo) -> list[str]:
    """The ways one word may appear, each a prefix: its stems ("художников" ->
    художник:*, which also matches "художника"), the word as typed (the `simple` half
    of the index), and, when no indexed word starts with it, the nearest known words."""
    words = [*info.lexemes, info.token]
    if not info.known and len(info.token) >= MIN_FUZZY_LENGTH:
        words += info.similar
    return list(dict.fromkeys(words))


def _operands(prefix: str, expansion: tuple[str, ...] | None) -> list[str]:
    """A prefix as tsquery operands: the indexed lexemes it stands for when they are
    known and few (the same matches, cheaper for GIN), else the prefix operand itself
    (also when nothing starts with it: such an operand costs nothing to look up)."""
    if expansion:
        return [quote_lexeme(w) for w in expansion]
    return [f"{quote_lexeme(prefix)}:*"]


def token_alternatives(info: TokenInfo) -> tuple[str, ...]:
    """One word's alternatives as the operands GIN matches best (see _operands)."""
    operands = (op for w in _prefixes(info) for op in _operands(w, info.expansions.get(w)))
    return tuple(dict.fromkeys(operands))


def _fewest_prefixes(info: TokenInfo) -> tuple[str, ...]:
    """One word's alternatives as prefix operands, without those another one covers
    ('художников':* adds nothing to 'художник':*): the same lexemes, and ts_rank_cd
    and ts_headline cost grows with the operands (twice as fast this way)."""
    prefixes = _prefixes(info)
    kept = [p for p in prefixes if not any(o != p and p.startswith(o) for o in prefixes)]
    return tuple(f"{quote_lexeme(p)}:*" for p in kept)


def _and_of_ors(infos: Sequence[TokenInfo], alternatives: Callable[[TokenInfo], tuple[str, ...]]) -> str | None:
    groups = ["(" + " | ".join(alternatives(i)) + ")" for i in infos if i.lexemes]
    return " & ".join(groups) or None


def build_tsquery(infos: Sequence[TokenInfo]) -> str | None:
    """The tsquery documents are matched with: AND over the words, OR over each word's
    alternatives; stop words drop out. None when nothing meaningful is left (the
    search is then a browse)."""
    return _and_of_ors(infos, token_alternatives)


def build_rank_tsquery(infos: Sequence[TokenInfo]) -> str | None:
    """The same query for what reads a few documents, not an index (ts_rank_cd, the
    title test, ts_headline): prefix operands, as few as cover the same lexemes."""
    return _and_of_ors(infos, _fewest_prefixes)


@dataclass(frozen=True, slots=True)
class TextQuery:
    """A text search as tsquery text: `match` for the GIN index, `rank` for the rest."""

    match: str
    rank: str


def text_query(infos: Sequence[TokenInfo]) -> TextQuery | None:
    match, rank = build_tsquery(infos), build_rank_tsquery(infos)
    return TextQuery(match, rank) if match is not None and rank is not None else None


def _window_days(window: Window) -> list[str] | None:
    """The lexemes of the days (Moscow time) a bounded window touches, as
    search_day_vector writes them; None when unbounded or too long to be worth it."""
    if window.end is None:
        return None
    first = window.start.astimezone(CITY_TZ).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(CITY_TZ).date()
    if (last - first).days >= MAX_WINDOW_DAYS:
        return None
    return [quote_lexeme(f"_d_{(first - _DAY_ZERO).days + i}") for i in range((last - first).days + 1)]


def with_filters(tsquery: str, filters: Filters, window: Window) -> str:
    """`tsquery` restricted by the lexemes of the filters and the date window (migration
    0002, search_filter_vector and search_day_vector): "_c_<category>",
    "_city_<city>", "_free"/"_paid", "_kids"/"_adults", "_d_<day>"."""
    terms = []
    days = _window_days(window)
    if days:
        terms.append("(" + " | ".join(days) + ")")
    if filters.categories:
        terms.append("(" + " | ".join(quote_lexeme(f"_c_{c}") for c in filters.categories) + ")")
    if filters.city:
        terms.append(quote_lexeme(f"_city_{filters.city}"))
    if filters.is_free is not None:
        terms.append(quote_lexeme("_free" if filters.is_free else "_paid"))
    if filters.kids is not None:
        terms.append(quote_lexeme("_kids" if filters.kids else "_adults"))
    return " & ".join([f"({tsquery})", *terms]) if terms else tsquery
