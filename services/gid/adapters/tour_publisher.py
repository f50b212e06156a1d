"""`tour.published` (TourPublished protobuf) for the transactional outbox."""

from __future__ import annotations

from google.protobuf.message import Message

from kulturago.gid.v1 import events_pb2
from services.gid.domain.events import TourPublished
from services.runtime.timestamps import optional_timestamp

TOPIC = "tour.published"
SOURCE = "//gid.kulturago/gid-service"


def outbox_message(published: TourPublished) -> tuple[str, str, Message]:
    """(topic, key, message): the key is the tour id, so a tour's versions stay in order."""
    tour = published.tour
    snapshot = events_pb2.TourPublished.Snapshot(
        id=tour.id, city=tour.city, title=tour.title, description=tour.description, languages=list(tour.languages),
        stops=[events_pb2.TourPublished.Stop(id=s.id, title=s.title, lat=s.location.lat, lon=s.location.lon,
                                             trigger_radius=s.trigger_radius, poi_id=s.poi_id,
                                             event_slug=s.event_slug) for s in tour.stops],
        distance=tour.measure.distance_m, walking_seconds=tour.measure.walking_seconds,
        duration_seconds=tour.duration_seconds, create_time=optional_timestamp(tour.create_time),
        update_time=optional_timestamp(tour.update_time))
    return TOPIC, tour.id, events_pb2.TourPublished(version=tour.version, snapshot=snapshot)
