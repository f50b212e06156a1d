"""Moscow calendar days, weeks and months: the daily caps and the leaderboards' periods.
A Moscow day is not a UTC day (UTC+3), and both cities keep Moscow time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
PERIODS = ("week", "month", "all")


def moscow_day(at: datetime) -> date:
    return at.astimezone(MOSCOW).date()


def moscow_hour(at: datetime) -> int:
    return at.astimezone(MOSCOW).hour


def period_key(period: str, at: datetime) -> str:
    """The bucket of `period` that the moment `at` falls in: 'w2026-48' (ISO week, from
    Monday), 'm2026-11', 'all'."""
    return period_key_of_day(period, moscow_day(at))


def period_key_of_day(period: str, day: date) -> str:
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"w{year}-{week:02d}"
    if period == "month":
        return f"m{day.year}-{day.month:02d}"
    if period == "all":
        return "all"
    raise ValueError(f"unknown period {period!r}")


def period_keys_of_day(day: date) -> list[str]:
    return [period_key_of_day(p, day) for p in PERIODS]
