"""Each word list of the API (categories, cities, `when`, travel modes, POI categories)
is defined in the contracts, as a buf.validate `in` rule, and checked by protovalidate
in every service the same way; Python reads the lists from the descriptors
(services/runtime/vocabulary.py) and keeps only data keyed by them, which must agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.message import Message

from kgo import demo_city
from kulturago.event.v1 import event_service_pb2 as event_pb
from kulturago.geo.v1 import geo_service_pb2 as geo_pb
from kulturago.search.v1 import search_service_pb2 as search_pb
from services.geo.adapters.vocabulary import POI_CATEGORIES
from services.geo.domain.eta import MODES
from services.geo.domain.model import CITY_BOXES
from services.runtime.rpc.validation import violations_of
from services.runtime.time_windows import window
from services.runtime.vocabulary import words
from services.search.domain.model import KIDS_CATEGORY

CATEGORIES = words(event_pb.Event, "category")
CITIES = words(event_pb.Event, "city")
WHEN = words(event_pb.ListEventsRequest, "when")


def test_words_reads_the_in_rule_in_proto_order_without_the_empty_word() -> None:
    assert CATEGORIES[:3] == ("concert", "exhibition", "theatre") and len(CATEGORIES) == 10
    assert WHEN == ("today", "tomorrow", "weekend", "week")  # "" (no window) is allowed, not a word
    assert words(geo_pb.GetEtaRequest, "mode") == ("walk", "car", "transit")


def test_a_field_without_a_vocabulary_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"Event\.title has no"):
        words(event_pb.Event, "title")


@pytest.mark.parametrize(("vocabulary", "fields"), [
    (CATEGORIES, [(event_pb.ListEventsRequest, "category"), (search_pb.SearchRequest, "category")]),
    (CITIES, [(event_pb.ListEventsRequest, "city"), (search_pb.SearchRequest, "city")]),
    (WHEN, [(search_pb.SearchRequest, "when")]),
], ids=["category", "city", "when"])
def test_every_field_of_a_vocabulary_has_the_same_words(vocabulary: tuple[str, ...],
                                                        fields: list[tuple[type[Message], str]]) -> None:
    for message, field in fields:
        assert words(message, field) == vocabulary, f"{message.DESCRIPTOR.full_name}.{field}"


def test_data_keyed_by_a_vocabulary_covers_exactly_its_words() -> None:
    assert set(MODES) == set(words(geo_pb.GetEtaRequest, "mode"))
    assert set(CITY_BOXES) == set(CITIES)
    assert KIDS_CATEGORY in CATEGORIES  # the category that implies the kids flag
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    for when in WHEN:  # each named window is a bounded one, not the default "from now on"
        assert window(now, when=when).end is not None, when


def test_the_demo_city_speaks_the_contracts_words() -> None:
    assert demo_city.CATEGORIES == CATEGORIES
    assert demo_city.CITIES == CITIES
    assert set(demo_city.POI_CATEGORIES) == POI_CATEGORIES


@pytest.mark.parametrize(("request_message", "field"), [
    (event_pb.ListEventsRequest(category=["concert", "opera"]), "category"),
    (search_pb.SearchRequest(category=["opera"]), "category"),
    (event_pb.ListEventsRequest(city="kazan"), "city"),
    (search_pb.SearchRequest(city="kazan"), "city"),
    (event_pb.ListEventsRequest(when="someday"), "when"),
    (geo_pb.ListNearbyRequest(lat=55.75, lon=37.61, category="casino"), "category"),
    (geo_pb.GetEtaRequest(**{"from": "55.75,37.61", "to": "55.74,37.62", "mode": "plane"}), "mode"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_an_unknown_word_is_refused_naming_its_field(request_message: Message, field: str) -> None:
    assert [v.field for v in violations_of(request_message)] == [field]


def test_known_words_pass() -> None:
    assert violations_of(event_pb.ListEventsRequest(category=list(CATEGORIES), city="spb", when="weekend")) == []
    assert violations_of(search_pb.SearchRequest(category=list(CATEGORIES), city="moscow")) == []
    assert violations_of(geo_pb.ListNearbyRequest(lat=55.75, lon=37.61, category="concert_hall")) == []
