"""Real venues and landmarks of Moscow and Saint Petersburg.

Demo data that points at real places makes map screens and "near me" search
look right to people who know the cities, so names, addresses and coordinates
here are the real ones (coordinates are rounded to ~4 decimals, i.e. ~10 m,
and are accurate to roughly 100 m, which is enough for a map pin).

Each venue also records which event categories it plausibly hosts, so the
event generator never schedules a stand-up show in a cathedral.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .models import CITIES, DemoPlace

__all__ = ["CITY_BOUNDS", "CITY_CENTERS", "VenueInfo", "venue_infos", "venues"]

# (lat_min, lat_max, lon_min, lon_max). Deliberately the "inner" city, not the
# administrative border (New Moscow, Kronstadt...), because that is where a
# culture app's users actually look.
CITY_BOUNDS: Final[dict[str, tuple[float, float, float, float]]] = {
    "moscow": (55.57, 55.91, 37.37, 37.85),
    "spb": (59.83, 60.05, 30.20, 30.50),
}

CITY_CENTERS: Final[dict[str, tuple[float, float]]] = {
    "moscow": (55.7558, 37.6173),
    "spb": (59.9386, 30.3141),
}


@dataclass(frozen=True, slots=True)
class VenueInfo:
    """A real venue plus the metadata generators need but the API doesn't expose."""

    place: DemoPlace
    poi_category: str  # one of POI_CATEGORIES
    hosts: tuple[str, ...]  # event categories and finer venue kinds that fit


# name, address, lat, lon, poi_category, hosts.
# ``hosts`` lists event categories the venue fits plus finer "kind" tags
# (e.g. "opera", "club", "puppet") that title builders ask for, so a ballet
# lands in an opera house and a rock gig in a club, not the other way round.
_Row = tuple[str, str, float, float, str, tuple[str, ...]]

_MOSCOW: Final[tuple[_Row, ...]] = (
    ("ГМИИ им. А. С. Пушкина", "ул. Волхонка, 12", 55.7473, 37.6051, "museum",
     ("exhibition", "lecture", "concert", "kids", "classic_art", "chamber", "edu", "quest", "art_talk", "history")),
    ("Государственная Третьяковская галерея", "Лаврушинский пер., 10", 55.7414, 37.6208, "museum",
     ("exhibition", "lecture", "kids", "classic_art", "edu", "quest", "art_talk", "tour")),
    ("Новая Третьяковка", "ул. Крымский Вал, 10", 55.7347, 37.6066, "museum",
     ("exhibition", "lecture", "masterclass", "kids", "cinema", "classic_art", "contemporary",
      "cinema_hall", "edu", "art_talk")),
    ("Большой театр", "Театральная пл., 1", 55.7601, 37.6186, "theatre",
     ("theatre", "opera")),
    ("МХТ им. А. П. Чехова", "Камергерский пер., 3", 55.7603, 37.6131, "theatre",
     ("theatre", "drama")),
    ("Концертный зал «Зарядье»", "ул. Варварка, 6, стр. 1", 55.7500, 37.6283, "concert_hall",
     ("concert", "lecture", "hall", "humanities_talk")),
    ("Парк Горького", "ул. Крымский Вал, 9", 55.7305, 37.6030, "park",
     ("festival", "tour", "kids", "cinema", "masterclass", "concert", "openair", "club", "quest",
      "walk", "pier")),
    ("ВДНХ", "пр-т Мира, 119", 55.8297, 37.6336, "park",
     ("festival", "tour", "exhibition", "kids", "masterclass", "quest", "walk", "space")),
    ("Музей современного искусства «Гараж»", "ул. Крымский Вал, 9, стр. 32", 55.7277, 37.6013, "museum",
     ("exhibition", "lecture", "cinema", "masterclass", "contemporary", "cinema_hall", "art_talk")),
    ("Музей Москвы", "Зубовский бул., 2", 55.7337, 37.5929, "museum",
     ("exhibition", "lecture", "kids", "masterclass", "photo", "edu", "art_talk", "humanities_talk", "history")),
    ("Дом культуры «ГЭС-2»", "Болотная наб., 15", 55.7429, 37.6126, "gallery",
     ("exhibition", "lecture", "concert", "cinema", "masterclass", "theatre", "contemporary",
      "chamber", "club", "cinema_hall", "drama", "art_talk", "humanities_talk")),
    ("Московский планетарий", "ул. Садовая-Кудринская, 5, стр. 1", 55.7614, 37.5838, "museum",
     ("lecture", "kids", "edu", "science_talk", "space", "exhibition")),
    ("Государственный исторический музей", "Красная пл., 1", 55.7553, 37.6178, "museum",
     ("exhibition", "lecture", "kids", "edu", "quest", "humanities_talk", "history")),
    ("Мультимедиа Арт Музей", "ул. Остоженка, 16", 55.7405, 37.6009, "gallery",
     ("exhibition", "lecture", "photo", "contemporary", "art_talk")),
    ("Большой зал Московской консерватории", "ул. Большая Никитская, 13/6", 55.7567, 37.6050,
     "concert_hall", ("concert", "kids", "hall", "organ", "choir", "kids_concert")),
    ("Концертный зал им. П. И. Чайковского", "Триумфальная пл., 4/31", 55.7696, 37.5948, "concert_hall",
     ("concert", "kids", "hall", "organ", "kids_concert")),
    ("Московский международный Дом музыки", "Космодамианская наб., 52, стр. 8", 55.7339, 37.6464,
     "concert_hall", ("concert", "kids", "hall", "organ", "kids_concert")),
    ("Театр им. Евг. Вахтангова", "ул. Арбат, 26", 55.7497, 37.5917, "theatre",
     ("theatre", "drama", "tour")),
    ("Малый театр", "Театральный пр., 1", 55.7597, 37.6208, "theatre",
     ("theatre", "drama")),
    ("Театр «Современник»", "Чистопрудный бул., 19А", 55.7607, 37.6454, "theatre",
     ("theatre", "drama", "tour")),
    ("Ленком Марка Захарова", "ул. Малая Дмитровка, 6", 55.7676, 37.6069, "theatre",
     ("theatre", "drama")),
    ("Театр на Таганке", "ул. Земляной Вал, 76/21", 55.7421, 37.6535, "theatre",
     ("theatre", "drama")),
    ("Электротеатр «Станиславский»", "ул. Тверская, 23", 55.7671, 37.6004, "theatre",
     ("theatre", "lecture", "cinema", "drama", "cinema_hall", "humanities_talk")),
    ("Музей-заповедник «Царицыно»", "ул. Дольская, 1", 55.6155, 37.6860, "museum",
     ("tour", "exhibition", "concert", "festival", "kids", "chamber", "quest", "walk")),
    ("Музей-заповедник «Коломенское»", "пр-т Андропова, 39", 55.6673, 37.6707, "museum",
     ("tour", "festival", "kids", "masterclass", "quest", "walk")),
    ("Парк «Зарядье»", "ул. Варварка, 6", 55.7512, 37.6283, "park",
     ("tour", "festival", "lecture", "walk", "pier", "science_talk")),
    ("Парк «Сокольники»", "ул. Сокольнический Вал, 1, стр. 1", 55.7925, 37.6745, "park",
     ("festival", "tour", "kids", "cinema", "masterclass", "openair", "quest", "walk")),
    ("Музей космонавтики", "пр-т Мира, 111", 55.8225, 37.6398, "museum",
     ("exhibition", "lecture", "kids", "edu", "science_talk", "space")),
    ("Центр современного искусства «Винзавод»", "4-й Сыромятнический пер., 1/8", 55.7558, 37.6658,
     "gallery", ("exhibition", "masterclass", "lecture", "festival", "standup", "contemporary",
                 "photo", "art_talk")),
    ("Дизайн-завод «Флакон»", "ул. Большая Новодмитровская, 36, стр. 12", 55.8050, 37.5855, "gallery",
     ("masterclass", "festival", "standup", "lecture", "exhibition", "contemporary", "photo",
      "art_talk", "science_talk")),
    ("Театр кукол им. С. В. Образцова", "ул. Садовая-Самотёчная, 3", 55.7726, 37.6158, "theatre",
     ("kids", "puppet", "kids_theatre")),
    ("Кинотеатр «Художественный»", "Арбатская пл., 14", 55.7521, 37.6003, "cinema",
     ("cinema", "cinema_hall")),
    ("Кинотеатр «Октябрь»", "ул. Новый Арбат, 24", 55.7526, 37.5877, "cinema",
     ("cinema", "standup", "cinema_hall")),
    ("Российская государственная библиотека", "ул. Воздвиженка, 3/5", 55.7515, 37.6094, "library",
     ("lecture", "exhibition", "photo", "art_talk", "science_talk", "humanities_talk")),
    ("Смотровая площадка на Воробьёвых горах", "ул. Косыгина, 28", 55.7106, 37.5430, "viewpoint",
     ("tour", "walk")),
    ("Храм Христа Спасителя", "ул. Волхонка, 15", 55.7446, 37.6055, "church",
     ("tour", "concert", "choir")),
    ("Собор Василия Блаженного", "Красная пл., 7", 55.7525, 37.6231, "church",
     ("tour", "walk")),
    ("Московский Дом книги на Новом Арбате", "ул. Новый Арбат, 8", 55.7524, 37.5958, "bookstore",
     ("lecture", "art_talk", "science_talk", "humanities_talk")),
    ("Российский академический молодёжный театр", "Театральная пл., 2", 55.7588, 37.6193, "theatre",
     ("theatre", "kids", "drama", "kids_theatre")),
    ("Клуб «16 тонн»", "ул. Пресненский Вал, 6, стр. 1", 55.7660, 37.5630, "concert_hall",
     ("concert", "standup", "club")),
    ("Известия Hall", "ул. Тверская, 18, корп. 1", 55.7663, 37.6032, "concert_hall",
     ("concert", "standup", "club")),
    ("Еврейский музей и центр толерантности", "ул. Образцова, 11, стр. 1А", 55.7889, 37.6075, "museum",
     ("exhibition", "lecture", "masterclass", "kids", "edu", "photo", "humanities_talk")),
    ("Аптекарский огород", "пр-т Мира, 26, стр. 1", 55.7772, 37.6327, "park",
     ("tour", "exhibition", "masterclass", "kids", "quest", "walk")),
    ("Парк искусств «Музеон»", "ул. Крымский Вал, 2", 55.7356, 37.6066, "park",
     ("festival", "cinema", "tour", "masterclass", "openair", "walk")),
    ("Усадьба Кусково", "ул. Юности, 2", 55.7355, 37.8092, "museum",
     ("tour", "concert", "exhibition", "chamber", "walk")),
    ("Театр «Геликон-опера»", "ул. Большая Никитская, 19/16", 55.7569, 37.6020, "theatre",
     ("theatre", "concert", "opera")),
    ("Сад «Эрмитаж»", "ул. Каретный Ряд, 3", 55.7710, 37.6090, "park",
     ("festival", "concert", "standup", "cinema", "openair", "club")),
    ("Государственный Дарвиновский музей", "ул. Вавилова, 57", 55.6907, 37.5614, "museum",
     ("exhibition", "kids", "lecture", "edu", "quest", "science_talk")),
    ("Политехнический музей", "Новая пл., 3/4", 55.7577, 37.6289, "museum",
     ("exhibition", "lecture", "kids", "edu", "science_talk", "space", "tour")),
    ("Московский зоопарк", "ул. Большая Грузинская, 1", 55.7611, 37.5784, "park",
     ("kids", "quest")),
    ("Государственный музей А. С. Пушкина", "ул. Пречистенка, 12/2", 55.7432, 37.5973, "museum",
     ("exhibition", "lecture", "concert", "chamber", "humanities_talk", "tour")),
    # A circus is a landmark on the map but hosts none of our event formats.
    ("Цирк Никулина на Цветном бульваре", "Цветной бул., 13", 55.7707, 37.6199, "theatre", ()),
    ("Памятник А. С. Пушкину", "Пушкинская пл.", 55.7655, 37.6058, "monument",
     ("tour", "walk")),
    ("Памятник Минину и Пожарскому", "Красная пл.", 55.7527, 37.6226, "monument",
     ("tour", "walk")),
)

_SPB: Final[tuple[_Row, ...]] = (
    ("Государственный Эрмитаж", "Дворцовая пл., 2", 59.9398, 30.3146, "museum",
     ("exhibition", "lecture", "kids", "edu", "quest", "pier", "art_talk", "humanities_talk", "history", "tour")),
    ("Главный штаб Эрмитажа", "Дворцовая пл., 6–8", 59.9389, 30.3187, "museum",
     ("exhibition", "lecture", "concert", "contemporary", "classic_art", "chamber", "art_talk")),
    ("Русский музей (Михайловский дворец)", "Инженерная ул., 4", 59.9386, 30.3322, "museum",
     ("exhibition", "lecture", "kids", "classic_art", "edu", "art_talk")),
    ("Мариинский театр", "Театральная пл., 1", 59.9257, 30.2960, "theatre",
     ("theatre", "opera", "tour")),
    ("Мариинский-2", "ул. Декабристов, 34", 59.9266, 30.2918, "theatre",
     ("theatre", "kids", "opera", "kids_theatre")),
    ("Концертный зал Мариинского театра", "ул. Писарева, 20", 59.9243, 30.2878, "concert_hall",
     ("concert", "kids", "hall", "organ", "kids_concert")),
    ("БДТ им. Г. А. Товстоногова", "наб. реки Фонтанки, 65", 59.9288, 30.3336, "theatre",
     ("theatre", "drama")),
    ("Большой зал Филармонии им. Д. Д. Шостаковича", "Михайловская ул., 2", 59.9358, 30.3310,
     "concert_hall", ("concert", "kids", "lecture", "hall", "kids_concert", "humanities_talk")),
    ("Новая Голландия", "наб. Адмиралтейского канала, 2", 59.9292, 30.2895, "park",
     ("festival", "masterclass", "lecture", "cinema", "kids", "exhibition", "contemporary",
      "openair", "quest", "walk", "art_talk", "science_talk", "tour")),
    ("Севкабель Порт", "Кожевенная линия, 40", 59.9241, 30.2412, "gallery",
     ("festival", "concert", "masterclass", "standup", "exhibition", "cinema", "contemporary",
      "openair", "club", "photo")),
    ("Музей современного искусства «Эрарта»", "29-я линия В. О., 2", 59.9320, 30.2512, "gallery",
     ("exhibition", "lecture", "concert", "standup", "contemporary", "chamber", "photo", "art_talk")),
    ("Центральный выставочный зал «Манеж»", "Исаакиевская пл., 1", 59.9355, 30.3028, "gallery",
     ("exhibition", "lecture", "classic_art", "contemporary", "photo", "art_talk")),
    ("Летний сад", "наб. Кутузова, 2", 59.9447, 30.3364, "park",
     ("tour", "kids", "quest", "walk")),
    ("Планетарий №1", "наб. Обводного канала, 74Ц", 59.9110, 30.3295, "museum",
     ("lecture", "kids", "edu", "science_talk", "space", "exhibition")),
    ("Исаакиевский собор", "Исаакиевская пл., 4", 59.9341, 30.3061, "church",
     ("tour", "concert", "choir", "walk")),
    ("Казанский собор", "Казанская пл., 2", 59.9342, 30.3245, "church",
     ("tour", "walk")),
    ("Храм Спаса на Крови", "наб. канала Грибоедова, 2Б", 59.9400, 30.3289, "church",
     ("tour", "walk")),
    ("Петропавловская крепость", "Петропавловская крепость, 3", 59.9500, 30.3166, "monument",
     ("tour", "festival", "exhibition", "kids", "edu", "quest", "walk", "history", "space")),
    ("Александринский театр", "пл. Островского, 6", 59.9325, 30.3363, "theatre",
     ("theatre", "drama")),
    ("Михайловский театр", "пл. Искусств, 1", 59.9379, 30.3289, "theatre",
     ("theatre", "kids", "opera", "kids_theatre")),
    ("Кунсткамера", "Университетская наб., 3", 59.9415, 30.3046, "museum",
     ("exhibition", "kids", "lecture", "edu", "quest", "science_talk", "history")),
    ("Музей Фаберже", "наб. реки Фонтанки, 21", 59.9348, 30.3434, "museum",
     ("exhibition", "concert", "lecture", "chamber", "humanities_talk")),
    ("Дом книги", "Невский пр., 28", 59.9357, 30.3259, "bookstore",
     ("lecture", "art_talk", "science_talk", "humanities_talk")),
    ("Российская национальная библиотека", "Садовая ул., 18", 59.9335, 30.3356, "library",
     ("lecture", "exhibition", "photo", "art_talk", "science_talk", "humanities_talk")),
    ("Лофт-проект «Этажи»", "Лиговский пр., 74", 59.9203, 30.3547, "gallery",
     ("exhibition", "masterclass", "standup", "festival", "lecture", "contemporary", "photo", "art_talk")),
    ("ЦПКиО им. С. М. Кирова", "Елагин остров, 4", 59.9795, 30.2660, "park",
     ("festival", "tour", "kids", "cinema", "masterclass", "openair", "quest", "walk")),
    ("Таврический сад", "Кирочная ул., 50А", 59.9460, 30.3730, "park",
     ("kids", "festival", "masterclass", "quest")),
    ("Театр им. Ленсовета", "Владимирский пр., 12", 59.9298, 30.3470, "theatre",
     ("theatre", "drama")),
    ("Большой театр кукол", "ул. Некрасова, 10", 59.9404, 30.3593, "theatre",
     ("kids", "puppet", "kids_theatre")),
    ("Государственная академическая капелла", "наб. реки Мойки, 20", 59.9404, 30.3201, "concert_hall",
     ("concert", "hall", "organ", "choir")),
    ("БКЗ «Октябрьский»", "Лиговский пр., 6", 59.9345, 30.3625, "concert_hall",
     ("concert", "standup", "club")),
    ("Литературно-мемориальный музей Ф. М. Достоевского", "Кузнечный пер., 5/2", 59.9270, 30.3507,
     "museum", ("exhibition", "lecture", "humanities_talk", "tour")),
    ("Юсуповский дворец", "наб. реки Мойки, 94", 59.9294, 30.2995, "museum",
     ("concert", "exhibition", "chamber")),
    ("Зоологический музей", "Университетская наб., 1", 59.9437, 30.3060, "museum",
     ("kids", "exhibition", "lecture", "edu", "quest", "science_talk")),
    ("Ботанический сад Петра Великого", "ул. Профессора Попова, 2", 59.9700, 30.3240, "park",
     ("tour", "exhibition", "kids", "masterclass", "edu", "walk")),
    ("Кинотеатр «Аврора»", "Невский пр., 60", 59.9344, 30.3418, "cinema",
     ("cinema", "lecture", "cinema_hall", "humanities_talk")),
    ("Кинотеатр «Родина»", "Караванная ул., 12", 59.9355, 30.3404, "cinema",
     ("cinema", "cinema_hall")),
    ("Клуб «Космонавт»", "Бронницкая ул., 24", 59.9135, 30.3195, "concert_hall",
     ("concert", "standup", "club")),
    ("Музей Анны Ахматовой в Фонтанном доме", "наб. реки Фонтанки, 34", 59.9362, 30.3440, "museum",
     ("exhibition", "lecture", "concert", "chamber", "humanities_talk", "tour")),
    ("Музей Арктики и Антарктики", "ул. Марата, 24А", 59.9268, 30.3534, "museum",
     ("exhibition", "kids", "lecture", "edu", "science_talk")),
    ("ДК Ленсовета", "Каменноостровский пр., 42", 59.9646, 30.3118, "concert_hall",
     ("concert", "standup", "kids", "theatre", "club", "drama", "kids_theatre", "tour")),
    ("Колоннада Исаакиевского собора", "Исаакиевская пл., 4", 59.9339, 30.3064, "viewpoint",
     ("tour", "walk")),
    ("Медный всадник", "Сенатская пл.", 59.9364, 30.3022, "monument",
     ("tour", "walk", "pier")),
    ("Александровская колонна", "Дворцовая пл.", 59.9391, 30.3159, "monument",
     ("tour", "festival", "walk")),
    ("Стрелка Васильевского острова", "Биржевая пл.", 59.9441, 30.3067, "viewpoint",
     ("tour", "festival", "walk")),
    ("Александро-Невская лавра", "наб. реки Монастырки, 1", 59.9212, 30.3882, "church",
     ("tour", "concert", "choir", "walk")),
)


def _build(city: str, rows: tuple[_Row, ...]) -> tuple[VenueInfo, ...]:
    return tuple(
        VenueInfo(DemoPlace(name, address, city, lat, lon), poi_category, hosts)
        for name, address, lat, lon, poi_category, hosts in rows
    )


_VENUES: Final[dict[str, tuple[VenueInfo, ...]]] = {
    "moscow": _build("moscow", _MOSCOW),
    "spb": _build("spb", _SPB),
}
_PLACES: Final[dict[str, tuple[DemoPlace, ...]]] = {
    city: tuple(v.place for v in infos) for city, infos in _VENUES.items()
}


def _check_city(city: str) -> None:
    if city not in CITIES:
        raise ValueError(f"unknown city {city!r}; expected one of {CITIES}")


def venues(city: str) -> tuple[DemoPlace, ...]:
    """Real venues of ``city`` ("moscow" or "spb") with real coordinates."""
    _check_city(city)
    return _PLACES[city]


def venue_infos(city: str) -> tuple[VenueInfo, ...]:
    """Venues with generator metadata (POI category, hosted event categories)."""
    _check_city(city)
    return _VENUES[city]
