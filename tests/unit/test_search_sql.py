"""search-service query building: tsquery text and the search statement (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.search.adapters.pg_query import TokenInfo, build_tsquery, quote_lexeme, search_statement
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


def _statement(params: SearchParams, tsquery: str | None) -> tuple[str, dict[str, Any]]:
    statement, values = search_statement(parse(params, NOW), tsquery, rescore=50)
    return statement.as_string(None), values


def test_text_search_matches_ranks_and_highlights() -> None:
    text, values = _statement(SearchParams(q="джаз", page=2, per_page=10), "('джаз':*)")
    assert "d.search_vector @@ %(tsquery)s::tsquery" in text
    assert "ts_rank_cd(d.rank_vector, %(tsquery)s::tsquery, 32)" in text
    assert "ts_headline('simple', search_html_escape(d.\"title\")" in text
    assert "GROUPING SETS ((category), (is_free), (kids), ())" in text
    assert values["tsquery"] == "('джаз':*)"
    assert (values["limit"], values["offset"], values["depth"], values["rescore"]) == (10, 10, 50, 50)
    assert values["window_start"] == NOW and values["window_end"] is None


def test_browse_has_no_text_condition_rank_or_highlights() -> None:
    text, values = _statement(SearchParams(city="spb", page=7), None)
    assert "@@" not in text and "ts_headline" not in text
    assert "0::real AS rank" in text
    assert values["rescore"] == 0 and values["depth"] == 140
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
    assert "d.sessions && tstzmultirange(tstzrange(%(window_start)s, %(window_end)s))" in text
    assert values["window_start"].isoformat() == "2026-12-01T00:00:00+03:00"
    assert values["window_end"].isoformat() == "2026-12-04T00:00:00+03:00"  # dateTo is inclusive
