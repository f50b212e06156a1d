"""search-service query building: tsquery text and the search statement (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.search.adapters.pg_query import (
    TextQuery,
    TokenInfo,
    build_rank_tsquery,
    build_tsquery,
    quote_lexeme,
    text_query,
)
from services.search.adapters.pg_statement import Limits, search_statement
from services.search.domain.query import SearchParams, parse

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_every_word_is_a_prefix_in_both_configurations() -> None:
    infos = [TokenInfo("художников", ("художник",), True, ()), TokenInfo("москве", ("москв",), True, ())]
    assert build_tsquery(infos) == "('художник':* | 'художников':*) & ('москв':* | 'москве':*)"


def test_stop_words_drop_out_and_nothing_left_is_a_browse() -> None:
    infos = [TokenInfo("для", (), True, ()), TokenInfo("детей", ("дет",), True, ())]
    assert build_tsquery(infos) == "('дет':* | 'детей':*)"
    assert build_tsquery([TokenInfo("в", (), True, ())]) is None
    assert build_tsquery([]) is None


def test_same_stem_and_word_appear_once() -> None:
    assert build_tsquery([TokenInfo("конц", ("конц",), True, ("концерт",))]) == "('конц':*)"


def test_unknown_words_are_typos_of_the_nearest_known_ones() -> None:
    typo = TokenInfo("выствка", ("выствк",), False, ("выставка", "выставки"))
    assert build_tsquery([typo]) == "('выствк':* | 'выствка':* | 'выставка':* | 'выставки':*)"
    # A known beginning is not a typo: no guesses that could drift ("лекция" -> "коллекция").
    assert build_tsquery([TokenInfo("лекция", ("лекц",), True, ("коллекция",))]) == "('лекц':* | 'лекция':*)"
    # Too short to tell a typo from another word.
    assert build_tsquery([TokenInfo("джз", ("джз",), False, ("джаз",))]) == "('джз':*)"


def test_lexemes_are_quoted() -> None:
    assert quote_lexeme("it's") == "'it''s'"
    assert quote_lexeme("a\\b") == "'a\\\\b'"


LIMITS = Limits(count_cap=1000, rank_window=200, rescore=50)


def _statement(params: SearchParams, tsquery: str | None, limits: Limits = LIMITS) -> tuple[str, dict[str, Any]]:
    text = TextQuery(tsquery, tsquery) if tsquery is not None else None
    statement, values = search_statement(parse(params, NOW), text, limits)
    return statement.as_string(None), values


def test_text_search_matches_ranks_and_highlights() -> None:
    text, values = _statement(SearchParams(q="джаз", page=2, per_page=10), "('джаз':*)")
    assert "d.search_vector @@ %(tsquery)s::tsquery" in text
    assert "ts_rank_cd(d.rank_vector, %(rank_tsquery)s::tsquery, 32)" in text
    assert "ts_headline('simple', search_html_escape(d.\"title\")" in text
    assert "GROUP BY c.category, c.is_free, c.kids" in text  # the facets, added up by the adapter
    assert values["tsquery"] == "('джаз':*)"
    assert (values["limit"], values["offset"], values["depth"], values["rescore"]) == (10, 10, 50, 50)
    assert values["window_start"] == NOW and values["window_end"] is None


def test_browse_has_no_text_condition_rank_or_highlights() -> None:
    text, values = _statement(SearchParams(city="spb", page=7), None)
    assert "@@" not in text and "ts_headline" not in text and "ts_rank_cd" not in text
    assert "ORDER BY d.next_start" in text  # soonest first, along documents_next_start
    assert values["rescore"] == 0 and values["rank_window"] == 0 and values["depth"] == 140
    assert "d.city = %(city)s" in text and values["city"] == "spb"


def test_only_given_filters_become_conditions() -> None:
    text, _ = _statement(SearchParams(), None)
    for condition in ("d.category =", "d.is_free =", "d.kids =", "d.city =", "ST_DWithin"):
        assert condition not in text
    text, values = _statement(SearchParams(categories=("kids", "concert"), is_free=True, kids=False,
                                           lat=55.75, lon=37.61, radius=1500), None)
    assert "d.category = ANY(%(categories)s)" in text and values["categories"] == ["concert", "kids"]
    assert values["is_free"] is True and values["kids"] is False
    assert "ST_DWithin(d.location" in text
    assert (values["lat"], values["lon"], values["radius"]) == (55.75, 37.61, 1500)


def test_every_search_is_limited_to_sessions_in_the_window() -> None:
    text, values = _statement(SearchParams(date_from="2026-12-01", date_to="2026-12-03"), None)
    assert "d.next_start < %(window_end)s AND d.last_end > %(window_start)s" in text
    assert "d.sessions && tstzmultirange(tstzrange(%(window_start)s, %(window_end)s))" in text
    assert values["window_start"].isoformat() == "2026-12-01T00:00:00+03:00"
    assert values["window_end"].isoformat() == "2026-12-04T00:00:00+03:00"  # dateTo is inclusive


def test_upcoming_needs_only_the_last_session_end() -> None:
    text, _ = _statement(SearchParams(q="джаз"), "('джаз':*)")
    assert "d.last_end > %(window_start)s" in text and "d.sessions &&" not in text


def test_text_reads_the_soon_documents_first_and_bounds_the_work() -> None:
    text, values = _statement(SearchParams(q="джаз", per_page=10), "('джаз':*)",
                              Limits(count_cap=700, rank_window=300, rescore=20))
    soon, rest = text.index("WHERE d.soon AND"), text.index("WHERE NOT d.soon AND")
    assert soon < rest and "UNION ALL" in text[soon:rest]
    assert "LIMIT %(count_cap)s" in text and values["count_cap"] == 700
    assert "title_terms @@ %(rank_tsquery)s::tsquery AS in_title" in text  # the first phase
    assert (values["rank_window"], values["rescore"], values["depth"]) == (300, 20, 20)


def test_the_trigram_rescore_never_reaches_past_the_rank_window() -> None:
    _, values = _statement(SearchParams(q="джаз"), "('джаз':*)", Limits(count_cap=100, rank_window=10, rescore=20))
    assert (values["rank_window"], values["rescore"]) == (10, 10)


def test_near_checks_a_lat_lon_box_before_the_distance() -> None:
    text, values = _statement(SearchParams(lat=59.93, lon=30.33, radius=1000), None)
    box = text.index("d.lat BETWEEN %(lat_min)s AND %(lat_max)s AND d.lon BETWEEN %(lon_min)s AND %(lon_max)s")
    assert box < text.index("ST_DWithin(d.location")
    assert values["lat_min"] < 59.93 < values["lat_max"] and values["lon_min"] < 30.33 < values["lon_max"]


def test_filters_are_also_lexemes_of_the_text_query() -> None:
    params = SearchParams(q="джаз", categories=("concert", "festival"), city="spb", is_free=False, kids=True)
    _, values = _statement(params, "('джаз':*)")
    assert values["tsquery"] == ("(('джаз':*)) & ('_c_concert' | '_c_festival') & '_city_spb' & '_paid' & '_kids'")
    assert values["rank_tsquery"] == "('джаз':*)"  # ranking and highlights see the words only
    _, values = _statement(SearchParams(q="джаз"), "('джаз':*)")
    assert values["tsquery"] == "('джаз':*)"


def test_a_date_window_is_also_its_days_in_the_text_query() -> None:
    _, values = _statement(SearchParams(q="джаз", date_from="2026-12-01", date_to="2026-12-02"), "('джаз':*)")
    # Days since 2000-01-01 (Moscow), as migration 0002's search_day_vector writes them.
    assert values["tsquery"] == "(('джаз':*)) & ('_d_9831' | '_d_9832')"
    _, values = _statement(SearchParams(q="джаз", date_from="2026-12-01", date_to="2027-03-01"), "('джаз':*)")
    assert values["tsquery"] == "('джаз':*)"  # too long a window to be worth its days


def test_prefixes_become_the_indexed_lexemes_they_stand_for() -> None:
    # GIN intersects exact lexemes by skipping through posting lists; a prefix operand
    # makes it collect every list under the prefix first.
    info = TokenInfo("конц", ("конц",), True, (), {"конц": ("концерт", "концерта", "концертный")})
    assert build_tsquery([info]) == "('концерт' | 'концерта' | 'концертный')"
    # Not expanded: too many lexemes (absent from the map) or none at all.
    assert build_tsquery([TokenInfo("к", ("к",), True, ())]) == "('к':*)"
    assert build_tsquery([TokenInfo("ыкг", ("ыкг",), False, (), {"ыкг": ()})]) == "('ыкг':*)"


def test_typo_candidates_are_expanded_too() -> None:
    typo = TokenInfo("выствка", ("выствк",), False, ("выставка",), {"выставка": ("выставка",), "выствк": ()})
    assert build_tsquery([typo]) == "('выствк':* | 'выствка':* | 'выставка')"


def test_the_rank_query_keeps_the_fewest_prefixes_covering_the_same_lexemes() -> None:
    infos = [TokenInfo("художников", ("художник",), True, (),
                       {"художник": ("художник", "художников"), "художников": ("художников",)}),
             TokenInfo("москве", ("москв",), True, ())]
    assert build_rank_tsquery(infos) == "('художник':*) & ('москв':*)"
    query = text_query(infos)
    assert query is not None and query.match == "('художник' | 'художников') & ('москв':* | 'москве':*)"
    assert text_query([TokenInfo("в", (), True, ())]) is None  # stop words only: a browse


def test_token_rows_become_token_infos() -> None:
    row = {"token": "джаз", "lexemes": ["джаз"], "known": True, "similar": [], "expansions": {"джаз": ["джаз"]}}
    assert TokenInfo.from_row(row) == TokenInfo("джаз", ("джаз",), True, (), {"джаз": ("джаз",)})
