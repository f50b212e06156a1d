"""User actions: what each kind weighs, which the apps may report, and the short-term
profile built from a user's recent ones."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from services.runtime.errors import InvalidArgument


class Kind(IntEnum):
    """kulturago.recommendation.v1.ActionKind (same numbers)."""

    VIEW = 1
    SEARCH_CLICK = 2
    FAVOURITE = 3
    UNFAVOURITE = 4
    SHARE = 5
    PURCHASE = 6
    REVIEW = 7
    CHECKIN = 8


# How much an action says about taste (a view is the weakest positive signal; an
# unfavourite takes back most of a favourite).
WEIGHTS: dict[Kind, float] = {
    Kind.VIEW: 1.0, Kind.SEARCH_CLICK: 1.5, Kind.FAVOURITE: 4.0, Kind.UNFAVOURITE: -3.0, Kind.SHARE: 3.0,
    Kind.PURCHASE: 6.0, Kind.REVIEW: 3.0, Kind.CHECKIN: 4.0,
}
APP_KINDS = frozenset({Kind.VIEW, Kind.SEARCH_CLICK, Kind.SHARE})
MAX_AGE = timedelta(days=7)
MAX_AHEAD = timedelta(minutes=5)
# The short-term profile: the last actions, each counting less as it ages.
RECENT_ACTIONS = 100
HALF_LIFE = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Action:
    user_id: str
    action_id: str
    kind: Kind
    event_slug: str
    time: datetime

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


def check_client_time(time: datetime, now: datetime, field: str) -> None:
    """A client's clock may be off a little; an action from last month or next week is not believed."""
    if time < now - MAX_AGE:
        raise InvalidArgument.on_field(field, "must lie within the last 7 days")
    if time > now + MAX_AHEAD:
        raise InvalidArgument.on_field(field, "must not be more than 5 minutes ahead")


@dataclass(frozen=True, slots=True)
class RecentAction:
    kind: Kind
    event_slug: str
    time: datetime

    def encode(self) -> str:
        return f"{int(self.kind)}|{self.event_slug}|{self.time.timestamp():.3f}"

    @classmethod
    def decode(cls, raw: str) -> RecentAction | None:
        try:
            kind, slug, ts = raw.split("|")
            return cls(Kind(int(kind)), slug, datetime.fromtimestamp(float(ts), UTC))
        except ValueError:
            return None  # written by another version: skipped


def decayed(weight: float, age: timedelta) -> float:
    return weight * math.pow(0.5, max(age.total_seconds(), 0.0) / HALF_LIFE.total_seconds())


def item_weights(recent: Iterable[RecentAction], now: datetime) -> dict[str, float]:
    """slug -> the decayed sum of its actions' weights (negative: disliked)."""
    weights: dict[str, float] = {}
    for action in recent:
        weights[action.event_slug] = weights.get(action.event_slug, 0.0) + decayed(
            WEIGHTS[action.kind], now - action.time)
    return weights
