"""Domain <-> protobuf for events (used by the gRPC entrypoint and the event publisher)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from kulturago.event.v1 import event_service_pb2 as pb
from services.event.domain.model import Event, Place, Session


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def to_proto(event: Event) -> pb.Event:
    return pb.Event(
        slug=event.slug, title=event.title, description=event.description, category=event.category,
        tags=list(event.tags), city=event.city,
        place=pb.Place(name=event.place.name, address=event.place.address, lat=event.place.lat,
                       lon=event.place.lon),
        sessions=[pb.Session(start_time=_ts(s.start), end_time=_ts(s.end)) for s in event.sessions],
        price=pb.PriceRange(min=event.price_min, max=event.price_max, currency=event.currency),
        is_free=event.is_free, kids=event.kids, age_restriction=event.age_restriction,
        images=list(event.images), ticket_provider=event.ticket_provider,
        rating=pb.Rating(average=event.rating_average, count=event.rating_count),
        next_start_time=_ts(event.next_start), create_time=_ts(event.create_time),
        update_time=_ts(event.update_time),
    )


def from_proto(msg: pb.Event) -> Event:
    return Event(
        slug=msg.slug, title=msg.title, description=msg.description, category=msg.category,
        tags=tuple(msg.tags), city=msg.city,
        place=Place(msg.place.name, msg.place.address, msg.place.lat, msg.place.lon),
        sessions=tuple(Session(s.start_time.ToDatetime(tzinfo=UTC), s.end_time.ToDatetime(tzinfo=UTC))
                       for s in msg.sessions),
        price_min=msg.price.min, price_max=msg.price.max, currency=msg.price.currency,
        is_free=msg.is_free, kids=msg.kids, age_restriction=msg.age_restriction,
        images=tuple(msg.images), ticket_provider=msg.ticket_provider,
    )
