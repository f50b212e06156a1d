"""Audio tours of the demo city: walks in Moscow and Saint Petersburg over real places
(the venues of places.py and a few landmarks besides), narrated in Russian, some also in
English. Stops that are venues link to their demo POI (geo-service ids, see pois.py).

Coordinates are the real ones, rounded like places.py's; stops closer than ~150 m to
the next get a smaller trigger zone so that zones do not overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Final

from .places import venue_infos
from .pois import generate_pois

__all__ = ["DemoStop", "DemoTour", "demo_tours"]

POI_SEED: Final = 7  # the seed `kgo seed` loads the demo POIs with (kgo/geo_cli.py)


@dataclass(frozen=True, slots=True)
class DemoStop:
    id: str
    title: str  # Russian
    lat: float
    lon: float
    narrations: dict[str, str]  # language -> text read aloud
    titles: dict[str, str] = field(default_factory=dict)  # other languages' titles
    trigger_radius: float = 40.0
    poi_id: int = 0


@dataclass(frozen=True, slots=True)
class DemoTour:
    id: str
    city: str
    title: str
    description: str
    languages: tuple[str, ...]
    stops: tuple[DemoStop, ...]

    def image_key(self, stop: DemoStop) -> str:
        return f"tours/{self.id}/{stop.id}.png"


@cache
def _venues() -> dict[str, tuple[float, float, int]]:
    """Venue name -> (lat, lon, demo POI id)."""
    count = sum(len(venue_infos(city)) for city in ("moscow", "spb"))
    return {p.name: (p.lat, p.lon, p.osm_id) for p in generate_pois(count, seed=POI_SEED)}


def _at(venue: str, stop_id: str, ru: str, en: str = "", *, title: str = "", en_title: str = "",
        radius: float = 40.0) -> DemoStop:
    """A stop at a venue of places.py (its coordinates and POI)."""
    lat, lon, poi = _venues()[venue]
    return DemoStop(stop_id, title or venue, lat, lon, {"ru": ru, **({"en": en} if en else {})},
                    {"en": en_title} if en_title else {}, radius, poi)


def _near(title: str, stop_id: str, lat: float, lon: float, ru: str, en: str = "", *, en_title: str = "",
          radius: float = 40.0) -> DemoStop:
    """A stop at a landmark that is not one of the venues."""
    return DemoStop(stop_id, title, lat, lon, {"ru": ru, **({"en": en} if en else {})},
                    {"en": en_title} if en_title else {}, radius)


def _moscow() -> list[DemoTour]:
    return [
        DemoTour(
            "krasnaya-ploshchad-i-zaryadye", "moscow", "Красная площадь и Зарядье",
            "Самая короткая прогулка по самому старому центру: от Исторического музея через Красную "
            "площадь к парку «Зарядье» и Политехническому музею, а затем к Большому театру.",
            ("ru", "en"), (
                _at("Государственный исторический музей", "istoricheskiy-muzey",
                    "Перед вами Исторический музей, построенный в 1883 году по проекту Владимира Шервуда. "
                    "Его красный кирпич и шатровые башни повторяют силуэты Кремля. "
                    "В собрании музея больше четырёх миллионов предметов, от каменных орудий до мундиров "
                    "русских императоров.",
                    "You are standing in front of the State Historical Museum, built in 1883 to a design by "
                    "Vladimir Sherwood. Its red brick and tented towers echo the Kremlin walls behind it. "
                    "The collection holds more than four million objects.",
                    en_title="State Historical Museum"),
                _at("Собор Василия Блаженного", "vasiliy-blazhennyy",
                    "Покровский собор, который все называют храмом Василия Блаженного, заложили по приказу "
                    "Ивана Грозного в честь взятия Казани. Девять церквей собора стоят на одном основании, "
                    "и у каждой свой купол. Сегодня собор — филиал Исторического музея.",
                    "The Cathedral of the Intercession, known to everyone as Saint Basil's, was built on the "
                    "orders of Ivan the Terrible to mark the capture of Kazan. Nine churches share one "
                    "foundation, each under its own dome.",
                    en_title="Saint Basil's Cathedral"),
                _at("Парк «Зарядье»", "park-zaryadye",
                    "Парк «Зарядье» открылся в 2017 году на месте снесённой гостиницы «Россия». "
                    "Здесь собраны ландшафты средней полосы: тундра, степь, лес и болото. "
                    "Обязательно выйдите на Парящий мост над Москвой-рекой: с него виден Кремль.",
                    "Zaryadye Park opened in 2017 where the Rossiya hotel once stood. It gathers the "
                    "landscapes of Russia in one place: tundra, steppe, forest and marsh. Walk out onto the "
                    "Floating Bridge over the river for a view of the Kremlin.",
                    en_title="Zaryadye Park"),
                _at("Политехнический музей", "politekh",
                    "Политехнический музей основали в 1872 году, после Политехнической выставки. "
                    "Здание на Новой площади строили почти сорок лет, по частям. "
                    "В его Большой аудитории выступали Маяковский, Есенин и Нильс Бор.",
                    "The Polytechnic Museum was founded in 1872, after the Polytechnic Exhibition. Its "
                    "building on New Square took almost forty years to finish. Mayakovsky and Niels Bohr "
                    "spoke in its Great Auditorium.",
                    en_title="Polytechnic Museum"),
                _at("Большой театр", "bolshoy-teatr",
                    "Большой театр ведёт свою историю с 1776 года. Нынешнее здание с квадригой Аполлона "
                    "над портиком построил Альберт Кавос после пожара 1853 года. "
                    "На его сцене впервые поставили «Лебединое озеро» Чайковского.",
                    "The Bolshoi Theatre dates back to 1776. The present building, with Apollo's chariot "
                    "above the portico, was rebuilt by Alberto Cavos after the fire of 1853. Swan Lake was "
                    "first staged here.",
                    en_title="Bolshoi Theatre"),
            )),
        DemoTour(
            "teatralnaya-moskva", "moscow", "Театральная Москва",
            "Пять сцен, на которых сложилась русская театральная традиция: от Большого и Малого театров "
            "до МХТ, «Геликон-оперы» и Театра Вахтангова на Арбате.",
            ("ru",), (
                _at("Большой театр", "bolshoy",
                    "Начнём у Большого театра. Восемь колонн портика и бронзовая квадрига — "
                    "символ московской сцены с середины девятнадцатого века."),
                _at("Малый театр", "malyy",
                    "Малый театр называют вторым университетом России. Перед входом стоит памятник "
                    "Александру Островскому: почти все его пьесы впервые сыграли здесь.", radius=30),
                _at("МХТ им. А. П. Чехова", "mkht",
                    "В Камергерском переулке работает Художественный театр, основанный Станиславским и "
                    "Немировичем-Данченко в 1898 году. Чайка на занавесе появилась после успеха пьесы "
                    "Чехова и стала эмблемой театра."),
                _at("Театр «Геликон-опера»", "gelikon",
                    "«Геликон-опера» занимает усадьбу Шаховских-Глебовых-Стрешневых на Большой Никитской. "
                    "Театр основал в 1990 году Дмитрий Бертман, и начинался он как камерная труппа."),
                _at("Театр им. Евг. Вахтангова", "vakhtangov",
                    "Завершим прогулку на Арбате, у Театра Вахтангова. Его студия выросла из учеников "
                    "Станиславского, а знаменитая «Принцесса Турандот» идёт здесь с 1922 года в разных "
                    "редакциях."),
            )),
        DemoTour(
            "volkhonka-i-prechistenka", "moscow", "Музеи Волхонки и Пречистенки",
            "Музейный квартал у Кремля: ГМИИ им. Пушкина, храм Христа Спасителя, "
            "Пушкинский музей на Пречистенке, Мультимедиа Арт Музей и ГЭС-2.",
            ("ru", "en"), (
                _at("ГМИИ им. А. С. Пушкина", "gmii",
                    "Музей изобразительных искусств открылся в 1912 году. Его задумал профессор Иван "
                    "Цветаев, отец поэтессы Марины Цветаевой, как учебный музей слепков. "
                    "Сегодня здесь одна из лучших коллекций импрессионистов в мире.",
                    "The Pushkin State Museum of Fine Arts opened in 1912. Professor Ivan Tsvetaev, father "
                    "of the poet Marina Tsvetaeva, conceived it as a museum of plaster casts. Today it holds "
                    "one of the finest collections of Impressionists anywhere.",
                    en_title="Pushkin Museum of Fine Arts"),
                _at("Храм Христа Спасителя", "khram-khrista",
                    "Храм Христа Спасителя строили больше сорока лет в память о победе над Наполеоном. "
                    "В 1931 году его взорвали, а в 1990-х восстановили по старым чертежам.",
                    "The Cathedral of Christ the Saviour took more than forty years to build, in memory of "
                    "the victory over Napoleon. It was blown up in 1931 and rebuilt in the 1990s.",
                    en_title="Cathedral of Christ the Saviour"),
                _at("Государственный музей А. С. Пушкина", "muzey-pushkina",
                    "На Пречистенке, в усадьбе Хрущёвых-Селезнёвых, работает музей Пушкина. "
                    "Ампирный особняк пережил пожар 1812 года и сохранил интерьеры того времени.",
                    "On Prechistenka Street, in the Khrushchev-Seleznev mansion, is the Pushkin Memorial "
                    "Museum. The Empire-style house survived the fire of 1812.",
                    en_title="Pushkin Memorial Museum"),
                _at("Мультимедиа Арт Музей", "mamm",
                    "Мультимедиа Арт Музей на Остоженке вырос из Московского дома фотографии. "
                    "Здесь хранят архив русской фотографии с середины девятнадцатого века.",
                    "The Multimedia Art Museum on Ostozhenka grew out of the Moscow House of Photography. "
                    "It keeps an archive of Russian photography from the mid-nineteenth century on.",
                    en_title="Multimedia Art Museum"),
                _at("Дом культуры «ГЭС-2»", "ges-2",
                    "Закончим у ГЭС-2, бывшей электростанции, которая питала московский трамвай. "
                    "Архитектор Ренцо Пьяно превратил её в дом культуры с открытой площадью и рощей берёз.",
                    "We finish at GES-2, a former power station that once ran Moscow's trams. The architect "
                    "Renzo Piano turned it into a house of culture with an open square and a birch grove.",
                    en_title="GES-2 House of Culture"),
            )),
        DemoTour(
            "ot-tretyakovki-do-garazha", "moscow", "От Третьяковки до «Гаража»",
            "Русское искусство на двух берегах: Лаврушинский переулок, парк «Музеон», "
            "Новая Третьяковка, Парк Горького и музей «Гараж».",
            ("ru",), (
                _at("Государственная Третьяковская галерея", "tretyakovka",
                    "Третьяковскую галерею основал купец Павел Третьяков, который покупал картины "
                    "современников и в 1892 году подарил собрание Москве. Сказочный фасад нарисовал "
                    "Виктор Васнецов."),
                _at("Парк искусств «Музеон»", "muzeon",
                    "В «Музеоне» собраны памятники, снятые с московских площадей после 1991 года. "
                    "Рядом с Дзержинским и Сталиным стоят работы современных скульпторов.", radius=30),
                _at("Новая Третьяковка", "novaya-tretyakovka",
                    "В здании на Крымском Валу хранится искусство двадцатого века: Малевич, Кандинский, "
                    "Гончарова. «Чёрный квадрат» висит именно здесь.", radius=30),
                _at("Парк Горького", "park-gorkogo",
                    "Парк Горького открылся в 1928 году как первый в стране парк культуры и отдыха. "
                    "Главный вход с колоннадой построили в 1955 году."),
                _at("Музей современного искусства «Гараж»", "garazh",
                    "Музей «Гараж» занимает бывший ресторан «Времена года», перестроенный по проекту "
                    "Рема Колхаса. Бетонный модернизм семидесятых здесь сохранили и открыли заново."),
            )),
        DemoTour(
            "vdnkh-i-kosmos", "moscow", "ВДНХ и космос",
            "От «Рабочего и колхозницы» к Музею космонавтики и павильону «Космос»: "
            "главная выставка страны и её космическая история.",
            ("ru", "en"), (
                _near("«Рабочий и колхозница»", "rabochiy-i-kolkhoznitsa", 55.8281, 37.6465,
                      "Скульптуру Веры Мухиной впервые показали на Всемирной выставке в Париже в 1937 году. "
                      "Её высота вместе с павильоном — почти шестьдесят метров. "
                      "С 1947 года фигуры служат эмблемой «Мосфильма».",
                      "Vera Mukhina's Worker and Kolkhoz Woman was first shown at the 1937 World's Fair in "
                      "Paris. Since 1947 it has been the emblem of the Mosfilm studio.",
                      en_title="Worker and Kolkhoz Woman"),
                _at("Музей космонавтики", "muzey-kosmonavtiki",
                    "Музей космонавтики спрятан под монументом «Покорителям космоса» высотой сто семь "
                    "метров. Внутри — спускаемые аппараты, скафандры и чучела Белки и Стрелки.",
                    "The Museum of Cosmonautics lies beneath the 107-metre Monument to the Conquerors of "
                    "Space. Inside are re-entry capsules, spacesuits and the dogs Belka and Strelka.",
                    en_title="Museum of Cosmonautics"),
                _at("ВДНХ", "glavnyy-vkhod",
                    "Главный вход ВДНХ — триумфальная арка со скульптурой тракториста и колхозницы. "
                    "Выставка открылась в 1939 году, а её павильоны строили для каждой республики.",
                    "The main gate of VDNKh is a triumphal arch crowned by a tractor driver and a collective "
                    "farm girl. The exhibition opened in 1939.",
                    title="Главный вход ВДНХ", en_title="VDNKh main gate"),
                _near("Фонтан «Дружба народов»", "druzhba-narodov", 55.8316, 37.6294,
                      "Золотой фонтан «Дружба народов» окружают шестнадцать девушек в национальных костюмах "
                      "союзных республик. Летом он работает с утра до позднего вечера.",
                      "The golden Friendship of Peoples fountain is ringed by sixteen maidens in the costumes "
                      "of the Soviet republics.",
                      en_title="Friendship of Peoples fountain"),
                _near("Павильон «Космос»", "pavilon-kosmos", 55.8336, 37.6278,
                      "Павильон «Космос» с куполом и стеклянным фасадом построили в 1939 году, "
                      "а в 1960-х он стал космическим. Перед ним стоит копия ракеты «Восток».",
                      "The Cosmos pavilion, with its dome and glass front, became the home of the space "
                      "exhibition in the 1960s. A Vostok rocket stands before it.",
                      en_title="Cosmos pavilion"),
            )),
        DemoTour(
            "arbat", "moscow", "Старый и Новый Арбат",
            "Кинотеатры, книжный дом и театр: прогулка от Арбатской площади по двум Арбатам.",
            ("ru",), (
                _at("Кинотеатр «Художественный»", "khudozhestvennyy",
                    "«Художественный» — старейший кинотеатр Москвы, он работает с 1909 года. "
                    "Здесь проходили премьеры советских фильмов, а Ленин смотрел хронику."),
                _at("Московский Дом книги на Новом Арбате", "dom-knigi",
                    "Дом книги на Новом Арбате открылся в 1967 году и долго был крупнейшим книжным "
                    "магазином страны. Новый Арбат строили как проспект-витрину социалистической Москвы."),
                _at("Кинотеатр «Октябрь»", "oktyabr",
                    "Кинотеатр «Октябрь» с мозаикой на фасаде — главный зал Московского кинофестиваля. "
                    "Мозаику «Наш октябрь» сложили художники из Мосфильма."),
                _at("Театр им. Евг. Вахтангова", "vakhtangov",
                    "Свернём на Старый Арбат. Театр Вахтангова стоит здесь с 1921 года, а у его входа — "
                    "фонтан с Принцессой Турандот."),
                _near("Музей-квартира Пушкина на Арбате", "kvartira-pushkina", 55.7493, 37.5893,
                      "В доме номер пятьдесят три Пушкин прожил первые месяцы после свадьбы с Натальей "
                      "Гончаровой в 1831 году. Напротив стоит памятник поэту и его жене."),
            )),
    ]


def _spb() -> list[DemoTour]:
    return [
        DemoTour(
            "dvortsovaya-i-nevskiy", "spb", "Дворцовая площадь и Невский",
            "Парадный Петербург: Эрмитаж, Александровская колонна, арка Главного штаба, "
            "Казанский собор и Спас на Крови.",
            ("ru", "en"), (
                _at("Государственный Эрмитаж", "ermitazh",
                    "Зимний дворец строил Бартоломео Растрелли для императрицы Елизаветы. "
                    "Эрмитаж начался с коллекции Екатерины Второй в 1764 году, и сегодня в нём "
                    "больше трёх миллионов экспонатов.",
                    "The Winter Palace was built by Bartolomeo Rastrelli for Empress Elizabeth. The "
                    "Hermitage began with Catherine the Great's collection in 1764 and now holds more than "
                    "three million objects.",
                    en_title="The Hermitage"),
                _at("Александровская колонна", "aleksandrovskaya-kolonna",
                    "Александровская колонна стоит без всякого крепления, только под собственным весом "
                    "в шестьсот тонн. Её поставили в 1834 году в честь победы над Наполеоном.",
                    "The Alexander Column is held by nothing but its own six hundred tonnes. It was raised "
                    "in 1834 to honour the victory over Napoleon.",
                    en_title="Alexander Column", radius=30),
                _at("Главный штаб Эрмитажа", "glavnyy-shtab",
                    "Дугу Главного штаба построил Карл Росси. В восточном крыле теперь музей "
                    "искусства девятнадцатого и двадцатого веков, от Моне до Матисса.",
                    "Carlo Rossi built the great arc of the General Staff. Its east wing is now the "
                    "Hermitage's museum of nineteenth and twentieth century art.",
                    en_title="General Staff Building"),
                _at("Казанский собор", "kazanskiy-sobor",
                    "Колоннаду Казанского собора Андрей Воронихин задумал по образцу собора Святого Петра "
                    "в Риме. Здесь похоронен фельдмаршал Кутузов.",
                    "Andrey Voronikhin modelled the colonnade of Kazan Cathedral on Saint Peter's in Rome. "
                    "Field Marshal Kutuzov is buried here.",
                    en_title="Kazan Cathedral"),
                _at("Храм Спаса на Крови", "spas-na-krovi",
                    "Спас на Крови стоит на месте, где в 1881 году был смертельно ранен Александр Второй. "
                    "Его стены изнутри покрыты мозаикой площадью больше семи тысяч квадратных метров.",
                    "The Church of the Saviour on Spilled Blood marks the spot where Alexander the Second "
                    "was mortally wounded in 1881. Its walls carry over seven thousand square metres of "
                    "mosaic.",
                    en_title="Church of the Saviour on Spilled Blood"),
            )),
        DemoTour(
            "isaakiy-i-novaya-gollandiya", "spb", "От Медного всадника до Мариинки",
            "Сенатская площадь, Исаакиевский собор, Юсуповский дворец, остров Новая Голландия "
            "и Мариинский театр.",
            ("ru", "en"), (
                _at("Медный всадник", "mednyy-vsadnik",
                    "Памятник Петру Первому работы Этьена Фальконе открыли в 1782 году. "
                    "Постаментом служит Гром-камень весом больше полутора тысяч тонн. "
                    "Медным всадником памятник назвал Пушкин.",
                    "Falconet's monument to Peter the Great was unveiled in 1782. It stands on the Thunder "
                    "Stone, which weighs over fifteen hundred tonnes. Pushkin's poem gave it the name "
                    "Bronze Horseman.",
                    en_title="The Bronze Horseman"),
                _at("Центральный выставочный зал «Манеж»", "manezh",
                    "Конногвардейский манеж построил Джакомо Кваренги. Сегодня это выставочный зал, "
                    "а у входа стоят статуи Диоскуров.",
                    "Giacomo Quarenghi built the Horse Guards Riding Hall. It is now an exhibition hall "
                    "guarded by the statues of the Dioscuri.",
                    en_title="Manege exhibition hall", radius=30),
                _at("Исаакиевский собор", "isaakiy",
                    "Исаакиевский собор строили сорок лет по проекту Огюста Монферрана. "
                    "Его купол покрыт золотом, а на колоннаду можно подняться и увидеть весь центр города.",
                    "Saint Isaac's Cathedral took forty years to build to Auguste de Montferrand's design. "
                    "Climb the colonnade for a view over the whole centre.",
                    en_title="Saint Isaac's Cathedral"),
                _at("Юсуповский дворец", "yusupovskiy",
                    "В Юсуповском дворце на Мойке в 1916 году убили Григория Распутина. "
                    "Во дворце сохранился домашний театр князей Юсуповых.",
                    "Rasputin was killed in the Yusupov Palace on the Moika in 1916. The princes' private "
                    "theatre survives inside.",
                    en_title="Yusupov Palace"),
                _at("Новая Голландия", "novaya-gollandiya",
                    "Новая Голландия — рукотворный остров, где при Петре хранили корабельный лес. "
                    "Арку над каналом построил Валлен-Деламот. Сегодня здесь парк и выставки.",
                    "New Holland is a man-made island where timber for the fleet was once stored. The arch "
                    "over the canal is by Vallin de la Mothe. Today it is a park.",
                    en_title="New Holland Island"),
                _at("Мариинский театр", "mariinskiy",
                    "Мариинский театр назван в честь императрицы Марии Александровны. На его сцене впервые "
                    "поставили «Спящую красавицу» и «Щелкунчика».",
                    "The Mariinsky Theatre is named after Empress Maria Alexandrovna. The Sleeping Beauty "
                    "and The Nutcracker were first staged here.",
                    en_title="Mariinsky Theatre"),
            )),
        DemoTour(
            "strelka-vasilevskogo", "spb", "Петропавловка и Стрелка",
            "Начало города: Петропавловская крепость, Стрелка Васильевского острова с Ростральными "
            "колоннами, Кунсткамера и «Эрарта».",
            ("ru",), (
                _at("Петропавловская крепость", "petropavlovka",
                    "Петропавловскую крепость заложили 27 мая 1703 года — этот день считают днём рождения "
                    "Петербурга. В соборе крепости похоронены русские императоры от Петра Первого."),
                _at("Стрелка Васильевского острова", "strelka",
                    "На Стрелке стоят Ростральные колонны, украшенные носами кораблей. "
                    "Когда-то они служили маяками порта, а по праздникам на них и сейчас зажигают огонь."),
                _at("Кунсткамера", "kunstkamera",
                    "Кунсткамера — первый музей России, его открыл Пётр Первый в 1714 году. "
                    "Петр собирал диковинки и хотел, чтобы люди смотрели на них бесплатно."),
                _at("Музей современного искусства «Эрарта»", "erarta",
                    "Пройдём по Васильевскому острову к «Эрарте», крупнейшему частному музею "
                    "современного искусства в России. Его линии — это бывшие каналы, засыпанные при Петре."),
            )),
        DemoTour(
            "literaturnyy-peterburg", "spb", "Литературный Петербург",
            "Дом книги на Невском, Публичная библиотека, Фонтанный дом Ахматовой и квартира Достоевского.",
            ("ru",), (
                _at("Дом книги", "dom-knigi",
                    "Дом книги занимает здание компании «Зингер» с глобусом на крыше. "
                    "Книжный магазин работает здесь с 1938 года."),
                _at("Российская национальная библиотека", "publichka",
                    "Императорская публичная библиотека открылась в 1814 году. Петербуржцы до сих пор "
                    "зовут её Публичкой. Здесь работал библиотекарем баснописец Иван Крылов."),
                _at("Музей Анны Ахматовой в Фонтанном доме", "fontannyy-dom",
                    "Анна Ахматова прожила во флигеле Шереметевского дворца около тридцати лет. "
                    "Девиз Шереметевых на гербе — «Бог сохраняет всё» — она поставила эпиграфом к поэме."),
                _at("Литературно-мемориальный музей Ф. М. Достоевского", "dostoevskiy",
                    "В доме на углу Кузнечного переулка Достоевский написал «Братьев Карамазовых» "
                    "и умер в 1881 году. Квартиру восстановили по воспоминаниям его жены."),
            )),
        DemoTour(
            "letniy-sad-i-mikhaylovskiy", "spb", "Летний сад и Михайловская площадь",
            "Летний сад Петра, Русский музей в Михайловском дворце, Михайловский театр, "
            "Спас на Крови и Певческая капелла.",
            ("ru",), (
                _at("Летний сад", "letniy-sad",
                    "Летний сад Пётр Первый заложил в 1704 году и сам рисовал план. Мраморные статуи "
                    "везли из Италии, а решётку со стороны Невы считают одной из красивейших в мире."),
                _at("Русский музей (Михайловский дворец)", "russkiy-muzey",
                    "Михайловский дворец построил Карл Росси для великого князя Михаила Павловича. "
                    "С 1898 года здесь Русский музей, первый государственный музей русского искусства."),
                _at("Михайловский театр", "mikhaylovskiy-teatr",
                    "Михайловский театр на площади Искусств открылся в 1833 году. "
                    "Долгое время здесь играла французская труппа императорского двора."),
                _at("Храм Спаса на Крови", "spas-na-krovi",
                    "Отсюда виден Спас на Крови. Его пёстрые купола напоминают московский Покровский собор, "
                    "и это сходство было задумано."),
                _at("Государственная академическая капелла", "kapella",
                    "Певческая капелла — старейшее профессиональное музыкальное учреждение России, "
                    "её история начинается с хора Ивана Третьего. Зал капеллы славится акустикой."),
            )),
    ]


def demo_tours() -> list[DemoTour]:
    """The demo city's tours: Moscow's, then Saint Petersburg's."""
    return [*_moscow(), *_spb()]
