"""Quiet hours: a daily window, in the user's own time zone, during which pushes wait.

The window is a wall-clock interval [start, end) that may cross midnight (22:00..08:00).
Whether "now" is inside it depends on the user's zone, not on ours: 23:30 UTC is 02:30 in
Moscow, the next day. Pure: the caller passes the instant and the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours must not start and end at the same time")

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(parse_hhmm(start), parse_hhmm(end))

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def contains(self, wall: time) -> bool:
        """Is this wall-clock time inside the window?"""
        if self.crosses_midnight:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end

    def ends_after(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """The instant (UTC) the window around `now` ends, or None when `now` is outside it."""
        local = now.astimezone(zone)
        wall = local.time().replace(tzinfo=None)
        if not self.contains(wall):
            return None
        # Inside a window that crosses midnight and before it: it ends tomorrow.
        day = local.date() + timedelta(days=1) if self.crosses_midnight and wall >= self.start else local.date()
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)

    def text(self) -> tuple[str, str]:
        return self.start.strftime("%H:%M"), self.end.strftime("%H:%M")
