"""The rules of a published event stated in the contract (CEL and field rules of
kulturago.event.v1.Event, proto/kulturago/event/v1/event_service.proto), as the runtime's
validation enforces them before any handler: each names the field to blame."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format

from kulturago.event.v1 import event_service_pb2 as pb
from services.runtime.errors import InvalidArgument
from services.runtime.rpc.validation import validate

START = "2026-12-05T17:00:00Z"


def _event(**change: Any) -> dict[str, Any]:
    body = {"slug": "jazz", "title": "Джаз на крыше", "category": "concert", "city": "moscow",
            "place": {"name": "Крыша", "lat": 55.75, "lon": 37.66},
            "sessions": [{"startTime": START, "endTime": "2026-12-05T19:00:00Z"}],
            "price": {"min": 1500, "max": 3000}, "ageRestriction": 12}
    return {k: v for k, v in {**body, **change}.items() if v is not None}


def _fields(event: dict[str, Any]) -> list[str]:
    request = pb.PublishEventRequest(event=json_format.ParseDict(event, pb.Event()))
    try:
        validate(request)
    except InvalidArgument as error:
        return [v.field for v in error.violations]
    return []


def _session(start: str, end: str) -> dict[str, Any]:
    return {"sessions": [{"startTime": start, "endTime": end}]}


def test_a_valid_event_passes() -> None:
    assert _fields(_event()) == []


@pytest.mark.parametrize(("change", "fields"), [
    # between fields (message CEL rules, reported on the field their id starts with)
    ({"price": None}, ["event.price"]),  # paid without a price
    ({"price": {"min": 0, "max": 0}}, ["event.price"]),
    ({"isFree": True}, ["event.price"]),  # free but priced
    ({"price": {"min": 3000, "max": 1500}}, ["event.price.min"]),
    ({"kids": True}, ["event.ageRestriction"]),  # rated 12+
    ({"category": "kids", "ageRestriction": 16}, ["event.ageRestriction"]),
    # bounds against poison input
    (_session(START, "2526-12-05T19:00:00Z"), ["event.sessions.endTime", "event.sessions.endTime"]),
    (_session(START, "2027-01-05T17:00:01Z"), ["event.sessions.endTime"]),  # 31 days and a second
    (_session("1999-12-31T23:00:00Z", "2000-01-01T01:00:00Z"), ["event.sessions.startTime"]),
    (_session("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
     ["event.sessions.startTime", "event.sessions.endTime"]),  # no CEL overflow, no 500
    (_session("2026-12-05T19:00:00Z", START), ["event.sessions.endTime"]),
    ({"sessions": [{"startTime": START, "endTime": "2026-12-05T19:00:00Z"}] * 501}, ["event.sessions"]),
    ({"price": {"min": 0, "max": 20_000_000}}, ["event.price.max"]),
    ({"price": {"min": 1, "max": 2, "currency": "roubles"}}, ["event.price.currency"]),
    ({"images": ["x" * 301]}, ["event.images"]),
    ({"images": [f"events/jazz/{i}.jpg" for i in range(21)]}, ["event.images"]),
    ({"sessions": [{"startTime": START, "endTime": "2026-12-05T19:00:00Z",
                    "tiers": [{"id": "a", "name": "A", "price": 100, "capacity": 1}],
                    "seats": [{"id": "A-1", "tierId": "t" * 41}]}], "ticketProvider": "kulturago"},
     ["event.sessions.seats.tierId"]),
])
def test_each_rule_names_its_field(change: dict[str, Any], fields: list[str]) -> None:
    assert _fields(_event(**change)) == fields


@pytest.mark.parametrize("change", [
    {"isFree": True, "price": None},
    {"isFree": True, "price": {"min": 0, "max": 0}},
    {"kids": True, "ageRestriction": 6},
    {"category": "kids", "ageRestriction": 0},
    _session(START, "2027-01-05T17:00:00Z"),  # exactly 31 days
    # paid, the price range taken from the tiers of our own sales
    {"price": None, "ticketProvider": "kulturago",
     "sessions": [{"startTime": START, "endTime": "2026-12-05T19:00:00Z",
                   "tiers": [{"id": "parter", "name": "Партер", "price": 250000, "capacity": 100}]}]},
])
def test_what_the_rules_allow(change: dict[str, Any]) -> None:
    assert _fields(_event(**change)) == []


def test_a_rule_whose_id_starts_with_a_field_names_it_in_requests_too() -> None:
    with pytest.raises(InvalidArgument) as error:
        validate(pb.ListEventsRequest(when="today", date_from="2026-12-01"))  # when.excludes_dates
    assert [v.field for v in error.value.violations] == ["when"]
    with pytest.raises(InvalidArgument) as error:
        validate(pb.ListEventsRequest(lat=55.0))  # geo.complete: no field `geo`, so the request
    assert [v.field for v in error.value.violations] == ["request"]
