"""gamification-service's pure domain: levels, rules and caps, badges, Moscow periods,
districts of the shipped (approximate) polygons."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from services.gamification.domain.badges import BADGES, DISTRICTS_TO_EXPLORE, Progress, earned
from services.gamification.domain.boards import board_key, boards_of, city_of_profile
from services.gamification.domain.calendar import moscow_day, period_key
from services.gamification.domain.districts import DISTRICTS_FILE, DistrictMap
from services.gamification.domain.levels import level_for, level_start, next_level_xp
from services.gamification.domain.rules import RULES, EventInfo, Fact, decide, rules_for

NOON = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def test_level_curve() -> None:
    assert [level_start(n) for n in range(1, 6)] == [0, 100, 300, 600, 1000]
    assert level_for(0) == 1 and level_for(99) == 1 and level_for(100) == 2 and level_for(299) == 2
    assert level_for(300) == 3 and level_for(10**9) == 4472
    assert next_level_xp(0) == 100 and next_level_xp(100) == 300 and next_level_xp(150) == 300
    for xp in range(0, 20_000, 7):  # the closed form agrees with the definition
        n = level_for(xp)
        assert level_start(n) <= xp < level_start(n + 1)


def test_every_kind_starts_with_a_rule_that_pays_more_than_once() -> None:
    # awarding.record_fact keys a fact's idempotency on the first rule of its kind.
    for kind in {r.kind for r in RULES}:
        assert not rules_for(kind)[0].once


def test_daily_cap_and_once_rules() -> None:
    fact = Fact("u1", "a1", "review", NOON)
    assert [a.xp for a in decide(fact, {}, {})] == [25]
    assert [a.xp for a in decide(fact, {"review": 2}, {"review": 2})] == [25]
    capped = decide(fact, {"review": 3}, {"review": 3})
    assert [a.xp for a in capped] == [0] and capped[0].capped
    ticket = Fact("u1", "order-1", "ticket_paid", NOON)
    assert [(a.rule.id, a.xp) for a in decide(ticket, {}, {})] == [("ticket", 20), ("first-ticket", 100)]
    assert [(a.rule.id, a.xp) for a in decide(ticket, {}, {"first-ticket": 1})] == [("ticket", 20)]
    assert decide(Fact("u1", "x", "unfavourite", NOON), {}, {}) == []


def test_moscow_day_is_not_the_utc_day() -> None:
    late_utc = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)  # 00:30 on 1 December in Moscow
    assert moscow_day(late_utc) == date(2026, 12, 1)
    assert period_key("month", late_utc) == "m2026-12"
    assert period_key("week", datetime(2026, 11, 29, 21, 0, tzinfo=UTC)) == "w2026-49"  # Monday 00:00 MSK
    assert period_key("week", datetime(2026, 11, 29, 20, 59, tzinfo=UTC)) == "w2026-48"
    assert period_key("all", late_utc) == "all"


def test_boards_of_an_award() -> None:
    assert boards_of(date(2026, 11, 30), "spb") == [
        "gam:lb:global:w2026-49", "gam:lb:city:spb:w2026-49", "gam:lb:global:m2026-11", "gam:lb:city:spb:m2026-11",
        "gam:lb:global:all", "gam:lb:city:spb:all"]
    assert boards_of(date(2026, 11, 30), "") == ["gam:lb:global:w2026-49", "gam:lb:global:m2026-11",
                                                "gam:lb:global:all"]
    assert board_key("city", "all", "moscow") == "gam:lb:city:moscow:all"
    assert city_of_profile("Москва") == "moscow" and city_of_profile(" г. Санкт-Петербург ") == "spb"
    assert city_of_profile("Казань") == ""


@pytest.fixture(scope="module")
def districts() -> DistrictMap:
    return DistrictMap.load()


@pytest.mark.parametrize(("lat", "lon", "district"), [
    (55.7601, 37.6186, "moscow:cao"),    # Большой театр
    (55.7277, 37.6013, "moscow:cao"),    # «Гараж», Парк Горького (Якиманка)
    (55.8297, 37.6336, "moscow:svao"),   # ВДНХ (Останкинский)
    (55.7925, 37.6745, "moscow:vao"),    # Сокольники
    (55.6155, 37.6860, "moscow:yuao"),   # Царицыно
    (55.6673, 37.6707, "moscow:yuao"),   # Коломенское
    (55.8050, 37.5855, "moscow:sao"),    # «Флакон» (Тимирязевский)
    (55.6760, 37.5050, "moscow:zao"),    # Тропарёво-Никулино... (ЗАО)
    (55.8260, 37.4380, "moscow:szao"),   # Тушино
    (55.6870, 37.7630, "moscow:yuvao"),  # Люблино
    (55.6710, 37.5530, "moscow:yuzao"),  # Черёмушки
    (59.9398, 30.3146, "spb:tsentralny"),        # Эрмитаж
    (59.9257, 30.2962, "spb:admiralteysky"),     # Мариинский театр
    (59.9420, 30.2500, "spb:vasileostrovsky"),   # Васильевский остров
    (59.9560, 30.3000, "spb:petrogradsky"),      # Петроградская сторона
    (59.8520, 30.3210, "spb:moskovsky"),         # Московская площадь
    (60.0030, 30.2550, "spb:primorsky"),         # Старая Деревня
])
def test_known_places_fall_in_their_district(districts: DistrictMap, lat: float, lon: float, district: str) -> None:
    found = districts.locate(lat, lon)
    assert found is not None and found.key == district


def test_districts_file_covers_both_cities(districts: DistrictMap) -> None:
    assert districts.cities() == {"moscow": 9, "spb": 18}
    assert districts.locate(55.0, 30.0) is None  # far outside
    data = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    assert "approximate" in data["properties"]["note"]
    assert all(f["properties"]["names"]["ru"] for f in data["features"])


def _fact(hour_utc: int = 9, kind: str = "check_in") -> Fact:
    return Fact("u1", "a", kind, datetime(2026, 11, 30, hour_utc, 0, tzinfo=UTC),
                EventInfo("e", "theatre", "moscow", "moscow:cao"))


def test_badges() -> None:
    ids = lambda progress, fact, held=frozenset(): {b.id for b in earned(progress, fact, set(held))}  # noqa: E731
    assert len(BADGES) >= 10
    assert ids(Progress(), _fact()) == set()
    assert ids(Progress(facts={"check_in": 1}), _fact()) == {"first-check-in"}
    assert ids(Progress(), _fact(hour_utc=22)) == {"night-owl"}  # 01:00 in Moscow
    assert ids(Progress(), _fact(hour_utc=2)) == set()  # 05:00 in Moscow: morning
    assert ids(Progress(), _fact(hour_utc=21)) == {"night-owl"}  # 00:00 in Moscow
    explorer = Progress(districts_by_city={"moscow": DISTRICTS_TO_EXPLORE})
    assert "district-explorer" in ids(explorer, _fact())
    assert "district-explorer" not in ids(Progress(districts_by_city={"moscow": DISTRICTS_TO_EXPLORE - 1,
                                                                     "spb": 1}), _fact())
    assert "two-capitals" in ids(Progress(districts_by_city={"moscow": 1, "spb": 1}), _fact())
    assert "theatre-goer" in ids(Progress(visited_by_category={"theatre": 5}), _fact())
    assert "theatre-goer" not in ids(Progress(visited_by_category={"theatre": 4}), _fact())
    assert ids(Progress(facts={"ticket_paid": 1, "review": 1}), _fact()) == {"first-ticket", "first-review"}
    assert ids(Progress(facts={"review": 10}), _fact(), {"first-review"}) == {"critic"}
    assert ids(Progress(level=5), _fact()) == {"level-5"}
