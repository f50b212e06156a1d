"""Domain events -> protobuf messages in the outbox (topics user.signed_up, user.updated)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from kulturago.auth.v1 import events_pb2
from services.auth.domain.events import UserSignedUp, UserUpdated
from services.runtime.messaging.outbox import add_event
from services.runtime.timestamps import to_timestamp

SOURCE = "//auth.kulturago/auth-service"
TOPIC_SIGNED_UP = "user.signed_up"
TOPIC_UPDATED = "user.updated"


async def publish(conn: AsyncConnection[Any], event: UserSignedUp | UserUpdated) -> str:
    u = event.user
    if isinstance(event, UserSignedUp):
        msg: Any = events_pb2.UserSignedUp(user_id=u.id, email=u.email, login=u.login,
                                           full_name=u.full_name, create_time=to_timestamp(u.create_time))
        return await add_event(conn, TOPIC_SIGNED_UP, u.id, msg, SOURCE)
    msg = events_pb2.UserUpdated(
        user_id=u.id, email=u.email, login=u.login, full_name=u.full_name, phone=u.phone,
        city=u.city, avatar=u.avatar, changed_fields=list(event.changed_fields),
        update_time=to_timestamp(u.update_time),
    )
    return await add_event(conn, TOPIC_UPDATED, u.id, msg, SOURCE)
