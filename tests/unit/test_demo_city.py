"""Unit tests for the deterministic demo catalog (kgo.demo_city)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from functools import cache

import pytest

from kgo.demo_city import (
    CATEGORIES,
    CITIES,
    CITY_BOUNDS,
    POI_CATEGORIES,
    DemoEvent,
    DemoPoi,
    generate_events,
    generate_pois,
    slugify,
    transliterate,
    venues,
    weekend_dates,
)
from kgo.demo_city.places import venue_infos

START = date(2025, 6, 4)  # a Wednesday
DAYS = 60
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


@cache
def _events(count: int = 2000, seed: int = 42, start: date = START, days: int = DAYS) -> tuple[DemoEvent, ...]:
    # Cached: several tests inspect the same catalog and generation is the slow part.
    return tuple(generate_events(count, start=start, days=days, seed=seed))


@cache
def _pois(count: int = 20_000, seed: int = 7) -> tuple[DemoPoi, ...]:
    return tuple(generate_pois(count, seed=seed))


def _in_bounds(city: str, lat: float, lon: float) -> bool:
    lat_min, lat_max, lon_min, lon_max = CITY_BOUNDS[city]
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


# --- transliteration --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Выставка современных художников", "Vystavka sovremennyh hudozhnikov"),
        ("Щукин и Ёлкин", "Schukin i Elkin"),
        ("Чайковский", "Chaykovskiy"),
        ("подъезд, Юла, яхта", "podezd, Yula, yahta"),
        ("ГЭС-2 and Garage 2024", "GES-2 and Garage 2024"),
    ],
)
def test_transliterate_examples(text: str, expected: str) -> None:
    assert transliterate(text) == expected


def test_slugify_format_and_truncation() -> None:
    assert slugify("Выставка современных художников «Новая волна»") == (
        "vystavka-sovremennyh-hudozhnikov-novaya-volna"
    )
    assert slugify("Концерт: Чайковский и Рахманинов!") == "kontsert-chaykovskiy-i-rahmaninov"
    long = slugify("Экскурсия по дворикам Петроградской стороны " * 5, max_len=40)
    assert len(long) <= 40 and SLUG_RE.match(long)
    assert not long.endswith("-")


# --- venues -----------------------------------------------------------------


def test_venues_are_real_and_inside_their_city() -> None:
    for city in CITIES:
        places = venues(city)
        assert len(places) >= 30
        assert len({p.name for p in places}) == len(places)
        for p in places:
            assert p.city == city
            assert p.name and p.address
            assert _in_bounds(city, p.lat, p.lon), p
    moscow = {p.name for p in venues("moscow")}
    spb = {p.name for p in venues("spb")}
    assert {"Большой театр", "Концертный зал «Зарядье»", "Новая Третьяковка"} <= moscow
    assert {"Государственный Эрмитаж", "Мариинский театр", "Новая Голландия"} <= spb


def test_venues_rejects_unknown_city() -> None:
    with pytest.raises(ValueError):
        venues("kazan")


def test_every_category_has_a_venue_in_every_city() -> None:
    for city in CITIES:
        hosted = {h for v in venue_infos(city) for h in v.hosts}
        assert set(CATEGORIES) <= hosted, city
        assert all(v.poi_category in POI_CATEGORIES for v in venue_infos(city))


# --- events -----------------------------------------------------------------


def test_events_count_and_streaming() -> None:
    assert len(_events()) == 2000
    assert list(generate_events(0, start=START)) == []
    gen = generate_events(5, start=START)
    assert next(iter(gen)).category in CATEGORIES  # lazily consumable


def test_events_are_deterministic() -> None:
    again = tuple(generate_events(2000, start=START, days=DAYS, seed=42))
    assert again == _events()
    # A shorter run is a prefix of a longer one: seeding scripts can resume.
    assert tuple(generate_events(300, start=START, days=DAYS, seed=42)) == _events()[:300]


def test_different_seed_gives_different_events() -> None:
    other = tuple(generate_events(200, start=START, days=DAYS, seed=43))
    base = _events()[:200]
    assert [e.title for e in other] != [e.title for e in base]


def test_event_slugs_unique_and_well_formed() -> None:
    events = _events()
    slugs = [e.slug for e in events]
    assert len(set(slugs)) == len(slugs)
    for e in events:
        assert len(e.slug) <= 80
        assert SLUG_RE.match(e.slug), e.slug
        assert e.slug.isascii()
        assert all(img.startswith(f"events/{e.slug}/") and img.endswith(".jpg") for img in e.images)
        assert 1 <= len(e.images) <= 3


def test_event_fields_are_within_contract() -> None:
    for e in _events():
        assert e.category in CATEGORIES
        assert e.city in CITIES
        assert e.place.city == e.city
        assert e.place in venues(e.city)
        assert 2 <= len(e.tags) <= 5
        assert len(set(e.tags)) == len(e.tags)
        assert all(t == t.lower() and t for t in e.tags)
        assert e.age_restriction in (0, 6, 12, 16, 18)
        assert e.ticket_provider in ("kassir", "ticketscloud", "")
        assert 0 <= e.price_min <= e.price_max
        assert re.search(r"[а-яё]", e.title, re.IGNORECASE)
        sentences = SENTENCE_END_RE.split(e.description.strip())
        assert 2 <= len(sentences) <= 4, e.description
        assert all(s[-1] in ".!?" for s in sentences)


def test_events_happen_at_venues_that_host_their_category() -> None:
    hosts = {v.place: v.hosts for city in CITIES for v in venue_infos(city)}
    for e in _events():
        assert e.category in hosts[e.place], (e.title, e.place.name)


def test_free_events_have_zero_price_and_paid_events_do_not() -> None:
    events = _events()
    for e in events:
        if e.is_free:
            assert e.price_min == 0 and e.price_max == 0
        else:
            assert e.price_min > 0 and e.ticket_provider
    free = [e for e in events if e.is_free]
    assert 0.14 <= len(free) / len(events) <= 0.26
    leading = {"lecture", "tour", "festival", "exhibition", "kids"}
    assert sum(e.category in leading for e in free) / len(free) >= 0.8


def test_kids_events_share_and_age_limit() -> None:
    events = _events()
    kids = [e for e in events if e.kids]
    assert 0.10 <= len(kids) / len(events) <= 0.20
    assert all(e.age_restriction <= 6 for e in kids)
    assert all(e.kids for e in events if e.category == "kids")
    assert not any(e.kids for e in events if e.category == "standup")


def test_city_split_is_roughly_60_40() -> None:
    share = Counter(e.city for e in _events())["moscow"] / len(_events())
    assert 0.55 <= share <= 0.65


def test_every_category_present_with_50_events() -> None:
    events = list(generate_events(50, start=START, seed=123))
    assert {e.category for e in events} == set(CATEGORIES)
    assert {(e.city, e.category) for e in events} == {(c, k) for c in CITIES for k in CATEGORIES}


def test_sessions_sorted_and_inside_window() -> None:
    window_end = START + timedelta(days=DAYS)
    for e in _events():
        assert 1 <= len(e.sessions) <= 6
        starts = [s.start for s in e.sessions]
        assert starts == sorted(starts)
        for s in e.sessions:
            assert s.start.tzinfo is not None and s.start.utcoffset() == timedelta(hours=3)
            assert START <= s.start.date() < window_end
            assert s.end > s.start


@pytest.mark.parametrize("start", [START, date(2025, 6, 7), date(2025, 6, 8), date(2025, 12, 29)])
def test_today_and_weekend_coverage_per_city_and_category(start: date) -> None:
    events = _events(count=300, start=start)
    weekend = set(weekend_dates(start))
    for city in CITIES:
        for cat in CATEGORIES:
            mine = [e for e in events if e.city == city and e.category == cat]
            days = {s.start.date() for e in mine for s in e.sessions}
            assert start in days, (city, cat, "today")
            assert days & weekend, (city, cat, "weekend")


def test_weekend_dates() -> None:
    assert weekend_dates(date(2025, 6, 4)) == (date(2025, 6, 7), date(2025, 6, 8))  # Wed
    assert weekend_dates(date(2025, 6, 7)) == (date(2025, 6, 7), date(2025, 6, 8))  # Sat
    assert weekend_dates(date(2025, 6, 8)) == (date(2025, 6, 8),)  # Sun


def test_short_window_still_covers_today() -> None:
    events = list(generate_events(40, start=START, days=1))
    assert all(s.start.date() == START for e in events for s in e.sessions)


def test_search_sensitive_titles_exist() -> None:
    titles = [e.title for e in _events()]
    assert any(t.startswith("Выставка") and "художников" in t for t in titles)
    assert any(t.startswith("Концерт") for t in titles if t)
    concerts = [e.title for e in _events() if e.category == "concert"]
    assert sum(t.startswith("Концерт") for t in concerts) / len(concerts) > 0.5
    # Titles are varied, not a handful of templates.
    assert len(set(titles)) > 500


def test_opera_and_ballet_play_in_opera_houses() -> None:
    opera_houses = {v.place for c in CITIES for v in venue_infos(c) if "opera" in v.hosts}
    for e in _events():
        if e.title.startswith(("Балет ", "Опера ")):
            assert e.place in opera_houses, (e.title, e.place.name)


def test_invalid_event_arguments() -> None:
    with pytest.raises(ValueError):
        generate_events(-1, start=START)
    with pytest.raises(ValueError):
        generate_events(10, start=START, days=0)


# --- POIs -------------------------------------------------------------------


def test_pois_start_with_real_landmarks() -> None:
    pois = _pois()
    real = {(p.name, p.city) for city in CITIES for p in venues(city)}
    n_real = len(real)
    assert {(p.name, p.city) for p in pois[:n_real]} == real


def test_pois_fields_bounds_and_unique_ids() -> None:
    pois = _pois()
    assert len(pois) == 20_000
    ids = [p.osm_id for p in pois]
    assert len(set(ids)) == len(ids)
    assert all(i > 0 for i in ids)
    for p in pois:
        assert p.category in POI_CATEGORIES
        assert p.city in CITIES
        assert p.name and p.address
        assert _in_bounds(p.city, p.lat, p.lon), p
    assert {p.category for p in pois} == set(POI_CATEGORIES)
    share = Counter(p.city for p in pois)["moscow"] / len(pois)
    assert 0.57 <= share <= 0.63


def test_pois_denser_near_centre() -> None:
    # Within ~3 km of the Kremlin there should be far more pins than in an
    # equally sized box on the outskirts.
    moscow = [p for p in _pois() if p.city == "moscow"]
    centre = sum(abs(p.lat - 55.7558) < 0.03 and abs(p.lon - 37.6173) < 0.05 for p in moscow)
    edge = sum(abs(p.lat - 55.60) < 0.03 and abs(p.lon - 37.45) < 0.05 for p in moscow)
    assert centre > 10 * max(edge, 1)


def test_pois_deterministic_and_seed_sensitive() -> None:
    assert tuple(generate_pois(20_000, seed=7)) == _pois()
    assert tuple(generate_pois(500, seed=7)) == _pois()[:500]
    other = list(generate_pois(500, seed=8))
    assert [p.name for p in other] != [p.name for p in _pois()[:500]]


def test_generate_pois_200k_streams() -> None:
    count = 0
    ids: set[int] = set()
    for p in generate_pois(200_000):
        count += 1
        ids.add(p.osm_id)
    assert count == 200_000
    assert len(ids) == 200_000


def test_invalid_poi_arguments() -> None:
    with pytest.raises(ValueError):
        generate_pois(-5)
