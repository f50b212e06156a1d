"""Deterministic generator of a believable demo afisha (events catalog).

Design notes:

* One ``random.Random(seed)`` instance drives everything and items are yielded
  one by one, so the same seed always gives the same stream and callers can
  seed 100k+ events without holding them in memory.
* The first ``len(CITIES) * len(CATEGORIES)`` events are "coverage" events:
  one per (city, category), each with a session today and one on the upcoming
  weekend. Product screens filter by "today"/"weekend" per city and category;
  with purely random dates those filters could come up empty on a demo and
  look like a bug. Coverage events for concerts and exhibitions also use fixed
  title templates ("Концерт ...", "Выставка современных художников ...")
  because search tests rely on those words being present.
* Category weights and per-category free/kids probabilities are tuned so the
  overall mix lands near 20% free and 15% kids, with free events concentrated
  in lectures, tours, festivals, exhibitions and kids shows, like in a real feed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Final

from . import texts as tx
from .models import CATEGORIES, CITIES, MOSCOW_TZ, DemoEvent, DemoPlace, DemoSession
from .places import venue_infos
from .translit import slugify

__all__ = ["SLUG_MAX_LEN", "generate_events", "weekend_dates"]

SLUG_MAX_LEN: Final = 80
MOSCOW_SHARE: Final = 0.6

_WEIGHTS: Final[dict[str, float]] = {
    "concert": 0.15,
    "exhibition": 0.14,
    "theatre": 0.13,
    "kids": 0.09,
    "tour": 0.09,
    "festival": 0.06,
    "lecture": 0.09,
    "cinema": 0.09,
    "standup": 0.07,
    "masterclass": 0.09,
}
# Expected overall free share: sum(weight * p) ~= 0.20.
_FREE_P: Final[dict[str, float]] = {
    "concert": 0.05,
    "exhibition": 0.30,
    "theatre": 0.0,
    "kids": 0.25,
    "tour": 0.40,
    "festival": 0.50,
    "lecture": 0.55,
    "cinema": 0.05,
    "standup": 0.03,
    "masterclass": 0.10,
}
# Probability that a non-"kids" category event is still family-friendly.
# With the kids category itself (9%) the total lands near 15%.
_KIDS_P: Final[dict[str, float]] = {
    "concert": 0.0,
    "exhibition": 0.15,
    "theatre": 0.0,
    "kids": 1.0,
    "tour": 0.10,
    "festival": 0.15,
    "lecture": 0.0,
    "cinema": 0.10,
    "standup": 0.0,
    "masterclass": 0.20,
}
# Age ratings for events that are not marked as suitable for children.
_ADULT_AGES: Final[dict[str, tuple[int, ...]]] = {
    "concert": (6, 12, 12, 16),
    "exhibition": (0, 6, 12, 16),
    "theatre": (6, 12, 12, 16, 16),
    "kids": (0, 6),
    "tour": (6, 12, 12),
    "festival": (0, 6, 12),
    "lecture": (12, 16, 16),
    "cinema": (6, 12, 16, 18),
    "standup": (16, 18, 18, 18),
    "masterclass": (12, 16),
}
# (min price low, min price high, max extra spread, single-price probability)
_PRICES: Final[dict[str, tuple[int, int, int, float]]] = {
    "concert": (500, 3000, 7000, 0.2),
    "exhibition": (250, 700, 600, 0.5),
    "theatre": (800, 3000, 12000, 0.1),
    "kids": (400, 1200, 1500, 0.4),
    "tour": (500, 1500, 1000, 0.7),
    "festival": (300, 1000, 2000, 0.5),
    "lecture": (300, 900, 500, 0.8),
    "cinema": (300, 600, 300, 0.7),
    "standup": (800, 2000, 2500, 0.4),
    "masterclass": (1500, 4500, 1500, 0.7),
}
# Start times (hour, minute) and duration range in minutes.
_SCHEDULE: Final[dict[str, tuple[tuple[tuple[int, int], ...], int, int]]] = {
    "concert": (((19, 0), (19, 30), (20, 0)), 100, 150),
    "exhibition": (((10, 0), (11, 0), (12, 0)), 540, 600),
    "theatre": (((12, 0), (18, 0), (19, 0), (19, 30)), 120, 200),
    "kids": (((11, 0), (12, 0), (14, 0), (16, 0)), 50, 90),
    "tour": (((11, 0), (12, 0), (14, 0), (17, 0), (19, 0)), 90, 150),
    "festival": (((11, 0), (12, 0)), 540, 660),
    "lecture": (((19, 0), (19, 30)), 80, 120),
    "cinema": (((13, 0), (16, 0), (19, 0), (21, 30)), 100, 170),
    "standup": (((19, 0), (20, 0), (21, 0)), 90, 120),
    "masterclass": (((12, 0), (15, 0), (18, 0), (19, 0)), 120, 180),
}
# Number of sessions (min, max); the contract caps it at 6.
_SESSION_COUNT: Final[dict[str, tuple[int, int]]] = {
    "concert": (1, 2),
    "exhibition": (2, 6),
    "theatre": (1, 4),
    "kids": (1, 4),
    "tour": (1, 5),
    "festival": (1, 3),
    "lecture": (1, 1),
    "cinema": (1, 4),
    "standup": (1, 3),
    "masterclass": (1, 4),
}
# Families go out on weekends; these categories re-roll a weekday once.
_WEEKEND_BIASED: Final = frozenset({"kids", "tour", "festival", "masterclass"})

_BASE_TAG: Final[dict[str, str]] = {
    "concert": "концерт",
    "exhibition": "выставка",
    "theatre": "театр",
    "kids": "для детей",
    "tour": "экскурсия",
    "festival": "фестиваль",
    "lecture": "лекция",
    "cinema": "кино",
    "standup": "стендап",
    "masterclass": "мастер-класс",
}

_PROVIDERS: Final = ("kassir", "ticketscloud")

# A title draft: (title, specific first sentence of the description, tags,
# venue preference). The preference is a venue kind from ``VenueInfo.hosts``
# ("opera", "club"...) or "@<exact venue name>"; "" means any venue of the category.
_Draft = tuple[str, str, tuple[str, ...], str]
_Builder = Callable[[random.Random, str, bool], _Draft]

_FEMALE_FIRST: Final = frozenset(tx.FIRST_NAMES[:8])


def _person(rng: random.Random) -> str:
    first = rng.choice(tx.FIRST_NAMES)
    last = rng.choice(tx.LAST_NAMES_M)
    return f"{first} {last}а" if first in _FEMALE_FIRST else f"{first} {last}"


def _concert(rng: random.Random, city: str, forced: bool) -> _Draft:
    kind = 0 if forced else rng.randrange(9)
    if kind in (0, 1):
        prog, gen = rng.choice(tx.SYMPHONY_PROGRAMS)
        return (f"Концерт симфонического оркестра: {prog}",
                f"Симфонический оркестр исполнит программу из сочинений {gen}.",
                ("классическая музыка", "оркестр"), "hall")
    if kind == 2:
        prog, gen = rng.choice(tx.ORGAN_PROGRAMS)
        return (f"Концерт органной музыки: {prog}",
                f"В программе вечера органные сочинения {gen}.",
                ("орган", "классическая музыка"), "organ")
    if kind == 3:
        prog, gen = rng.choice(tx.BAROQUE_PROGRAMS)
        return (f"Концерт камерного оркестра: {prog}",
                f"Камерный оркестр сыграет музыку {gen} на исторических инструментах.",
                ("барокко", "камерная музыка"), "chamber")
    if kind == 4:
        band = rng.choice(tx.BANDS)
        return (f"Концерт группы «{band}»",
                f"Группа «{band}» представит новый альбом и самые любимые песни слушателей.",
                ("рок", "живая музыка"), "club")
    if kind == 5:
        return (f"Концерт при свечах: {rng.choice(tx.CANDLELIGHT_PROGRAMS)}",
                "Струнный квартет сыграет программу при свете сотен свечей.",
                ("камерная музыка", "при свечах"), "chamber")
    if kind == 6:
        return (f"Фортепианный вечер: {rng.choice(tx.PIANO_PROGRAMS)}",
                f"За роялем лауреат международных конкурсов {_person(rng)}.",
                ("фортепиано", "классическая музыка"), "chamber")
    if kind == 7:
        band = rng.choice(tx.JAZZ_BANDS)
        return (f"Джазовый вечер «{rng.choice(tx.JAZZ_THEMES)}»",
                f"Играет коллектив «{band}»: стандарты и собственные аранжировки.",
                ("джаз", "живая музыка"), "club")
    theme = rng.choice(tx.CHOIR_THEMES)
    return (f"Концерт хоровой музыки «{theme}»",
            "Камерный хор исполнит программу без сопровождения, а капелла.",
            ("хор", "вокал"), "choir")


def _exhibition(rng: random.Random, city: str, forced: bool) -> _Draft:
    kind = 0 if forced else rng.randrange(8)
    if kind == 0:
        return (f"Выставка современных художников «{rng.choice(tx.SHOW_NAMES)}»",
                "В экспозиции работы художников, которые исследуют город, память и повседневность.",
                ("современное искусство", "живопись"), "contemporary")
    if kind == 1:
        return (f"Выставка молодых художников «{rng.choice(tx.SHOW_NAMES)}»",
                "Молодые авторы показывают живопись, графику, видео и инсталляции.",
                ("современное искусство", "молодые художники"), "contemporary")
    if kind in (2, 3):
        nom, gen = rng.choice(tx.ARTISTS)
        return (f"Выставка «{nom}: {rng.choice(tx.ARTIST_SUBTITLES)}»",
                f"Экспозиция собирает работы {gen} из музейных и частных собраний.",
                ("живопись", "русское искусство"), "classic_art")
    if kind == 4:
        nom, gen = rng.choice(tx.ARTISTS)
        return (f"Ретроспектива {gen}",
                f"Самая полная за последние годы ретроспектива {gen}.",
                ("живопись", "ретроспектива"), "classic_art")
    if kind == 5:
        return (f"Фотовыставка «{rng.choice(tx.PHOTO_SHOWS)}»",
                "Снимки известных и неизвестных фотографов складываются в портрет времени.",
                ("фотография",), "photo")
    if kind == 6:
        nom, gen = rng.choice(tx.ARTISTS)
        return (f"Мультимедийная выставка «{nom}: цифровые полотна»",
                f"Картины {gen} оживают на огромных экранах под музыку.",
                ("мультимедиа", "живопись"), "contemporary")
    theme, tag, venue_kind = rng.choice(tx.THEMED_SHOWS)
    return (f"Выставка «{theme}»",
            "Большой выставочный проект объединяет экспонаты из нескольких музеев страны.",
            (tag, "история искусства"), venue_kind)


def _theatre(rng: random.Random, city: str, forced: bool) -> _Draft:
    kind = rng.randrange(8)
    if kind <= 3:
        play, author = rng.choice(tx.PLAYS)
        return (f"Спектакль «{play}»",
                f"Постановка по произведению {author} в новом режиссёрском прочтении.",
                ("драма", "классика"), "drama")
    if kind == 4:
        ballet, composer = rng.choice(tx.BALLETS)
        return (f"Балет «{ballet}»",
                f"Балет на музыку {composer} в исполнении ведущих солистов труппы.",
                ("балет", "классика"), "opera")
    if kind == 5:
        opera, composer = rng.choice(tx.OPERAS)
        return (f"Опера «{opera}»",
                f"Опера {composer} с оркестром, хором и солистами театра.",
                ("опера", "классика"), "opera")
    if kind == 6:
        return (f"Иммерсивный спектакль «{rng.choice(tx.IMMERSIVE_SHOWS)}»",
                "Зрители свободно перемещаются по залам и сами становятся участниками истории.",
                ("иммерсивный театр",), "drama")
    return (f"Мюзикл «{rng.choice(tx.MUSICALS)}»",
            "Яркий мюзикл с живым оркестром, хореографией и сложными декорациями.",
            ("мюзикл",), "drama")


def _kids(rng: random.Random, city: str, forced: bool) -> _Draft:
    kind = rng.randrange(7)
    if kind <= 2:
        tale = rng.choice(tx.FAIRY_TALES)
        return (f"Детский спектакль «{tale}»",
                "Весёлая постановка по мотивам любимой сказки для зрителей от четырёх лет.",
                ("сказка", "семейный"), "kids_theatre")
    if kind == 3:
        tale = rng.choice(tx.FAIRY_TALES)
        return (f"Кукольный спектакль «{tale}»",
                "Куклы ручной работы и живая музыка рассказывают знакомую сказку по-новому.",
                ("куклы", "сказка"), "puppet")
    if kind == 4:
        return (f"Интерактивная программа «{rng.choice(tx.KIDS_PROGRAMS)}»",
                "Дети проводят опыты, разгадывают загадки и узнают много нового.",
                ("познавательно", "семейный"), "edu")
    if kind == 5:
        return (f"Семейный квест «{rng.choice(tx.KIDS_PROGRAMS)}»",
                "Команды родителей и детей проходят маршрут с подсказками и заданиями.",
                ("квест", "семейный"), "quest")
    return (f"Детский концерт «{rng.choice(tx.KIDS_CONCERTS)}»",
            "Музыканты превращают концерт в сказку и знакомят детей с инструментами оркестра.",
            ("музыка", "семейный"), "kids_concert")


def _tour(rng: random.Random, city: str, forced: bool) -> _Draft:
    kind = rng.randrange(7)
    if kind <= 2:
        route, meeting = rng.choice(tx.TOUR_ROUTES[city])
        return (f"Экскурсия по {route}",
                "Пешеходная прогулка с историком о том, как менялись эти места за три века.",
                ("прогулка", "история"), "@" + meeting)
    if kind == 3:
        walk, meeting = rng.choice(tx.NAMED_WALKS[city])
        return (f"Пешеходная экскурсия «{walk}»",
                "Авторский маршрут с легендами, литературными сюжетами и неочевидными видами.",
                ("прогулка", "архитектура"), "@" + meeting)
    if kind == 4:
        return (tx.BOAT_ROUTES[city],
                "Город открывается с воды: набережные, мосты и главные панорамы.",
                ("на воде", "прогулка"), "pier")
    if kind == 5:
        return (tx.ROOF_TOURS[city],
                "Подъём на крышу исторического дома с инструктором и видом на весь центр.",
                ("крыши", "панорама"), "walk")
    route, meeting = rng.choice(tx.TOUR_ROUTES[city])
    return (f"Велоэкскурсия по {route}",
            "Неспешный велосипедный маршрут с остановками у главных достопримечательностей.",
            ("велосипед", "прогулка"), "@" + meeting)


def _festival(rng: random.Random, city: str, forced: bool) -> _Draft:
    title, tag = rng.choice(tx.FESTIVALS)
    if rng.random() < 0.5:
        title = f"{title} «{rng.choice(tx.FESTIVAL_NAMES)}»"
    return (title,
            "Большой городской праздник под открытым небом для друзей и семей.",
            (tag, "под открытым небом"), "")


_LECTURES_BY_CITY: Final = {
    city: tuple(lec for lec in tx.LECTURES if lec[4] in ("", city)) for city in CITIES
}


def _lecture(rng: random.Random, city: str, forced: bool) -> _Draft:
    topic, tag, who, venue_kind, _city = rng.choice(_LECTURES_BY_CITY[city])
    prefix = ("Лекция", "Лекция", "Открытая лекция", "Публичная лекция")[rng.randrange(4)]
    return (f"{prefix} «{topic}»",
            f"{who} {_person(rng)} расскажет о сложном простым языком.",
            (tag, "просвещение"), venue_kind)


def _cinema(rng: random.Random, city: str, forced: bool) -> _Draft:
    film, director, year = rng.choice(tx.FILMS)
    kind = rng.randrange(5)
    title = (
        f"Показ фильма «{film}»",
        f"Кинопоказ под открытым небом: «{film}»",
        f"Ретроспектива {director}: «{film}»",
        f"Киноклуб: «{film}» с обсуждением",
        f"Фильм «{film}» на большом экране",
    )[kind]
    return (title,
            f"Фильм {director} {year} года, который стоит пересмотреть в кинозале.",
            ("советское кино", "классика"), "openair" if kind == 1 else "cinema_hall")


def _standup(rng: random.Random, city: str, forced: bool) -> _Draft:
    if rng.random() < 0.5:
        comic = _person(rng)
        return (f"Стендап: {comic}, сольный концерт",
                f"{comic} представит новую часовую программу о жизни в большом городе.",
                ("юмор", "сольный концерт"), "")
    return (rng.choice(tx.STANDUP_SHOWS),
            "На сцене несколько комиков из городских клубов с новым материалом.",
            ("юмор", "комедия"), "")


def _masterclass(rng: random.Random, city: str, forced: bool) -> _Draft:
    craft, tag = rng.choice(tx.CRAFTS)
    kind = 0 if forced else rng.randrange(5)
    title = (
        f"Мастер-класс по {craft}",
        f"Мастер-класс по {craft}",
        f"Мастер-класс по {craft} для начинающих",
        f"Воркшоп по {craft}",
        f"Семейный мастер-класс по {craft}",
    )[kind]
    extra = (tag, "хобби", "семейный") if kind == 4 else (tag, "хобби")
    return (title,
            "Опытный мастер покажет основные приёмы, и каждый уйдёт домой со своей работой.",
            extra, "")


_BUILDERS: Final[dict[str, _Builder]] = {
    "concert": _concert,
    "exhibition": _exhibition,
    "theatre": _theatre,
    "kids": _kids,
    "tour": _tour,
    "festival": _festival,
    "lecture": _lecture,
    "cinema": _cinema,
    "standup": _standup,
    "masterclass": _masterclass,
}


def weekend_dates(start: date) -> tuple[date, ...]:
    """Weekend days of the current or upcoming weekend that are not before ``start``.

    Mon-Fri -> (next Saturday, next Sunday); Saturday -> (start, Sunday);
    Sunday -> (start,). This is what a "this weekend" filter means on ``start``.
    """
    wd = start.weekday()
    if wd == 6:
        return (start,)
    sat = start + timedelta(days=5 - wd)
    return (sat, sat + timedelta(days=1))


def _venue_index() -> dict[tuple[str, str], tuple[DemoPlace, ...]]:
    """(city, category or venue kind or "@name") -> venues, built once at import."""
    index: dict[tuple[str, str], list[DemoPlace]] = {}
    for city in CITIES:
        for info in venue_infos(city):
            index.setdefault((city, "@" + info.place.name), []).append(info.place)
            for key in info.hosts:
                index.setdefault((city, key), []).append(info.place)
        for cat in CATEGORIES:
            # A hole here would make coverage events impossible; fail loudly at import.
            if (city, cat) not in index:
                raise RuntimeError(f"no venue in {city} hosts {cat}")
    for city in CITIES:
        for _, meeting in (*tx.TOUR_ROUTES[city], *tx.NAMED_WALKS[city]):
            if (city, "@" + meeting) not in index:
                raise RuntimeError(f"tour meeting point {meeting!r} is not a {city} venue")
    return {key: tuple(places) for key, places in index.items()}


_VENUES_BY: Final = _venue_index()


def _pick_venue(rng: random.Random, city: str, cat: str, pref: str) -> DemoPlace:
    # Fall back to any venue of the category when a city lacks the preferred kind.
    pool = _VENUES_BY.get((city, pref)) if pref else None
    return rng.choice(pool or _VENUES_BY[(city, cat)])


_CUM_WEIGHTS: Final = tuple(
    sum(_WEIGHTS[c] for c in CATEGORIES[: i + 1]) for i in range(len(CATEGORIES))
)


def _round_price(value: float) -> int:
    # Real price lists use round numbers: steps of 50 below 1000, 100 above.
    step = 50 if value < 1000 else 100
    return max(step, round(value / step) * step)


def _prices(rng: random.Random, cat: str) -> tuple[int, int]:
    lo, hi, spread, single_p = _PRICES[cat]
    pmin = _round_price(rng.uniform(lo, hi))
    if rng.random() < single_p:
        return pmin, pmin
    return pmin, _round_price(pmin + rng.uniform(spread * 0.2, spread))


def _pick_days(
    rng: random.Random, cat: str, days: int, start: date, forced: tuple[int, ...]
) -> list[int]:
    """Distinct day offsets in [0, days) for the sessions of one event."""
    lo, hi = _SESSION_COUNT[cat]
    n = min(max(rng.randint(lo, hi), len(forced)), days, 6)
    chosen = list(dict.fromkeys(forced))
    if cat == "festival" and not forced:
        # Festivals run on consecutive days, not scattered ones.
        first = rng.randrange(days)
        return [d for d in range(first, min(first + n, days))]
    taken = set(chosen)
    attempts = 0
    while len(chosen) < n and attempts < 50:
        attempts += 1
        d = rng.randrange(days)
        if cat in _WEEKEND_BIASED and (start + timedelta(days=d)).weekday() < 5:
            d = rng.randrange(days)
        if d not in taken:
            taken.add(d)
            chosen.append(d)
    return chosen


def _sessions(
    rng: random.Random, cat: str, start: date, days: int, forced: tuple[int, ...]
) -> tuple[DemoSession, ...]:
    times, dur_lo, dur_hi = _SCHEDULE[cat]
    # Festivals and exhibitions open at the same hour every day; shows vary.
    fixed_time = rng.choice(times)
    duration = timedelta(minutes=rng.randrange(dur_lo, dur_hi + 1, 10))
    result = []
    for d in _pick_days(rng, cat, days, start, forced):
        day = start + timedelta(days=d)
        hour, minute = fixed_time if cat in ("festival", "exhibition") else rng.choice(times)
        begin = datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW_TZ)
        result.append(DemoSession(begin, begin + duration))
    result.sort(key=lambda s: s.start)
    return tuple(result)


def _description(rng: random.Random, cat: str, intro: str, is_free: bool, kids: bool) -> str:
    body = rng.sample(tx.BODY_SENTENCES[cat], rng.randint(1, 2))
    parts = [intro, *body]
    roll = rng.random()
    if is_free and roll < 0.8:
        parts.append(rng.choice(tx.FREE_SENTENCES))
    elif kids and roll < 0.5:
        parts.append(rng.choice(tx.KIDS_SENTENCES))
    elif not is_free and roll < 0.3:
        parts.append(rng.choice(tx.PAID_SENTENCES))
    return " ".join(parts)


def _tags(cat: str, extra: tuple[str, ...], is_free: bool, kids: bool) -> tuple[str, ...]:
    # Flags go right after the category tag so truncation to 5 never drops them.
    ordered = [_BASE_TAG[cat]]
    if is_free:
        ordered.append("бесплатно")
    if kids:
        ordered.append("для детей")
    ordered.extend(extra)
    return tuple(dict.fromkeys(t.lower() for t in ordered))[:5]


def _make_event(
    rng: random.Random,
    number: int,
    city: str,
    cat: str,
    start: date,
    days: int,
    forced_days: tuple[int, ...],
    forced_template: bool,
) -> DemoEvent:
    title, intro, extra_tags, venue_pref = _BUILDERS[cat](rng, city, forced_template)
    place = _pick_venue(rng, city, cat, venue_pref)
    is_free = rng.random() < _FREE_P[cat]
    # Drafts tagged as family formats ("семейный квест", "семейный отдых") must be
    # kid-friendly, otherwise the title and the kids flag would contradict each other.
    family = any(t.startswith("семейн") for t in extra_tags)
    kids = cat == "kids" or family or rng.random() < _KIDS_P[cat]
    if kids:
        age = 0 if cat == "kids" and rng.random() < 0.5 else (0, 6)[rng.randrange(2)]
    else:
        age = rng.choice(_ADULT_AGES[cat])
    if is_free:
        price_min = price_max = 0
        provider = "" if rng.random() < 0.8 else rng.choice(_PROVIDERS)
    else:
        price_min, price_max = _prices(rng, cat)
        provider = "kassir" if rng.random() < 0.55 else "ticketscloud"
    # The numeric suffix makes slugs unique even when titles repeat.
    suffix = f"-{number}"
    slug = slugify(title, SLUG_MAX_LEN - len(suffix)) + suffix
    images = tuple(f"events/{slug}/{i}.jpg" for i in range(1, rng.randint(1, 3) + 1))
    return DemoEvent(
        slug=slug,
        title=title,
        description=_description(rng, cat, intro, is_free, kids),
        category=cat,
        tags=_tags(cat, extra_tags, is_free, kids),
        city=city,
        place=place,
        sessions=_sessions(rng, cat, start, days, forced_days),
        price_min=price_min,
        price_max=price_max,
        is_free=is_free,
        kids=kids,
        age_restriction=age,
        images=images,
        ticket_provider=provider,
    )


def generate_events(
    count: int, *, start: date, days: int = 60, seed: int = 42
) -> Iterator[DemoEvent]:
    """Yield ``count`` demo events with sessions in ``[start, start + days)``.

    Deterministic for a given ``(start, days, seed)``; the output for a
    smaller ``count`` is a prefix of the output for a larger one. The first
    20 events cover every (city, category) pair with a session on ``start``
    and, when the window reaches it, one on ``weekend_dates(start)``.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    # datetime is a date subclass; normalise so session dates are plain days.
    start = date(start.year, start.month, start.day)
    return _generate_events(count, start, days, seed)


def _generate_events(count: int, start: date, days: int, seed: int) -> Iterator[DemoEvent]:
    rng = random.Random(seed)
    weekend = [(d - start).days for d in weekend_dates(start) if (d - start).days < days]
    coverage = [(city, cat) for cat in CATEGORIES for city in CITIES]
    for i in range(count):
        if i < len(coverage):
            city, cat = coverage[i]
            forced = (0,) if not weekend else (0, rng.choice(weekend))
            yield _make_event(rng, i + 1, city, cat, start, days, forced, True)
            continue
        city = CITIES[0] if rng.random() < MOSCOW_SHARE else CITIES[1]
        cat = rng.choices(CATEGORIES, cum_weights=_CUM_WEIGHTS)[0]
        yield _make_event(rng, i + 1, city, cat, start, days, (), False)
