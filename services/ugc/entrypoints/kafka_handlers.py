"""What ugc-service learns from others to decide who may review: event.published (when the
event's sessions start; the highest version wins) and ticket.paid (who holds a ticket)."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from kulturago.event.v1 import events_pb2 as event_events
from kulturago.ticketing.v1 import events_pb2 as ticket_events
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.runtime.messaging.decoding import decode_event
from services.runtime.timestamps import from_timestamp
from services.ugc.adapters.unit_of_work import ConsumerFacts
from services.ugc.domain.model import EventFacts

CONSUMER = "ugc-facts"
TOPICS = ("event.published", "ticket.paid")


def event_facts(published: event_events.EventPublished) -> EventFacts:
    snapshot = published.snapshot
    if snapshot.slug:
        starts = [from_timestamp(s.start_time) for s in snapshot.sessions if s.HasField("start_time")]
        return EventFacts(snapshot.slug, tuple(sorted(starts)))
    legacy = published.event  # published before `snapshot` existed
    starts = [from_timestamp(s.start_time) for s in legacy.sessions if s.HasField("start_time")]
    return EventFacts(legacy.slug, tuple(sorted(starts)))


async def handle(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
    facts = ConsumerFacts(conn).facts
    if event.topic == "event.published":
        published = decode_event(event_events.EventPublished, event)
        found = event_facts(published)
        if not found.slug:
            raise PoisonMessage("event.published without a slug")
        await facts.remember_event(found, published.version)
    elif event.topic == "ticket.paid":
        paid = decode_event(ticket_events.TicketPaid, event)
        if not paid.order.user_id or not paid.order.event_slug:
            raise PoisonMessage("ticket.paid without user or event")
        await facts.remember_ticket(paid.order.user_id, paid.order.event_slug, paid.order.order_id)
    else:
        raise PoisonMessage(f"ugc-service does not handle {event.topic}")
