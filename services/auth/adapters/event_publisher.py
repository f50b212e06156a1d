"""Domain events -> protobuf messages for the outbox (topics user.signed_up, user.updated)."""

from __future__ import annotations

from google.protobuf.message import Message

from kulturago.auth.v1 import events_pb2
from services.auth.domain.events import UserSignedUp, UserUpdated
from services.runtime.timestamps import to_timestamp

SOURCE = "//auth.kulturago/auth-service"
TOPIC_SIGNED_UP = "user.signed_up"
TOPIC_UPDATED = "user.updated"


def outbox_message(event: UserSignedUp | UserUpdated) -> tuple[str, str, Message]:
    """(topic, key, message): the key is the user id, so a user's events stay in order."""
    u = event.user
    if isinstance(event, UserSignedUp):
        return TOPIC_SIGNED_UP, u.id, events_pb2.UserSignedUp(
            user_id=u.id, email=u.email, login=u.login, full_name=u.full_name,
            create_time=to_timestamp(u.create_time))
    return TOPIC_UPDATED, u.id, events_pb2.UserUpdated(
        user_id=u.id, email=u.email, login=u.login, full_name=u.full_name, phone=u.phone,
        city=u.city, avatar=u.avatar, changed_fields=list(event.changed_fields), interests=list(u.interests),
        update_time=to_timestamp(u.update_time),
    )
