"""What gamification-service consumes: user.action (the apps' and services' actions),
ticket.paid (purchases), and the read models it needs (auth's users, the catalog's events
with their district). Handled in the inbox consumer's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from kulturago.auth.v1 import events_pb2 as auth_events
from kulturago.event.v1 import events_pb2 as event_events
from kulturago.recommendation.v1 import events_pb2 as action_events
from kulturago.ticketing.v1 import events_pb2 as ticket_events
from services.gamification.domain.boards import city_of_profile
from services.gamification.domain.districts import DistrictMap
from services.gamification.domain.rules import EventInfo, Fact
from services.gamification.service_layer.awarding import record_fact
from services.gamification.service_layer.ports import UnitOfWork, UserInfo
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.runtime.messaging.decoding import decode_event
from services.runtime.timestamps import from_timestamp

CONSUMER = "gamification-events"
TOPICS = ("user.action", "ticket.paid", "event.published", "user.signed_up", "user.updated")

# user.action kinds that earn XP. PURCHASE is left to ticket.paid (the same purchase);
# UNFAVOURITE earns nothing.
ACTION_KINDS = {
    action_events.ACTION_KIND_VIEW: "view",
    action_events.ACTION_KIND_SEARCH_CLICK: "search_click",
    action_events.ACTION_KIND_FAVOURITE: "favourite",
    action_events.ACTION_KIND_SHARE: "share",
    action_events.ACTION_KIND_REVIEW: "review",
    action_events.ACTION_KIND_CHECKIN: "check_in",
}


def event_info(snapshot: event_events.EventPublished.Snapshot, districts: DistrictMap) -> EventInfo:
    district = districts.locate(snapshot.lat, snapshot.lon) if (snapshot.lat or snapshot.lon) else None
    return EventInfo(snapshot.slug, snapshot.category, snapshot.city,
                     district.key if district is not None and district.city == snapshot.city else None)


async def _fact(uow: UnitOfWork, user_id: str, source_id: str, kind: str, at: datetime, slug: str) -> Fact:
    if not user_id or not source_id:
        raise PoisonMessage("a fact without its user or source id")
    return Fact(user_id, source_id, kind, at, await uow.events.get(slug) if slug else None)


def handler(on_connection: Callable[[AsyncConnection[Any]], UnitOfWork], districts: DistrictMap,
            clock: Callable[[], datetime]) -> Any:
    async def handle(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        uow = on_connection(conn)
        match event.topic:
            case "user.action":
                action = decode_event(action_events.UserAction, event)
                kind = ACTION_KINDS.get(action.kind)
                if kind is None:
                    return
                # When we heard of it (the client's own clock is not trusted for night owls).
                at = action.receive_time if action.HasField("receive_time") else action.time
                await record_fact(uow, await _fact(uow, action.user_id, action.action_id, kind, from_timestamp(at),
                                                   action.event_slug), clock())
            case "ticket.paid":
                paid = decode_event(ticket_events.TicketPaid, event)
                await record_fact(uow, await _fact(uow, paid.order.user_id, paid.order.order_id, "ticket_paid",
                                                   from_timestamp(paid.paid_time), paid.order.event_slug), clock())
            case "event.published":
                published = decode_event(event_events.EventPublished, event)
                if published.HasField("snapshot"):
                    await uow.events.remember(event_info(published.snapshot, districts), published.version)
            case "user.signed_up":
                signed_up = decode_event(auth_events.UserSignedUp, event)
                await uow.users.remember(UserInfo(signed_up.user_id, signed_up.login, signed_up.full_name, ""),
                                         from_timestamp(signed_up.create_time)
                                         if signed_up.HasField("create_time") else None)
            case "user.updated":
                updated = decode_event(auth_events.UserUpdated, event)
                await uow.users.remember(UserInfo(updated.user_id, updated.login, updated.full_name,
                                                  city_of_profile(updated.city)),
                                         from_timestamp(updated.update_time)
                                         if updated.HasField("update_time") else None)
            case _:
                raise PoisonMessage(f"gamification-service does not handle {event.topic}")

    return handle
