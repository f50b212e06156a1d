"""Reviews and the rules about them. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MIN_RATING, MAX_RATING = 1, 5


@dataclass(frozen=True, slots=True)
class Photo:
    name: str  # content-addressed file name of the re-encoded image, e.g. <sha256>.jpg
    thumbnail: str  # ... and of its thumbnail
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    event_slug: str
    user_id: str
    rating: int
    text: str
    photos: tuple[Photo, ...] = ()
    helpful_count: int = 0
    hidden: bool = False
    create_time: datetime | None = None
    update_time: datetime | None = None
    # Increases with every change (the version of ugc.created / ugc.deleted).
    version: int = 1


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What ugc-service knows of an event (from event.published)."""

    slug: str
    session_starts: tuple[datetime, ...] = field(default_factory=tuple)


def may_review(event: EventFacts, has_paid_ticket: bool, now: datetime) -> bool:
    """A review is allowed once one of the event's sessions has started (anyone may have
    been there: free events, exhibitions, tickets bought elsewhere), or earlier to a user
    holding a paid ticket for it (ticket.paid). Not before both: nobody reviews a premiere
    that has not happened without having at least bought a ticket."""
    return has_paid_ticket or any(start <= now for start in event.session_starts)
