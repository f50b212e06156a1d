"""event-service through Envoy: browsing, every filter, pagination, cards, cache."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from auth_support import Account, assert_bad_request
from catalog_support import TEST_LAT, TEST_LON, at, event_body, list_all, publish

from services.runtime.time_windows import window

MSK = ZoneInfo("Europe/Moscow")
NEAR = {"lat": TEST_LAT, "lon": TEST_LON, "radius": 3000}


def _slugs(events: list[dict]) -> list[str]:
    return [e["slug"] for e in events]


def _msk_midnight(days_from_today: int) -> datetime:
    today = datetime.now(MSK).date() + timedelta(days=days_from_today)
    return datetime(today.year, today.month, today.day, tzinfo=MSK)


@pytest.fixture(scope="module")
def corner(http: httpx.Client, admin: Account) -> dict[str, dict]:
    """A small, known catalog in an otherwise empty corner of the map."""
    tag = uuid.uuid4().hex[:6]
    # Inside this weekend's window whatever the day and hour the suite runs.
    weekend = window(datetime.now(UTC), when="weekend").start + timedelta(minutes=1)
    specs = {
        "tonight": event_body(slug=f"t-{tag}-tonight", starts=[at(hours=-0.5)], hours=1.5),  # on now
        "tomorrow": event_body(slug=f"t-{tag}-tomorrow", category="theatre", title="Спектакль «Чайка»",
                               starts=[_msk_midnight(1) + timedelta(hours=19)]),
        "weekend": event_body(slug=f"t-{tag}-weekend", category="exhibition", title="Выставка графики",
                              starts=[weekend]),
        "free-kids": event_body(slug=f"t-{tag}-free-kids", category="kids", title="Детский праздник",
                                is_free=True, kids=True, starts=[at(days=3)]),
        "later": event_body(slug=f"t-{tag}-later", category="lecture", title="Лекция об архитектуре",
                            is_free=True, starts=[at(days=20)]),
        "spb": event_body(slug=f"t-{tag}-spb", city="spb", title="Концерт в Петербурге", starts=[at(days=4)]),
        "far": event_body(slug=f"t-{tag}-far", lat=TEST_LAT + 0.2, starts=[at(days=2)]),  # ~22 km north
        "past": event_body(slug=f"t-{tag}-past", starts=[at(days=-3)]),
    }
    return {name: publish(http, admin, body) for name, body in specs.items()}


def test_list_is_sorted_by_next_start_and_hides_past_events(http: httpx.Client, corner: dict) -> None:
    events, total = list_all(http, {**NEAR, "pageSize": 100})
    mine = [e for e in events if e["slug"].startswith(corner["tonight"]["slug"][:8])]
    starts = [e["nextStartTime"] for e in mine]
    assert starts == sorted(starts)
    assert corner["past"]["slug"] not in _slugs(events)
    assert corner["far"]["slug"] not in _slugs(events)
    assert total == len(events)


@pytest.mark.parametrize(("params", "expected"), [
    ({"category": "theatre"}, {"tomorrow"}),
    ({"category": ["theatre", "exhibition"]}, {"tomorrow", "weekend"}),
    ({"isFree": "true"}, {"free-kids", "later"}),
    ({"kids": "true"}, {"free-kids"}),
    ({"city": "spb"}, {"spb"}),
])
def test_filters(http: httpx.Client, corner: dict, params: dict, expected: set[str]) -> None:
    events, _ = list_all(http, {**NEAR, **params, "pageSize": 100})
    found = {name for name, e in corner.items() if e["slug"] in _slugs(events)}
    assert found == expected


def test_when_today_weekend_week(http: httpx.Client, corner: dict) -> None:
    def names(when: str) -> set[str]:
        events, _ = list_all(http, {**NEAR, "when": when, "pageSize": 100})
        return {name for name, e in corner.items() if e["slug"] in _slugs(events)}

    assert "tonight" in names("today") and "later" not in names("today")
    assert "weekend" in names("weekend") and "later" not in names("weekend")
    assert {"tonight", "tomorrow", "free-kids", "spb"} <= names("week")
    assert "later" not in names("week")


def test_when_tomorrow(http: httpx.Client, corner: dict) -> None:
    # Which events fall into "tomorrow" depends on the Moscow day and hour of the run: on
    # a Friday it is the Saturday of the weekend event, near midnight "tonight" runs into
    # it. So the expectation comes from the sessions themselves, computed as of now.
    tomorrow = window(datetime.now(UTC), when="tomorrow")
    assert tomorrow.end is not None
    expected = {name for name, e in corner.items() if name != "far"  # outside NEAR
                and any(datetime.fromisoformat(s["endTime"]) > tomorrow.start
                       and datetime.fromisoformat(s["startTime"]) < tomorrow.end for s in e["sessions"])}
    events, _ = list_all(http, {**NEAR, "when": "tomorrow", "pageSize": 100})
    assert "tomorrow" in expected and "later" not in expected
    assert {name for name, e in corner.items() if e["slug"] in _slugs(events)} == expected


def test_date_range_is_inclusive(http: httpx.Client, corner: dict) -> None:
    day = (datetime.now(UTC) + timedelta(days=20)).astimezone(MSK).date().isoformat()
    events, _ = list_all(http, {**NEAR, "dateFrom": day, "dateTo": day})
    assert corner["later"]["slug"] in _slugs(events)
    assert corner["tomorrow"]["slug"] not in _slugs(events)


def test_radius_filter(http: httpx.Client, corner: dict) -> None:
    wide, _ = list_all(http, {"lat": TEST_LAT, "lon": TEST_LON, "radius": 30000, "pageSize": 100})
    assert corner["far"]["slug"] in _slugs(wide)


def test_pagination_walks_the_whole_catalog_once(http: httpx.Client) -> None:
    events, total = list_all(http, {"pageSize": 37})
    slugs = _slugs(events)
    assert len(slugs) == len(set(slugs)) == total
    assert total >= 500  # the demo city
    # Compared as instants: RFC 3339 strings with and without fractional seconds do not
    # sort as text ("...:00Z" > "...:00.5Z").
    keys = [(datetime.fromisoformat(e["nextStartTime"]), e["slug"]) for e in events]
    assert keys == sorted(keys)


def test_page_token_is_bound_to_its_filters(http: httpx.Client) -> None:
    first = http.get("/api/v1/events", params={"pageSize": 5, "city": "moscow"}).json()
    assert first["nextPageToken"]
    reply = http.get("/api/v1/events", params={"pageSize": 5, "city": "spb", "pageToken": first["nextPageToken"]})
    assert_bad_request(reply, "pageToken")
    assert_bad_request(http.get("/api/v1/events", params={"pageToken": "garbage!"}), "pageToken")


@pytest.mark.parametrize(("params", "field"), [
    ({"pageSize": 1000}, "pageSize"),
    ({"when": "yesterday"}, "when"),
    ({"dateFrom": "2026-13-40"}, "dateFrom"),
    ({"city": "kazan"}, "city"),
    ({"lat": 100, "lon": 37, "radius": 10}, "lat"),
])
def test_bad_filters_are_400_naming_the_field(http: httpx.Client, params: dict, field: str) -> None:
    assert_bad_request(http.get("/api/v1/events", params=params), field)


def test_unknown_query_parameter_is_400(http: httpx.Client) -> None:
    reply = http.get("/api/v1/events", params={"categroy": "concert"})
    assert reply.status_code == 400
    assert "categroy" in reply.json()["message"]


def test_card_and_unknown_slug(http: httpx.Client, corner: dict) -> None:
    card = http.get(f"/api/v1/events/{corner['free-kids']['slug']}").json()
    assert card["title"] == "Детский праздник"
    assert card["isFree"] is True and card["kids"] is True
    assert card["place"]["lat"] == pytest.approx(TEST_LAT)
    assert card["sessions"] and card["rating"] == {"average": 0, "count": 0}
    missing = http.get("/api/v1/events/no-such-event-anywhere")
    assert missing.status_code == 404
    assert missing.json()["details"][0]["reason"] == "EVENT_NOT_FOUND"


def test_update_by_slug_replaces_sessions_and_invalidates_cache(
        http: httpx.Client, admin: Account) -> None:
    body = event_body(title="Концерт до обновления", starts=[at(days=5)])
    publish(http, admin, body)
    params = {**NEAR, "pageSize": 100}
    before, _ = list_all(http, params)  # now cached
    assert body["slug"] in _slugs(before)
    assert http.get(f"/api/v1/events/{body['slug']}").json()["title"] == "Концерт до обновления"

    updated = publish(http, admin, {**body, "title": "Концерт после обновления",
                                    "sessions": event_body(starts=[at(days=6), at(days=7)])["sessions"]})
    assert len(updated["sessions"]) == 2
    after, _ = list_all(http, params)
    assert {e["slug"]: e["title"] for e in after}[body["slug"]] == "Концерт после обновления"
    assert http.get(f"/api/v1/events/{body['slug']}").json()["title"] == "Концерт после обновления"


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "Not A Slug"}, "event.slug"),
    ({"category": "rave"}, "event.category"),
    ({"sessions": []}, "event.sessions"),
    ({"ageRestriction": 21}, "event.ageRestriction"),
    # The contract's rules between fields (CEL), each on the field to blame
    ({"isFree": True, "price": {"min": 0, "max": 100}}, "event.price"),  # free but priced
    ({"price": {"min": 0, "max": 0}}, "event.price"),  # paid without a price
    ({"price": {"min": 900, "max": 100}}, "event.price.min"),
    ({"kids": True, "ageRestriction": 16}, "event.ageRestriction"),  # kids: 6+ at most
    ({"category": "kids", "ageRestriction": 12}, "event.ageRestriction"),
    # Bounds that stop poison at the door (a five-century session once blocked the indexer)
    ({"sessions": [{"startTime": "2026-12-05T17:00:00Z", "endTime": "2526-12-05T19:00:00Z"}]},
     "event.sessions.endTime"),
    ({"sessions": [{"startTime": "2026-12-05T17:00:00Z", "endTime": "2027-01-06T17:00:00Z"}]},
     "event.sessions.endTime"),  # 32 days
    ({"sessions": [{"startTime": "1999-12-31T17:00:00Z", "endTime": "1999-12-31T19:00:00Z"}]},
     "event.sessions.startTime"),
    ({"sessions": [{"startTime": "2026-12-05T17:00:00Z", "endTime": "2026-12-05T19:00:00Z"}] * 501},
     "event.sessions"),
    ({"price": {"min": 100, "max": 200, "currency": "roubles"}}, "event.price.currency"),
    ({"images": ["x" * 301]}, "event.images"),
])
def test_publish_validation_names_the_field(http: httpx.Client, admin: Account, change: dict, field: str) -> None:
    reply = http.post("/api/v1/events", json={**event_body(), **change}, headers=admin.headers)
    assert_bad_request(reply, field)
