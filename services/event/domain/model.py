"""Events of the catalog and the queries over them: pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from services.runtime.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    address: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class TicketTier:
    id: str
    name: str
    price: int  # kopecks
    capacity: int
    # Tickets left as ticketing last reported (approximate); None: not known.
    available: int | None = None


@dataclass(frozen=True, slots=True)
class Seat:
    id: str  # "A-12"
    tier_id: str


@dataclass(frozen=True, slots=True)
class Session:
    start: datetime
    end: datetime
    id: str = ""  # stable within the event; derived from `start` when not given
    tiers: tuple[TicketTier, ...] = ()
    seats: tuple[Seat, ...] = ()  # assigned seating; empty: general admission


SESSION_ID_FORMAT = "%Y%m%d-%H%M"
OWN_PROVIDER = "kulturago"  # inventory held by ticketing-service, not by a vendor


def derived_session_id(start: datetime) -> str:
    """The id of a session published without one: its start in UTC, to the minute
    (`20261205-1700`). Publishing the same schedule again gives the same ids."""
    return start.astimezone(UTC).strftime(SESSION_ID_FORMAT)


def _normalize_session(index: int, session: Session, *, provider: str, is_free: bool) -> Session:
    where = f"sessions[{index}]"
    tier_ids = [t.id for t in session.tiers]
    if len(set(tier_ids)) != len(tier_ids):
        raise InvalidArgument.on_field(f"{where}.tiers", "tier ids must be unique within a session")
    if session.tiers and not provider:
        raise InvalidArgument.on_field(f"{where}.tiers", "ticket tiers need a ticketProvider")
    if session.tiers and is_free:
        raise InvalidArgument.on_field(f"{where}.tiers", "a free event has no ticket tiers")
    if provider == OWN_PROVIDER and not session.tiers:
        raise InvalidArgument.on_field(f"{where}.tiers", "tickets sold by kulturago need at least one tier")
    tiers = session.tiers
    if session.seats:
        seat_ids = [s.id for s in session.seats]
        if len(set(seat_ids)) != len(seat_ids):
            raise InvalidArgument.on_field(f"{where}.seats", "seat ids must be unique within a session")
        counts = {t: 0 for t in tier_ids}
        for seat in session.seats:
            if seat.tier_id not in counts:
                raise InvalidArgument.on_field(f"{where}.seats", f"seat {seat.id} is in unknown tier {seat.tier_id!r}")
            counts[seat.tier_id] += 1
        for tier in tiers:
            if counts[tier.id] == 0:
                raise InvalidArgument.on_field(f"{where}.tiers", f"tier {tier.id!r} has no seats")
            if tier.capacity not in (0, counts[tier.id]):
                raise InvalidArgument.on_field(
                    f"{where}.tiers", f"tier {tier.id!r} has {counts[tier.id]} seats, not capacity {tier.capacity}")
        tiers = tuple(replace(t, capacity=counts[t.id]) for t in tiers)
    else:
        for tier in tiers:
            if tier.capacity <= 0:
                raise InvalidArgument.on_field(f"{where}.tiers", f"tier {tier.id!r} needs a capacity")
    return replace(session, id=session.id or derived_session_id(session.start), tiers=tiers)


@dataclass(frozen=True, slots=True)
class Event:
    slug: str
    title: str
    description: str
    category: str
    tags: tuple[str, ...]
    city: str
    place: Place
    sessions: tuple[Session, ...]
    price_min: int
    price_max: int
    currency: str
    is_free: bool
    kids: bool
    age_restriction: int
    images: tuple[str, ...]
    ticket_provider: str
    rating_average: float = 0.0
    rating_count: int = 0
    next_start: datetime | None = None  # within the window of the query that found it
    create_time: datetime | None = None
    update_time: datetime | None = None
    version: int = 0


def normalize(event: Event) -> Event:
    """Business rules on top of the rules of the contract (fields and CEL)."""
    sessions = tuple(_normalize_session(i, s, provider=event.ticket_provider, is_free=event.is_free)
                     for i, s in enumerate(event.sessions))
    ids = [s.id for s in sessions]
    if len(set(ids)) != len(ids):
        raise InvalidArgument.on_field(
            "sessions", "session ids must be unique (two sessions starting the same minute need ids of their own)")
    sessions = tuple(sorted(sessions, key=lambda s: s.start))
    prices = [t.price for s in sessions for t in s.tiers]
    if prices and not event.is_free and event.price_max == 0:
        # The card's range in roubles from the tiers' kopecks, when not given.
        event = replace(event, price_min=min(prices) // 100, price_max=-(-max(prices) // 100))
    tags = tuple(dict.fromkeys(t.strip().lower() for t in event.tags if t.strip()))
    # A kids event rated 6+ at most, a free one priced 0, a paid one with a price (given,
    # or taken from its tiers above): rules of the contract (the CEL rules of
    # kulturago.event.v1.Event), checked before any use case runs.
    kids = event.kids or event.category == "kids"
    return replace(event, sessions=sessions, tags=tags, kids=kids, currency=event.currency or "RUB",
                   title=event.title.strip())


@dataclass(frozen=True, slots=True)
class GeoFilter:
    lat: float
    lon: float
    radius: float


@dataclass(frozen=True, slots=True)
class ListQuery:
    window_start: datetime
    window_end: datetime | None
    # The window as asked for ("today@2026-11-26", "2026-12-01..2026-12-03", "upcoming"):
    # stable for a day, unlike window_start (which is never before now).
    window_label: str = "upcoming"
    categories: tuple[str, ...] = ()
    is_free: bool | None = None
    kids: bool | None = None
    city: str | None = None
    geo: GeoFilter | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    def fingerprint(self) -> str:
        """Identifies the filters (not the page) for page tokens and cache keys."""
        return "|".join(map(str, (
            self.window_label, ",".join(sorted(self.categories)), self.is_free, self.kids, self.city,
            f"{self.geo.lat:.6f},{self.geo.lon:.6f},{self.geo.radius:.1f}" if self.geo else "",
        )))


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position: the last (next_start, slug) of the previous page."""

    next_start: datetime
    slug: str


@dataclass(frozen=True, slots=True)
class Page:
    events: list[Event]
    next_cursor: Cursor | None
    total: int


FEW_LEFT_SHARE = 0.1
FEW_LEFT_TICKETS = 10


def availability(tier: TicketTier) -> str:
    """unknown | available | few_left | sold_out, from the approximate count."""
    if tier.available is None:
        return "unknown"
    if tier.available <= 0:
        return "sold_out"
    if tier.available <= max(FEW_LEFT_TICKETS, tier.capacity * FEW_LEFT_SHARE):
        return "few_left"
    return "available"
