"""Domain <-> protobuf for events (used by the gRPC entrypoint and the event publisher)."""

from __future__ import annotations

from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import events_pb2
from services.event.domain.model import Event, Place, Seat, Session, TicketTier, availability
from services.runtime.timestamps import from_timestamp, optional_timestamp, to_timestamp

_AVAILABILITY = {
    "unknown": pb.AVAILABILITY_UNSPECIFIED,
    "available": pb.AVAILABILITY_AVAILABLE,
    "few_left": pb.AVAILABILITY_FEW_LEFT,
    "sold_out": pb.AVAILABILITY_SOLD_OUT,
}


def _tier(tier: TicketTier) -> pb.TicketTier:
    return pb.TicketTier(id=tier.id, name=tier.name, price=tier.price, capacity=tier.capacity,
                         available=tier.available or 0, availability=_AVAILABILITY[availability(tier)])


def _session(s: Session) -> pb.Session:
    return pb.Session(start_time=to_timestamp(s.start), end_time=to_timestamp(s.end), id=s.id,
                      tiers=[_tier(t) for t in s.tiers],
                      seats=[pb.Seat(id=seat.id, tier_id=seat.tier_id) for seat in s.seats])


def to_proto(event: Event) -> pb.Event:
    return pb.Event(
        slug=event.slug, title=event.title, description=event.description, category=event.category,
        tags=list(event.tags), city=event.city,
        place=pb.Place(name=event.place.name, address=event.place.address, lat=event.place.lat,
                       lon=event.place.lon),
        sessions=[_session(s) for s in event.sessions],
        price=pb.PriceRange(min=event.price_min, max=event.price_max, currency=event.currency),
        is_free=event.is_free, kids=event.kids, age_restriction=event.age_restriction,
        images=list(event.images), ticket_provider=event.ticket_provider,
        rating=pb.Rating(average=event.rating_average, count=event.rating_count),
        next_start_time=optional_timestamp(event.next_start), create_time=optional_timestamp(event.create_time),
        update_time=optional_timestamp(event.update_time), version=event.version,
    )


def _snapshot_session(s: Session) -> events_pb2.EventPublished.Session:
    return events_pb2.EventPublished.Session(
        start_time=to_timestamp(s.start), end_time=to_timestamp(s.end), id=s.id,
        tiers=[events_pb2.EventPublished.TicketTier(id=t.id, name=t.name, price=t.price, capacity=t.capacity)
               for t in s.tiers],
        seats=[events_pb2.EventPublished.Seat(id=seat.id, tier_id=seat.tier_id) for seat in s.seats])


def to_snapshot(event: Event) -> events_pb2.EventPublished.Snapshot:
    """The event in event.published's own schema (not the REST resource: the topic must
    not change when the API does)."""
    return events_pb2.EventPublished.Snapshot(
        slug=event.slug, title=event.title, description=event.description, category=event.category,
        tags=list(event.tags), city=event.city, place_name=event.place.name, place_address=event.place.address,
        lat=event.place.lat, lon=event.place.lon,
        sessions=[_snapshot_session(s) for s in event.sessions],
        price_min=event.price_min, price_max=event.price_max, currency=event.currency, is_free=event.is_free,
        kids=event.kids, age_restriction=event.age_restriction, images=list(event.images),
        ticket_provider=event.ticket_provider, create_time=optional_timestamp(event.create_time),
        update_time=optional_timestamp(event.update_time),
    )


def from_proto(msg: pb.Event) -> Event:
    return Event(
        slug=msg.slug, title=msg.title, description=msg.description, category=msg.category,
        tags=tuple(msg.tags), city=msg.city,
        place=Place(msg.place.name, msg.place.address, msg.place.lat, msg.place.lon),
        sessions=tuple(Session(from_timestamp(s.start_time), from_timestamp(s.end_time), id=s.id,
                               tiers=tuple(TicketTier(t.id, t.name, t.price, t.capacity) for t in s.tiers),
                               seats=tuple(Seat(seat.id, seat.tier_id) for seat in s.seats))
                       for s in msg.sessions),
        price_min=msg.price.min, price_max=msg.price.max, currency=msg.price.currency,
        is_free=msg.is_free, kids=msg.kids, age_restriction=msg.age_restriction,
        images=tuple(msg.images), ticket_provider=msg.ticket_provider,
    )
