"""How messages write dates, money and counts in Russian and English (Jinja filters of
the templates). Small tables instead of a locale library: two languages, a few words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

_MONTHS = {
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def when(moment: datetime | str, locale: str, zone: ZoneInfo) -> str:
    """"8 декабря 2026, 20:00" / "8 December 2026, 20:00" in the reader's zone."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(zone)
    month = _MONTHS.get(locale, _MONTHS["en"])[local.month - 1]
    return f"{local.day} {month} {local.year}, {local:%H:%M}"


def money(minor: int | str, currency: str, locale: str) -> str:
    """Kopecks as "1 500,00 ₽" (ru) / "RUB 1,500.00" (en)."""
    value = int(minor)
    whole, cents = divmod(abs(value), 100)
    sign = "-" if value < 0 else ""
    if locale == "ru":
        grouped = f"{whole:,}".replace(",", "\u00a0")
        symbol = "₽" if currency == "RUB" else currency
        return f"{sign}{grouped},{cents:02d}\u00a0{symbol}"
    return f"{sign}{currency} {whole:,}.{cents:02d}"


def plural(count: int, locale: str, one: str, few: str, many: str = "") -> str:
    """The word for `count` things: Russian has three forms (1 билет, 2 билета, 5 билетов),
    English two (`few` is its plural)."""
    if locale != "ru":
        return one if count == 1 else few
    tens, units = count % 100, count % 10
    if units == 1 and tens != 11:
        return one
    if 2 <= units <= 4 and not 12 <= tens <= 14:
        return few
    return many or few
