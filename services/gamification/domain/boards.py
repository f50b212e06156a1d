"""Leaderboard keys: a Redis sorted set per scope (global, a city) and period bucket
(calendar.period_key), scored by the XP earned in it. One XP award goes to every board
of its day: global and its city, this week, this month and all time."""

from __future__ import annotations

from datetime import date

from services.gamification.domain.calendar import period_keys_of_day

PREFIX = "gam:lb:"


def board_key(scope: str, period_key: str, city: str = "") -> str:
    return f"{PREFIX}city:{city}:{period_key}" if scope == "city" else f"{PREFIX}global:{period_key}"


def boards_of(day: date, city: str) -> list[str]:
    keys = []
    for bucket in period_keys_of_day(day):
        keys.append(board_key("global", bucket))
        if city:
            keys.append(board_key("city", bucket, city))
    return keys


_CITY_NAMES = {"moscow": "moscow", "москва": "moscow", "msk": "moscow", "мск": "moscow",
               "spb": "spb", "санкт-петербург": "spb", "петербург": "spb", "питер": "spb", "спб": "spb",
               "saint petersburg": "spb", "st. petersburg": "spb", "st petersburg": "spb", "saint-petersburg": "spb"}


def city_of_profile(text: str) -> str:
    """A profile's free-text city as a board's city ("moscow", "spb"), or "" for others."""
    return _CITY_NAMES.get(" ".join(text.replace("г.", "").split()).lower(), "")
