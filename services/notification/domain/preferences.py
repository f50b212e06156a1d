"""A user's say over their notifications: channels and kinds on or off, quiet hours, time
zone and language. Everything not said is the default: every channel and kind on but the
opt-in ones (campaigns), no quiet hours, the platform's zone and language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.notification.domain.catalog import CHANNELS, KINDS, OPT_IN_KINDS
from services.notification.domain.quiet_hours import QuietHours
from services.runtime.errors import InvalidArgument


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or InvalidArgument on timeZone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgument.on_field("timeZone", f"unknown time zone {name!r} (an IANA name such as "
                                                   "Europe/Moscow)") from None


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: Mapping[str, bool] = field(default_factory=dict)  # only what the user set
    kinds: Mapping[str, bool] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    time_zone: str = ""  # "" = the platform's default
    locale: str = ""  # "" = not chosen (a device's, else the platform's default)
    update_time: datetime | None = None

    def channel_on(self, channel: str) -> bool:
        return self.channels.get(channel, True)

    def kind_on(self, kind: str) -> bool:
        return self.kinds.get(kind, kind not in OPT_IN_KINDS)

    def allows(self, channel: str, kind: str) -> bool:
        return self.channel_on(channel) and self.kind_on(kind)

    def zone(self, default: str) -> ZoneInfo:
        return zone(self.time_zone or default)

    def push_held_until(self, now: datetime, default_zone: str) -> datetime | None:
        """When a push due `now` may go: None (at once), or the end of the quiet hours."""
        if self.quiet_hours is None:
            return None
        return self.quiet_hours.ends_after(now, self.zone(default_zone))

    def all_channels(self) -> dict[str, bool]:
        return {c: self.channel_on(c) for c in CHANNELS}

    def all_kinds(self) -> dict[str, bool]:
        return {k: self.kind_on(k) for k in KINDS}


@dataclass(frozen=True, slots=True)
class PreferencesChange:
    """What PUT /api/v1/notifications/preferences said; None/empty = unchanged."""

    channels: Mapping[str, bool] = field(default_factory=dict)
    kinds: Mapping[str, bool] = field(default_factory=dict)
    quiet_hours: tuple[str, str] | None = None  # ("", "") turns them off
    time_zone: str = ""
    locale: str = ""

    def applied_to(self, current: Preferences, now: datetime) -> Preferences:
        quiet = current.quiet_hours
        if self.quiet_hours is not None:
            start, end = self.quiet_hours
            quiet = QuietHours.parse(start, end) if start and end else None
        if self.time_zone:
            zone(self.time_zone)  # refuses an unknown zone before anything is saved
        return replace(current, channels={**current.channels, **self.channels},
                       kinds={**current.kinds, **self.kinds}, quiet_hours=quiet,
                       time_zone=self.time_zone or current.time_zone, locale=self.locale or current.locale,
                       update_time=now)
