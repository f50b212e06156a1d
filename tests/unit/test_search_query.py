"""search-service domain: words of a query, request validation, documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.runtime.errors import InvalidArgument
from services.search.domain.model import DEFAULT_RADIUS_METERS, Session, make_document
from services.search.domain.query import MAX_TOKENS, SearchParams, is_empty_window, parse, tokenize

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday, 15:00 in Moscow


def test_tokens_are_folded_distinct_words() -> None:
    assert tokenize("  Ёлка,  ЁЛКА! концерт_Баха; мастер-класс 2024 ") == (
        "елка", "концерт", "баха", "мастер", "класс", "2024")


def test_tokens_are_capped() -> None:
    assert len(tokenize(" ".join(f"слово{i}" for i in range(20)))) == MAX_TOKENS
    assert tokenize("?!... --") == ()


def test_defaults_and_text() -> None:
    query = parse(SearchParams(q="Выставка  художников"), NOW)
    assert (query.page, query.per_page, query.offset) == (1, 20, 0)
    assert query.tokens == ("выставка", "художников")
    assert query.text == "выставка художников"
    assert query.window.start == NOW and query.window.end is None
    assert query.window_label == "upcoming"


def test_paging() -> None:
    query = parse(SearchParams(page=3, per_page=50), NOW)
    assert (query.page, query.per_page, query.offset) == (3, 50, 100)


@pytest.mark.parametrize(("params", "field"), [
    (SearchParams(per_page=1000), "perPage"),
    (SearchParams(page=-1), "page"),
    (SearchParams(date_from="2026-12-10", date_to="2026-12-01"), "dateTo"),
    (SearchParams(date_from="2026-02-31"), "dateFrom"),
    (SearchParams(lat=55.7), "lon"),
    (SearchParams(radius=100.0), "radius"),
])
def test_bad_input_names_the_field(params: SearchParams, field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse(params, NOW)
    assert caught.value.metadata["field"] == field
    assert caught.value.violations[0].field == field


def test_filters() -> None:
    query = parse(SearchParams(categories=("theatre", "concert", "theatre"), is_free=False, kids=True,
                               city="spb", lat=59.93, lon=30.33), NOW)
    f = query.filters
    assert f.categories == ("concert", "theatre")
    assert (f.is_free, f.kids, f.city) == (False, True, "spb")
    assert f.near is not None and f.near.radius_meters == DEFAULT_RADIUS_METERS


def test_windows_and_their_labels() -> None:
    weekend = parse(SearchParams(when="weekend"), NOW)
    assert weekend.window_label == "weekend@2026-11-26"
    assert weekend.window.start.isoformat() == "2026-11-28T00:00:00+03:00"  # Saturday, Moscow
    dates = parse(SearchParams(date_from="2026-12-01", date_to="2026-12-03"), NOW)
    assert dates.window_label == "2026-12-01..2026-12-03"
    assert not is_empty_window(dates)
    assert is_empty_window(parse(SearchParams(date_to="2026-11-01"), NOW))  # entirely in the past


def test_fingerprint_ignores_the_clock_and_order_of_categories() -> None:
    a = parse(SearchParams(q="Джаз", categories=("concert", "festival")), NOW)
    b = parse(SearchParams(q="джаз!", categories=("festival", "concert")), NOW + timedelta(minutes=5))
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != parse(SearchParams(q="джаз", page=2), NOW).fingerprint()
    assert a.fingerprint() != parse(SearchParams(q="джаз", categories=("concert",), kids=False), NOW).fingerprint()


def test_documents_follow_the_index_rules() -> None:
    later = Session(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=2))
    sooner = Session(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=2))
    inverted = Session(NOW, NOW - timedelta(hours=1))
    doc = make_document(slug="s", version=1, title="  Ёлка  ", description="", category="kids",
                        tags=("Для детей", "для детей ", " "), city="moscow", place_name="", place_address="",
                        location=None, sessions=(later, inverted, sooner), is_free=True, kids=False,
                        price_min=0, price_max=0, age_restriction=0, image="")
    assert doc.kids is True  # category kids implies the kids flag
    assert doc.title == "Ёлка"
    assert doc.tags == ("для детей",)
    assert doc.sessions == (sooner, later)
