"""Events the demo city sells itself (ticket_provider `kulturago`): general admission,
assigned seating, and a tiny one that sells out at once; and two whose inventory a
vendor holds (`vendor_events`: TicketsCloud, Kassir), which the vendors' sandboxes seed
from here. Fixed slugs, so a walkthrough or a test can name them; their sessions follow
the seeding day like the rest.

A vendor-backed session's id is the vendor's own id of it (a TicketsCloud event id, a
Kassir session id) and its tier ids are the vendor's ticket categories (TicketsCloud
sets, Kassir price categories): ticketing-service reserves at the vendor by those ids.
They do not depend on the day, so a sandbox seeded on another day still holds them."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Final

from .models import MOSCOW_TZ, DemoEvent, DemoPlace, DemoSession, DemoTier

__all__ = ["GENERAL_ADMISSION_SLUG", "KASSIR_SLUG", "LAST_SEATS_SLUG", "SEATED_SLUG", "TICKETSCLOUD_SLUG",
           "sellable_events", "vendor_events"]

GENERAL_ADMISSION_SLUG: Final = "kulturago-dzhaz-na-kryshe"
SEATED_SLUG: Final = "kulturago-kamernyi-orkestr-v-zale"
LAST_SEATS_SLUG: Final = "kulturago-kvartirnik-na-pyat-mest"
TICKETSCLOUD_SLUG: Final = "ticketscloud-stendap-v-podvale"
KASSIR_SLUG: Final = "kassir-spektakl-v-malom-zale"

_CLUB = DemoPlace("Клуб «16 тонн»", "ул. Пресненский Вал, 6, стр. 1", "moscow", 55.7660, 37.5630)
_HALL = DemoPlace("Дом культуры «ГЭС-2»", "Болотная наб., 15", "moscow", 55.7429, 37.6126)
_BASEMENT = DemoPlace("Бар «Подвал»", "ул. Покровка, 17", "moscow", 55.7590, 37.6455)
_SMALL_STAGE = DemoPlace("Театр «Мастерская», малый зал", "Тверской бул., 22", "moscow", 55.7617, 37.6006)
_FLAT = DemoPlace("Аптекарский огород", "пр-т Мира, 26, стр. 1", "moscow", 55.7772, 37.6327)


def _at(start: date, days: int, hour: int, minutes: int) -> DemoSession:
    day = start + timedelta(days=days)
    begin = datetime(day.year, day.month, day.day, hour, 0, tzinfo=MOSCOW_TZ)
    return DemoSession(begin, begin + timedelta(minutes=minutes))


def _hall_seats() -> tuple[tuple[str, str], ...]:
    """Rows A-B are the front tier, C-H the hall: 8 rows of 12 seats."""
    return tuple((f"{row}-{n}", "front" if row in "AB" else "hall") for row in "ABCDEFGH" for n in range(1, 13))


def sellable_events(start: date) -> list[DemoEvent]:
    standing = (DemoTier("dance-floor", "Танцпол", 150000, 300), DemoTier("vip", "VIP-балкон", 500000, 30))
    seats = _hall_seats()
    seated = (DemoTier("front", "Первые ряды", 400000, sum(1 for _, t in seats if t == "front")),
              DemoTier("hall", "Партер", 250000, sum(1 for _, t in seats if t == "hall")))
    tiny = (DemoTier("guest", "Гостевое место", 120000, 5),)

    def sessions(days: tuple[int, ...], hour: int, minutes: int, tiers: tuple[DemoTier, ...],
                 seat_map: tuple[tuple[str, str], ...] = ()) -> tuple[DemoSession, ...]:
        return tuple(DemoSession(s.start, s.end, tiers, seat_map)
                     for s in (_at(start, d, hour, minutes) for d in days))

    def event(slug: str, title: str, description: str, category: str, tags: tuple[str, ...], place: DemoPlace,
              sess: tuple[DemoSession, ...], age: int) -> DemoEvent:
        prices = [t.price for s in sess for t in s.tiers]
        return DemoEvent(slug=slug, title=title, description=description, category=category, tags=tags,
                         city="moscow", place=place, sessions=sess, price_min=min(prices) // 100,
                         price_max=max(prices) // 100, is_free=False, kids=False, age_restriction=age,
                         images=(f"events/{slug}/1.jpg",), ticket_provider="kulturago")

    return [
        event(GENERAL_ADMISSION_SLUG, "Джаз на крыше: летний сет",
              "Квинтет играет стандарты и собственные аранжировки. Билеты продаёт KulturaGo.",
              "concert", ("концерт", "джаз", "живая музыка"), _CLUB,
              sessions((2, 9, 16), 20, 150, standing), 12),
        event(SEATED_SLUG, "Камерный оркестр: Вивальди и Пьяццолла",
              "«Времена года» двух веков в одном вечере. Места в зале по схеме.",
              "concert", ("концерт", "классическая музыка", "камерная музыка"), _HALL,
              sessions((3, 10), 19, 120, seated, seats), 6),
        event(LAST_SEATS_SLUG, "Квартирник на пять мест",
              "Акустический вечер для пяти гостей: чай, песни и разговоры.",
              "concert", ("концерт", "акустика"), _FLAT,
              sessions((4,), 19, 120, tiny), 12),
    ]


def _object_id(*parts: str) -> str:
    """A stable id shaped like TicketsCloud's (24 hex digits)."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]


def _small_stage_seats() -> tuple[tuple[str, str], ...]:
    """Rows A-C the stalls (parter), D-E the balcony: 5 rows of 10 seats."""
    return tuple((f"{row}-{n}", "parter" if row in "ABC" else "balkon") for row in "ABCDE" for n in range(1, 11))


def vendor_events(start: date) -> list[DemoEvent]:
    """One TicketsCloud-backed event (general admission) and one Kassir-backed (seats)."""
    standup = (DemoTier(_object_id(TICKETSCLOUD_SLUG, "set", "standard"), "Входной билет", 90000, 120),
               DemoTier(_object_id(TICKETSCLOUD_SLUG, "set", "table"), "Место за столиком", 180000, 24))
    seats = _small_stage_seats()
    stage = (DemoTier("parter", "Партер", 300000, sum(1 for _, t in seats if t == "parter")),
             DemoTier("balkon", "Балкон", 150000, sum(1 for _, t in seats if t == "balkon")))

    def event(slug: str, title: str, description: str, category: str, tags: tuple[str, ...], place: DemoPlace,
              sess: tuple[DemoSession, ...], age: int, provider: str) -> DemoEvent:
        prices = [t.price for s in sess for t in s.tiers]
        return DemoEvent(slug=slug, title=title, description=description, category=category, tags=tags,
                         city="moscow", place=place, sessions=sess, price_min=min(prices) // 100,
                         price_max=max(prices) // 100, is_free=False, kids=False, age_restriction=age,
                         images=(f"events/{slug}/1.jpg",), ticket_provider=provider)

    standup_sessions = tuple(
        DemoSession(s.start, s.end, standup, (), _object_id(TICKETSCLOUD_SLUG, "event", str(i)))
        for i, s in enumerate(_at(start, d, 21, 90) for d in (1, 8, 15)))
    stage_sessions = tuple(
        DemoSession(s.start, s.end, stage, seats, str(4815160 + i))
        for i, s in enumerate(_at(start, d, 19, 150) for d in (5, 12)))
    return [
        event(TICKETSCLOUD_SLUG, "Стендап в подвале: открытый микрофон",
              "Новые комики и проверенные шутки. Билеты продаёт TicketsCloud.",
              "standup", ("стендап", "юмор"), _BASEMENT, standup_sessions, 18, "ticketscloud"),
        event(KASSIR_SLUG, "Спектакль в малом зале: «Чайка»",
              "Чехов в камерной постановке. Места по схеме зала, билеты продаёт Кассир.ру.",
              "theatre", ("театр", "спектакль", "чехов"), _SMALL_STAGE, stage_sessions, 12, "kassir"),
    ]
