"""notification-service's pure rules: quiet hours in the user's zone (across midnight,
Moscow is not UTC), preferences, retry backoff, the hourly push limit, formatting."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notification.domain import formatting
from services.notification.domain.delivery_rules import PushLimit, RetryPolicy
from services.notification.domain.preferences import Preferences, PreferencesChange
from services.notification.domain.quiet_hours import QuietHours
from services.runtime.errors import InvalidArgument

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3, no daylight saving
NIGHT = QuietHours(time(22, 0), time(8, 0))  # crosses midnight


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("now", "ends"), [
    (utc(2026, 12, 5, 19, 0), utc(2026, 12, 6, 5, 0)),  # 22:00 Moscow: starts; ends 08:00 MSK tomorrow
    (utc(2026, 12, 5, 21, 30), utc(2026, 12, 6, 5, 0)),  # 00:30 Moscow, already Dec 6 there; 08:00 MSK Dec 6
    (utc(2026, 12, 5, 23, 30), utc(2026, 12, 6, 5, 0)),  # Dec 5 in UTC, 02:30 Dec 6 in Moscow
    (utc(2026, 12, 6, 4, 59), utc(2026, 12, 6, 5, 0)),  # 07:59 Moscow: one minute left
])
def test_quiet_hours_across_midnight_end_in_the_users_zone(now: datetime, ends: datetime) -> None:
    assert NIGHT.ends_after(now, MOSCOW) == ends


@pytest.mark.parametrize("now", [utc(2026, 12, 6, 5, 0), utc(2026, 12, 6, 12, 0), utc(2026, 12, 5, 18, 59)])
def test_outside_quiet_hours_nothing_is_held(now: datetime) -> None:
    assert NIGHT.ends_after(now, MOSCOW) is None


def test_the_same_instant_is_quiet_in_moscow_and_not_in_utc() -> None:
    now = utc(2026, 12, 5, 20, 0)  # 23:00 in Moscow, 20:00 in UTC
    assert NIGHT.ends_after(now, MOSCOW) == utc(2026, 12, 6, 5, 0)
    assert NIGHT.ends_after(now, ZoneInfo("UTC")) is None
    assert NIGHT.ends_after(utc(2026, 12, 5, 23, 0), ZoneInfo("UTC")) == utc(2026, 12, 6, 8, 0)


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(time(13, 0), time(14, 0))
    assert lunch.ends_after(utc(2026, 12, 5, 10, 30), MOSCOW) == utc(2026, 12, 5, 11, 0)  # 13:30 MSK
    assert lunch.ends_after(utc(2026, 12, 5, 11, 0), MOSCOW) is None  # 14:00 MSK: over
    assert lunch.ends_after(utc(2026, 12, 5, 9, 59), MOSCOW) is None


def test_quiet_hours_must_be_a_window() -> None:
    with pytest.raises(ValueError):
        QuietHours(time(8, 0), time(8, 0))


def test_preferences_default_everything_on_but_campaigns() -> None:
    p = Preferences()
    assert p.allows("email", "tickets") and p.allows("push", "account")
    assert not p.allows("push", "campaigns")  # advertising is opt-in
    assert p.push_held_until(utc(2026, 12, 5, 22, 0), "Europe/Moscow") is None


def test_a_change_touches_only_what_it_names() -> None:
    now = utc(2026, 12, 1)
    p = PreferencesChange(channels={"push": False}, kinds={"campaigns": True}, quiet_hours=("22:00", "08:00"),
                          time_zone="Asia/Yekaterinburg").applied_to(Preferences(locale="en"), now)
    assert not p.allows("push", "tickets") and p.allows("email", "tickets") and p.allows("email", "campaigns")
    assert p.locale == "en" and p.time_zone == "Asia/Yekaterinburg" and p.update_time == now
    later = PreferencesChange(channels={"email": False}).applied_to(p, now)
    assert not later.channel_on("push") and not later.channel_on("email") and later.quiet_hours == NIGHT
    off = PreferencesChange(quiet_hours=("", "")).applied_to(later, now)
    assert off.quiet_hours is None and off.time_zone == "Asia/Yekaterinburg"


def test_quiet_hours_are_told_in_the_users_own_zone() -> None:
    p = PreferencesChange(quiet_hours=("22:00", "08:00"), time_zone="Asia/Yekaterinburg").applied_to(
        Preferences(), utc(2026, 12, 1))
    # 19:30 UTC: 00:30 in Yekaterinburg (UTC+5), quiet until 08:00 there = 03:00 UTC.
    assert p.push_held_until(utc(2026, 12, 5, 19, 30), "Europe/Moscow") == utc(2026, 12, 6, 3, 0)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "Europe/"])
def test_an_unknown_time_zone_is_refused_on_its_field(name: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        PreferencesChange(time_zone=name).applied_to(Preferences(), utc(2026, 12, 1))
    assert refused.value.violations[0].field == "timeZone"


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_seconds=1.0, max_seconds=60.0, max_attempts=5)
    assert [policy.delay(n, lambda: 0.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]  # half the step, fixed
    assert [policy.delay(n, lambda: 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]  # the whole step
    assert policy.delay(30, lambda: 1.0) == 60.0  # capped
    assert policy.delay(1, lambda: 0.5, retry_after=30) == 30  # the provider's Retry-After when longer
    assert policy.delay(1, lambda: 0.5, retry_after=3600) == 60.0  # but never past the cap
    assert not policy.gives_up_after(4) and policy.gives_up_after(5)


def test_push_limit_is_a_rolling_hour() -> None:
    limit = PushLimit(limit=3, window=timedelta(hours=1))
    now = utc(2026, 12, 5, 12, 0)
    sent = [now - timedelta(minutes=m) for m in (50, 30, 10)]
    assert limit.next_allowed(sent[:2], now) is None
    assert limit.next_allowed(sent, now) == now + timedelta(minutes=10)  # when the 50-minute-old one leaves
    assert limit.next_allowed([*sent, now - timedelta(minutes=70)], now) == now + timedelta(minutes=10)
    assert PushLimit(limit=0).next_allowed(sent, now) is None  # 0: no limit


def test_formatting_in_both_languages() -> None:
    moment = utc(2026, 12, 8, 17, 0)
    assert formatting.when(moment, "ru", MOSCOW) == "8 декабря 2026, 20:00"
    assert formatting.when(moment.isoformat(), "en", ZoneInfo("UTC")) == "8 December 2026, 17:00"
    assert formatting.money(150050, "RUB", "ru") == "1\u00a0500,50\u00a0₽"
    assert formatting.money(150050, "RUB", "en") == "RUB 1,500.50"
    assert [formatting.plural(n, "ru", "билет", "билета", "билетов") for n in (1, 2, 5, 11, 21, 22, 112)] == \
        ["билет", "билета", "билетов", "билетов", "билет", "билета", "билетов"]
    assert [formatting.plural(n, "en", "ticket", "tickets") for n in (1, 2)] == ["ticket", "tickets"]
