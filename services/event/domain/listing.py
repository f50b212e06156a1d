"""From the filters a client sends to the query over the catalog, as of a given instant.

Pure: the caller passes `now`, so that the Moscow day (and with it "today", "weekend",
the dates of dateFrom/dateTo) can be tested at the instants where it turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from services.event.domain.model import DEFAULT_PAGE_SIZE, GeoFilter, ListQuery
from services.runtime.time_windows import CITY_TZ, window


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The filters of a list request as sent: dates and `when` not yet resolved."""

    when: str = ""
    date_from: str = ""
    date_to: str = ""
    categories: tuple[str, ...] = ()
    is_free: bool | None = None
    kids: bool | None = None
    city: str | None = None
    geo: GeoFilter | None = None
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class CityDay:
    """A calendar day in Moscow time, with its bounds in UTC ([start, end))."""

    day: date
    start: datetime
    end: datetime

    def contains(self, now: datetime) -> bool:
        return self.start <= now < self.end


def city_day(now: datetime) -> CityDay:
    day = now.astimezone(CITY_TZ).date()
    start = datetime.combine(day, time.min, tzinfo=CITY_TZ)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=CITY_TZ)
    # In UTC: comparing datetimes that share one tzinfo skips the offset lookups.
    return CityDay(day, start.astimezone(UTC), end.astimezone(UTC))


def list_query(filters: ListFilters, now: datetime) -> ListQuery:
    """The query for `filters` at `now`; InvalidArgument names the field of a bad date."""
    win = window(now, when=filters.when, date_from=filters.date_from, date_to=filters.date_to)
    label = (f"{filters.when}@{city_day(now).day}" if filters.when
             else f"{filters.date_from}..{filters.date_to}")
    return ListQuery(
        window_start=win.start, window_end=win.end, window_label=label,
        categories=tuple(sorted(set(filters.categories))), is_free=filters.is_free, kids=filters.kids,
        city=filters.city, geo=filters.geo, page_size=filters.page_size,
    )
