"""Fast deterministic generator of points of interest (map pins).

Real landmarks (the venue list) come first, then synthetic POIs scattered
around real neighbourhoods. Load tests need up to ~1M POIs, so the synthetic
loop is written for speed: every choice is a table lookup driven by a bound
``rng.random`` call (``random.choice``/``choices`` are several times slower),
name templates are precompiled closures, and nothing is allocated per item
except the strings and the record itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Final

from . import texts as tx
from .models import POI_CATEGORIES, DemoPoi
from .places import CITY_BOUNDS, VenueInfo, venue_infos

__all__ = ["generate_pois"]

_MOSCOW_SHARE: Final = 0.6

# OSM-looking ids: i -> (i * odd + offset) mod 2**34 is a bijection on
# [0, 2**34), so ids are unique for any count below ~1.7e10 while still
# looking scattered like real node ids instead of 1, 2, 3...
_ID_MOD: Final = 1 << 34
_ID_MULT: Final = 0x9E3779B1  # odd -> invertible modulo a power of two

# Synthetic category mix (percent): cafes dominate real city maps.
_CATEGORY_PERCENT: Final[dict[str, int]] = {
    "cafe": 30,
    "park": 12,
    "monument": 9,
    "church": 8,
    "library": 8,
    "museum": 7,
    "gallery": 7,
    "bookstore": 6,
    "theatre": 4,
    "cinema": 4,
    "concert_hall": 3,
    "viewpoint": 2,
}
assert set(_CATEGORY_PERCENT) == set(POI_CATEGORIES)
assert sum(_CATEGORY_PERCENT.values()) == 100
_CATEGORY_TABLE: Final = tuple(c for c, pct in _CATEGORY_PERCENT.items() for _ in range(pct))

# Street = (name used in the address, phrase used after "на" in POI names).
_Street = tuple[str, str]
# Area = (lat, lon, lat sigma in degrees, weight, streets). Central areas get
# higher weight and a tighter spread so density peaks near the centre.
_Area = tuple[float, float, float, int, tuple[_Street, ...]]

_AREAS: Final[dict[str, tuple[_Area, ...]]] = {
    "moscow": (
        (55.7590, 37.6440, 0.005, 10, (
            ("ул. Покровка", "Покровке"), ("ул. Маросейка", "Маросейке"),
            ("ул. Мясницкая", "Мясницкой"), ("Чистопрудный бул.", "Чистопрудном бульваре"),
            ("ул. Солянка", "Солянке"))),
        (55.7650, 37.6080, 0.005, 10, (
            ("ул. Тверская", "Тверской"), ("ул. Петровка", "Петровке"),
            ("ул. Большая Дмитровка", "Большой Дмитровке"), ("Неглинная ул.", "Неглинной"),
            ("Страстной бул.", "Страстном бульваре"))),
        (55.7420, 37.5880, 0.006, 9, (
            ("ул. Арбат", "Арбате"), ("ул. Пречистенка", "Пречистенке"),
            ("ул. Остоженка", "Остоженке"), ("ул. Плющиха", "Плющихе"),
            ("Гоголевский бул.", "Гоголевском бульваре"))),
        (55.7380, 37.6270, 0.005, 9, (
            ("Пятницкая ул.", "Пятницкой"), ("ул. Большая Ордынка", "Большой Ордынке"),
            ("ул. Большая Полянка", "Большой Полянке"), ("Новокузнецкая ул.", "Новокузнецкой"))),
        (55.7640, 37.5700, 0.006, 6, (
            ("ул. Красная Пресня", "Красной Пресне"), ("Малая Грузинская ул.", "Малой Грузинской"),
            ("ул. Пресненский Вал", "Пресненском Валу"))),
        (55.7660, 37.6700, 0.006, 6, (
            ("ул. Старая Басманная", "Старой Басманной"), ("ул. Новая Басманная", "Новой Басманной"),
            ("Бауманская ул.", "Бауманской"), ("ул. Земляной Вал", "Земляном Валу"))),
        (55.7400, 37.6560, 0.006, 5, (
            ("Таганская ул.", "Таганской"), ("Марксистская ул.", "Марксистской"),
            ("Гончарная ул.", "Гончарной"))),
        (55.7890, 37.6790, 0.008, 4, (
            ("Русаковская ул.", "Русаковской"), ("ул. Стромынка", "Стромынке"))),
        (55.7950, 37.6050, 0.008, 4, (
            ("Шереметьевская ул.", "Шереметьевской"), ("Новослободская ул.", "Новослободской"),
            ("ул. Сущёвский Вал", "Сущёвском Валу"))),
        (55.8000, 37.5300, 0.009, 4, (
            ("Ленинградский пр-т", "Ленинградском проспекте"), ("ул. Усиевича", "улице Усиевича"),
            ("ул. Черняховского", "улице Черняховского"))),
        (55.8200, 37.6350, 0.009, 4, (
            ("пр-т Мира", "проспекте Мира"), ("ул. Академика Королёва", "улице Академика Королёва"),
            ("ул. Бориса Галушкина", "улице Бориса Галушкина"))),
        (55.7430, 37.5400, 0.008, 4, (
            ("Кутузовский пр-т", "Кутузовском проспекте"), ("Студенческая ул.", "Студенческой"),
            ("Большая Дорогомиловская ул.", "Большой Дорогомиловской"))),
        (55.6900, 37.5350, 0.010, 4, (
            ("Ломоносовский пр-т", "Ломоносовском проспекте"), ("ул. Вавилова", "улице Вавилова"),
            ("Ленинский пр-т", "Ленинском проспекте"), ("пр-т Вернадского", "проспекте Вернадского"))),
        (55.6800, 37.6650, 0.010, 3, (
            ("пр-т Андропова", "проспекте Андропова"), ("Каширское ш.", "Каширском шоссе"))),
        (55.7900, 37.7750, 0.010, 3, (
            ("Измайловский бул.", "Измайловском бульваре"), ("Первомайская ул.", "Первомайской"))),
        (55.7450, 37.7900, 0.010, 3, (
            ("ул. Юности", "улице Юности"), ("Зелёный пр-т", "Зелёном проспекте"))),
        (55.6250, 37.6000, 0.010, 3, (
            ("Балаклавский пр-т", "Балаклавском проспекте"), ("Чертановская ул.", "Чертановской"))),
        (55.8650, 37.6600, 0.010, 3, (
            ("ул. Менжинского", "улице Менжинского"), ("Енисейская ул.", "Енисейской"))),
        (55.7600, 37.4300, 0.009, 2, (
            ("Осенний бул.", "Осеннем бульваре"), ("Рублёвское ш.", "Рублёвском шоссе"))),
        (55.8450, 37.4450, 0.009, 2, (
            ("ул. Свободы", "улице Свободы"), ("Химкинский бул.", "Химкинском бульваре"))),
    ),
    "spb": (
        (59.9340, 30.3400, 0.004, 10, (
            ("Невский пр.", "Невском проспекте"), ("ул. Рубинштейна", "улице Рубинштейна"),
            ("Литейный пр.", "Литейном проспекте"), ("наб. реки Фонтанки", "Фонтанке"),
            ("ул. Жуковского", "улице Жуковского"))),
        (59.9300, 30.3100, 0.004, 9, (
            ("Гороховая ул.", "Гороховой"), ("Садовая ул.", "Садовой"),
            ("наб. реки Мойки", "Мойке"), ("Вознесенский пр.", "Вознесенском проспекте"),
            ("наб. канала Грибоедова", "канале Грибоедова"))),
        (59.9250, 30.3470, 0.004, 8, (
            ("Загородный пр.", "Загородном проспекте"), ("Владимирский пр.", "Владимирском проспекте"),
            ("ул. Марата", "улице Марата"), ("Лиговский пр.", "Лиговском проспекте"))),
        (59.9620, 30.3100, 0.005, 8, (
            ("Каменноостровский пр.", "Каменноостровском проспекте"),
            ("Большой пр. П. С.", "Большом проспекте Петроградской стороны"),
            ("ул. Ленина", "улице Ленина"), ("Кронверкский пр.", "Кронверкском проспекте"))),
        (59.9400, 30.2750, 0.005, 8, (
            ("Средний пр. В. О.", "Среднем проспекте"),
            ("Большой пр. В. О.", "Большом проспекте Васильевского острова"),
            ("7-я линия В. О.", "7-й линии"), ("Кадетская линия", "Кадетской линии"))),
        (59.9210, 30.2900, 0.004, 5, (
            ("Английский пр.", "Английском проспекте"), ("ул. Декабристов", "улице Декабристов"),
            ("ул. Союза Печатников", "улице Союза Печатников"))),
        (59.9450, 30.3700, 0.005, 6, (
            ("Кирочная ул.", "Кирочной"), ("Таврическая ул.", "Таврической"),
            ("Суворовский пр.", "Суворовском проспекте"), ("Фурштатская ул.", "Фурштатской"))),
        (59.9650, 30.3550, 0.006, 4, (
            ("Большой Сампсониевский пр.", "Большом Сампсониевском проспекте"),
            ("ул. Академика Лебедева", "улице Академика Лебедева"), ("Лесной пр.", "Лесном проспекте"))),
        (59.8900, 30.3200, 0.008, 4, (
            ("Московский пр.", "Московском проспекте"), ("ул. Бассейная", "Бассейной"),
            ("Новоизмайловский пр.", "Новоизмайловском проспекте"))),
        (59.9400, 30.4150, 0.007, 3, (
            ("Среднеохтинский пр.", "Среднеохтинском проспекте"),
            ("Заневский пр.", "Заневском проспекте"))),
        (59.9900, 30.2950, 0.008, 3, (
            ("ул. Савушкина", "улице Савушкина"), ("Коломяжский пр.", "Коломяжском проспекте"))),
        (59.8600, 30.3800, 0.008, 3, (
            ("Балканская ул.", "Балканской"), ("пр. Славы", "проспекте Славы"),
            ("Бухарестская ул.", "Бухарестской"))),
        (60.0100, 30.3900, 0.008, 3, (
            ("Гражданский пр.", "Гражданском проспекте"),
            ("пр. Просвещения", "проспекте Просвещения"))),
        (59.8800, 30.2700, 0.007, 3, (
            ("пр. Стачек", "проспекте Стачек"), ("ул. Швецова", "улице Швецова"))),
    ),
}

# One longitude degree is shorter than a latitude degree by cos(lat), so the
# lon sigma is stretched to keep clusters round on the map.
_LON_STRETCH: Final[dict[str, float]] = {"moscow": 1.78, "spb": 2.0}
# Share of POIs spread 4x wider around their area, so pins also fill the gaps
# between the listed neighbourhoods. Widening around the area (not the city
# centre) keeps the street in the address roughly consistent with the pin.
_WIDE_SHARE: Final = 0.15
_WIDE_FACTOR: Final = 4.0

_NameFn = Callable[[Callable[[], float], str], str]


def _quoted(prefix: str, seq: tuple[str, ...]) -> _NameFn:
    n = len(seq)
    return lambda r, _street: f"{prefix} «{seq[int(r() * n)]}»"


def _on_street(prefix: str) -> _NameFn:
    return lambda _r, street: f"{prefix} на {street}"


def _numbered(prefix: str, top: int) -> _NameFn:
    return lambda r, _street: f"{prefix} №{int(r() * top) + 1}"


def _prefixed(prefix: str, seq: tuple[str, ...]) -> _NameFn:
    n = len(seq)
    return lambda r, _street: f"{prefix} {seq[int(r() * n)]}"


_NAMERS: Final[dict[str, tuple[_NameFn, ...]]] = {
    "cafe": (
        _quoted("Кафе", tx.CAFE_WORDS), _quoted("Кофейня", tx.CAFE_WORDS),
        _quoted("Пекарня", tx.CAFE_WORDS), _quoted("Бистро", tx.CAFE_WORDS),
        _quoted("Чайная", tx.CAFE_WORDS), _on_street("Кофейня"),
    ),
    "library": (
        _numbered("Библиотека", 250), _numbered("Детская библиотека", 120),
        _prefixed("Библиотека им.", tx.WRITERS_GEN), _on_street("Библиотека-читальня"),
    ),
    "park": (
        _on_street("Сквер"), _on_street("Сквер"), _quoted("Парк", tx.PARK_NAMES),
        _on_street("Сад"), _on_street("Бульвар"),
    ),
    "museum": (
        _prefixed("Музей", tx.MUSEUM_TOPICS), _prefixed("Музей", tx.MUSEUM_TOPICS),
        _on_street("Домашний музей"), _quoted("Музей-мастерская", tx.ART_WORDS),
    ),
    "theatre": (
        _quoted("Театр", tx.SPACE_WORDS), _quoted("Театр-студия", tx.ART_WORDS),
        _on_street("Камерный театр"), _quoted("Театр кукол", tx.CAFE_WORDS),
    ),
    "gallery": (
        _quoted("Галерея", tx.ART_WORDS), _quoted("Арт-галерея", tx.ART_WORDS),
        _on_street("Выставочный зал"), _quoted("Арт-пространство", tx.SPACE_WORDS),
    ),
    "monument": (
        _prefixed("Памятник", tx.PERSONS_DAT), _prefixed("Памятник", tx.PERSONS_DAT),
        _quoted("Скульптура", tx.SCULPTURES), _on_street("Памятный знак"),
    ),
    "church": (
        _prefixed("Храм", tx.SAINTS_GEN), _prefixed("Церковь", tx.SAINTS_GEN),
        _prefixed("Часовня", tx.SAINTS_GEN),
    ),
    "cinema": (
        _quoted("Кинотеатр", tx.SPACE_WORDS), _quoted("Киноклуб", tx.ART_WORDS),
        _on_street("Кинозал"),
    ),
    "concert_hall": (
        _quoted("Концертный зал", tx.SPACE_WORDS), _quoted("Дом культуры", tx.SPACE_WORDS),
        _on_street("Музыкальная гостиная"), _quoted("Клуб", tx.SPACE_WORDS),
    ),
    "viewpoint": (
        _on_street("Смотровая площадка"), _quoted("Смотровая площадка", tx.SPACE_WORDS),
        _quoted("Панорамная терраса", tx.CAFE_WORDS),
    ),
    "bookstore": (
        _quoted("Книжный магазин", tx.BOOK_WORDS), _quoted("Книжная лавка", tx.BOOK_WORDS),
        _on_street("Букинист"), _on_street("Книжный"),
    ),
}
assert set(_NAMERS) == set(POI_CATEGORIES)


def _area_table(city: str) -> tuple[_Area, ...]:
    # Expand weights into a flat tuple so picking an area is one index op.
    return tuple(area for area in _AREAS[city] for _ in range(area[3]))


_AREA_TABLES: Final = {city: _area_table(city) for city in _AREAS}


def _real_pois() -> list[VenueInfo]:
    """Real venues of both cities interleaved ~60/40, so short prefixes mix cities."""
    msk, spb = list(venue_infos("moscow")), list(venue_infos("spb"))
    out: list[VenueInfo] = []
    mi = si = 0
    while mi < len(msk) or si < len(spb):
        want_msk = mi < _MOSCOW_SHARE * (len(out) + 1)
        if (want_msk and mi < len(msk)) or si >= len(spb):
            out.append(msk[mi])
            mi += 1
        else:
            out.append(spb[si])
            si += 1
    return out


_REAL: Final = tuple(_real_pois())


def generate_pois(count: int, *, seed: int = 7) -> Iterator[DemoPoi]:
    """Yield ``count`` POIs: real landmarks first, then synthetic ones.

    Deterministic for a given seed; a smaller ``count`` yields a prefix of a
    larger one. All coordinates fall inside ``CITY_BOUNDS``.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    return _generate_pois(count, seed)


def _generate_pois(count: int, seed: int) -> Iterator[DemoPoi]:
    rng = random.Random(seed)
    offset = (seed * 0x2545F491) % _ID_MOD

    n_real = min(count, len(_REAL))
    for i in range(n_real):
        v = _REAL[i]
        p = v.place
        yield DemoPoi(
            ((i * _ID_MULT + offset) % _ID_MOD) + 1,
            p.name, v.poi_category, p.city, p.lat, p.lon, p.address,
        )

    # Hot loop: hoist every attribute lookup into locals.
    r = rng.random
    gauss = rng.gauss
    cat_table = _CATEGORY_TABLE
    n_cat = len(cat_table)
    namers = _NAMERS
    city_data = {
        city: (
            _AREA_TABLES[city], len(_AREA_TABLES[city]), CITY_BOUNDS[city],
            _LON_STRETCH[city],
            # Moscow addresses use "стр." for buildings, SPb uses "лит." letters.
            ", стр. " if city == "moscow" else ", лит. ",
        )
        for city in _AREAS
    }
    moscow, spb = city_data["moscow"], city_data["spb"]
    building_marks = ("1", "2", "3", "4", "5")
    letters = ("А", "А", "А", "Б", "В")
    for i in range(n_real, count):
        city = "moscow" if r() < _MOSCOW_SHARE else "spb"
        areas, n_areas, bounds, stretch, mark = (
            moscow if city == "moscow" else spb
        )
        lat_min, lat_max, lon_min, lon_max = bounds
        area = areas[int(r() * n_areas)]
        streets = area[4]
        street, street_prep = streets[int(r() * len(streets))]
        clat, clon, sigma = area[0], area[1], area[2]
        if r() < _WIDE_SHARE:
            sigma *= _WIDE_FACTOR
        # Rejection-sample into the bounds; clamping would pile pins up on the
        # border. Falls back to the cluster centre, which is always inside.
        for _ in range(8):
            lat = gauss(clat, sigma)
            lon = gauss(clon, sigma * stretch)
            if lat_min < lat < lat_max and lon_min < lon < lon_max:
                break
        else:
            lat, lon = clat, clon
        category = cat_table[int(r() * n_cat)]
        fns = namers[category]
        name = fns[int(r() * len(fns))](r, street_prep)
        house = int(r() * 90) + 1
        if r() < 0.2:
            if city == "moscow":
                address = f"{street}, {house}{mark}{building_marks[int(r() * 5)]}"
            else:
                address = f"{street}, {house}{mark}{letters[int(r() * 5)]}"
        else:
            address = f"{street}, {house}"
        yield DemoPoi(
            ((i * _ID_MULT + offset) % _ID_MOD) + 1,
            name, category, city, round(lat, 6), round(lon, 6), address,
        )
