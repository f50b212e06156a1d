"""Date windows and catalog list queries at the instants where the Moscow day, week and
year turn while UTC is still on the day before (Moscow is UTC+3 all year)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.event.domain.listing import ListFilters, city_day, list_query
from services.runtime.errors import InvalidArgument
from services.runtime.time_windows import window

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # Saturday 02:30 in Moscow
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 02:30 in Moscow
NEW_YEARS_EVE = datetime(2026, 12, 31, 21, 30, tzinfo=UTC)  # 2027-01-01 00:30 in Moscow (a Friday)


def msk(value: str) -> datetime:
    """A Moscow wall-clock time, e.g. "2026-11-29 00:00"."""
    return datetime.fromisoformat(value + "+03:00")


def bounds(now: datetime, **kwargs: str) -> tuple[datetime, datetime | None]:
    w = window(now, **kwargs)
    return w.start, w.end


@pytest.mark.parametrize(("now", "when", "start", "end"), [
    # Friday night in UTC is Saturday in Moscow: today is Saturday and the weekend is on.
    (FRIDAY_NIGHT, "today", FRIDAY_NIGHT, msk("2026-11-29 00:00")),
    (FRIDAY_NIGHT, "tomorrow", msk("2026-11-29 00:00"), msk("2026-11-30 00:00")),
    (FRIDAY_NIGHT, "weekend", FRIDAY_NIGHT, msk("2026-11-30 00:00")),
    (FRIDAY_NIGHT, "week", FRIDAY_NIGHT, msk("2026-12-05 00:00")),
    # Sunday night in UTC is Monday in Moscow: the weekend meant is the next one.
    (SUNDAY_NIGHT, "today", SUNDAY_NIGHT, msk("2026-12-01 00:00")),
    (SUNDAY_NIGHT, "tomorrow", msk("2026-12-01 00:00"), msk("2026-12-02 00:00")),
    (SUNDAY_NIGHT, "weekend", msk("2026-12-05 00:00"), msk("2026-12-07 00:00")),
    (SUNDAY_NIGHT, "week", SUNDAY_NIGHT, msk("2026-12-07 00:00")),
    # New Year's Eve in UTC is already 2027 in Moscow; tomorrow is Saturday the 2nd.
    (NEW_YEARS_EVE, "today", NEW_YEARS_EVE, msk("2027-01-02 00:00")),
    (NEW_YEARS_EVE, "tomorrow", msk("2027-01-02 00:00"), msk("2027-01-03 00:00")),
    (NEW_YEARS_EVE, "weekend", msk("2027-01-02 00:00"), msk("2027-01-04 00:00")),
    (NEW_YEARS_EVE, "week", NEW_YEARS_EVE, msk("2027-01-08 00:00")),
])
def test_when_windows_follow_the_moscow_day(now: datetime, when: str, start: datetime, end: datetime) -> None:
    assert bounds(now, when=when) == (start, end)


@pytest.mark.parametrize(("now", "moscow_today", "utc_today"), [
    (FRIDAY_NIGHT, "2026-11-28", "2026-11-27"),
    (SUNDAY_NIGHT, "2026-11-30", "2026-11-29"),
    (NEW_YEARS_EVE, "2027-01-01", "2026-12-31"),
])
def test_date_filters_are_moscow_days(now: datetime, moscow_today: str, utc_today: str) -> None:
    # The Moscow day that has just begun: from now to its end (dateTo is inclusive).
    assert bounds(now, date_from=moscow_today, date_to=moscow_today) == (now, city_day(now).end)
    # The day UTC is still on is over in Moscow: an empty window, nothing can match.
    start, end = bounds(now, date_from=utc_today, date_to=utc_today)
    assert end is not None and end <= start
    assert end == city_day(now).start
    # Only dateTo: up to the end of that Moscow day.
    assert bounds(now, date_to=moscow_today) == (now, city_day(now).end)


def test_new_years_eve_date_range_spans_the_year_boundary() -> None:
    start, end = bounds(NEW_YEARS_EVE, date_from="2027-01-01", date_to="2027-01-03")
    assert (start, end) == (NEW_YEARS_EVE, msk("2027-01-04 00:00"))
    with pytest.raises(InvalidArgument):
        window(NEW_YEARS_EVE, date_from="2027-01-02", date_to="2026-12-31")


@pytest.mark.parametrize(("now", "day", "start", "end"), [
    (FRIDAY_NIGHT, "2026-11-28", msk("2026-11-28 00:00"), msk("2026-11-29 00:00")),
    (SUNDAY_NIGHT, "2026-11-30", msk("2026-11-30 00:00"), msk("2026-12-01 00:00")),
    (NEW_YEARS_EVE, "2027-01-01", msk("2027-01-01 00:00"), msk("2027-01-02 00:00")),
])
def test_city_day(now: datetime, day: str, start: datetime, end: datetime) -> None:
    d = city_day(now)
    assert (d.day.isoformat(), d.start, d.end) == (day, start, end)
    assert d.contains(now) and d.contains(start) and not d.contains(end)


@pytest.mark.parametrize(("now", "label"), [
    (FRIDAY_NIGHT, "weekend@2026-11-28"),
    (SUNDAY_NIGHT, "weekend@2026-11-30"),
    (NEW_YEARS_EVE, "weekend@2027-01-01"),
])
def test_list_query_labels_when_with_the_moscow_day(now: datetime, label: str) -> None:
    query = list_query(ListFilters(when="weekend", categories=("theatre", "concert", "theatre")), now)
    assert query.window_label == label  # page tokens and cache keys of yesterday do not apply
    assert (query.window_start, query.window_end) == bounds(now, when="weekend")
    assert query.categories == ("concert", "theatre")


def test_list_query_with_dates() -> None:
    query = list_query(ListFilters(date_from="2027-01-01", date_to="2027-01-01", city="spb"), NEW_YEARS_EVE)
    assert (query.window_start, query.window_end) == (NEW_YEARS_EVE, msk("2027-01-02 00:00"))
    assert (query.window_label, query.city) == ("2027-01-01..2027-01-01", "spb")
    with pytest.raises(InvalidArgument) as bad:
        list_query(ListFilters(date_from="2027-02-30"), NEW_YEARS_EVE)
    assert [v.field for v in bad.value.violations] == ["dateFrom"]
