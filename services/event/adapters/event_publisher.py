"""`event.published` (EventPublished protobuf) and `user.action` card views (UserAction)
for the transactional outbox."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message

from kulturago.event.v1 import events_pb2
from kulturago.recommendation.v1 import events_pb2 as reco_events
from services.event.adapters.proto_mapping import to_proto, to_snapshot
from services.event.domain.events import EventPublished
from services.runtime.timestamps import to_timestamp

TOPIC = "event.published"
SOURCE = "//event.kulturago/event-service"


def outbox_message(published: EventPublished) -> tuple[str, str, Message]:
    """(topic, key, message): the key is the slug, so an event's versions stay in order."""
    event = published.event
    # `event` (the REST resource) is deprecated; still written for consumers not yet on `snapshot`.
    message = events_pb2.EventPublished(event=to_proto(event), version=event.version, snapshot=to_snapshot(event))
    return TOPIC, event.slug, message


ACTION_TOPIC = "user.action"
# A card reopened within this many seconds is the same view (recommendation-service
# logs a (user, action id) once).
VIEW_BUCKET_SECONDS = 600


def card_view(user_id: str, slug: str, at: datetime, received: datetime) -> tuple[str, str, Message]:
    """(topic, key, message) of a known user opening a card: the key is the user, so one
    user's actions stay in order."""
    action_id = f"view:{slug}:{int(at.timestamp()) // VIEW_BUCKET_SECONDS}"
    message = reco_events.UserAction(user_id=user_id, action_id=action_id, kind=reco_events.ACTION_KIND_VIEW,
                                     event_slug=slug, time=to_timestamp(at), receive_time=to_timestamp(received),
                                     source="event-service")
    return ACTION_TOPIC, user_id, message
