"""Date windows of the catalog filters ("today", "weekend", ...), in Moscow time.

Shared by event-service and search-service so that `when=weekend` means the same
thing in the list and in search. Pure: the caller passes `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.runtime.errors import InvalidArgument

CITY_TZ = ZoneInfo("Europe/Moscow")  # Moscow and Saint Petersburg share it


@dataclass(frozen=True, slots=True)
class Window:
    """[start, end): sessions overlapping it match; `start` is never before now."""

    start: datetime
    end: datetime | None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CITY_TZ)


# A catalog has no sessions outside these; the bounds also keep `day + 1` from overflowing.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _parse(value: str, field: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument.on_field(field, "not a calendar date (YYYY-MM-DD)") from None
    if not EARLIEST <= day <= LATEST:
        raise InvalidArgument.on_field(field, f"must be between {EARLIEST} and {LATEST}")
    return day


def window(now: datetime, *, when: str = "", date_from: str = "", date_to: str = "") -> Window:
    today = now.astimezone(CITY_TZ).date()
    start: datetime
    end: datetime | None
    match when:
        case "today":
            start, end = _midnight(today), _midnight(today + timedelta(days=1))
        case "tomorrow":
            start, end = _midnight(today + timedelta(days=1)), _midnight(today + timedelta(days=2))
        case "weekend":
            # Saturday and Sunday of this week (the current one when it is the weekend).
            saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 \
                else today - timedelta(days=today.weekday() - 5)
            start, end = _midnight(saturday), _midnight(saturday + timedelta(days=2))
        case "week":
            start, end = _midnight(today), _midnight(today + timedelta(days=7))
        case _:
            start = _midnight(_parse(date_from, "dateFrom")) if date_from else now
            end = _midnight(_parse(date_to, "dateTo") + timedelta(days=1)) if date_to else None
            if date_from and date_to and end is not None and end <= start:
                raise InvalidArgument.on_field("dateTo", "must not be before dateFrom")
    return Window(max(start, now), end)
