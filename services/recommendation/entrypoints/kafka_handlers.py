"""Consumers: the catalog copy (event.published, ticket.availability), stated profiles
(user.updated), and the interaction log (user.action from any publisher, ticket.paid
as purchases). Each runs inside the inbox transaction (dedupe by ce_id)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from psycopg import AsyncConnection

from kulturago.auth.v1 import events_pb2 as auth_events
from kulturago.event.v1 import events_pb2 as event_events
from kulturago.recommendation.v1 import events_pb2 as reco_events
from kulturago.ticketing.v1 import events_pb2 as ticket_events
from services.recommendation.adapters import repository
from services.recommendation.domain.actions import Action, Kind
from services.recommendation.domain.catalog import CatalogItem
from services.recommendation.service_layer.actions import ProfileWriter, take_in
from services.runtime.messaging.consumer import EventHandler, PoisonMessage, ReceivedEvent
from services.runtime.messaging.decoding import decode_event
from services.runtime.timestamps import from_timestamp

CATALOG_TOPICS = ("event.published", "ticket.availability", "user.updated")
ACTION_TOPICS = ("user.action", "ticket.paid")


def _snapshot_of(message: event_events.EventPublished) -> event_events.EventPublished.Snapshot:
    """The topic's own schema; for messages written before it existed, the same fields
    from the deprecated REST resource they carry instead."""
    if message.HasField("snapshot"):
        return message.snapshot
    e = message.event
    return event_events.EventPublished.Snapshot(
        slug=e.slug, title=e.title, description=e.description, category=e.category, tags=list(e.tags), city=e.city,
        place_name=e.place.name, lat=e.place.lat, lon=e.place.lon, is_free=e.is_free, kids=e.kids,
        price_min=e.price.min, images=list(e.images),
        sessions=[event_events.EventPublished.Session(start_time=x.start_time, end_time=x.end_time, id=x.id)
                  for x in e.sessions])


def catalog_row(message: event_events.EventPublished) -> repository.CatalogRow:
    s = _snapshot_of(message)
    if not s.slug or not s.sessions or message.version <= 0:
        raise PoisonMessage("EventPublished without a snapshot, sessions or a positive version")
    located = (s.lat, s.lon) != (0.0, 0.0)
    item = CatalogItem(
        slug=s.slug, title=s.title, description=s.description, category=s.category, tags=tuple(s.tags),
        city=s.city, place_name=s.place_name, lat=s.lat if located else None, lon=s.lon if located else None,
        sessions=tuple((x.start_time.ToDatetime(tzinfo=UTC), x.end_time.ToDatetime(tzinfo=UTC)) for x in s.sessions),
        is_free=s.is_free, kids=s.kids or s.category == "kids", price_min=s.price_min,
        image=s.images[0] if s.images else "")
    return repository.CatalogRow(item, message.version, tuple(x.id for x in s.sessions))


async def on_catalog(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
    if event.topic == "event.published":
        await repository.upsert_event(conn, catalog_row(decode_event(event_events.EventPublished, event)))
    elif event.topic == "ticket.availability":
        report = decode_event(ticket_events.SessionAvailability, event)
        if report.event_slug and report.session_id:
            await repository.record_availability(conn, report.event_slug, report.session_id,
                                                 sum(max(0, t.available) for t in report.tiers),
                                                 from_timestamp(report.time))
    elif event.topic == "user.updated":
        user = decode_event(auth_events.UserUpdated, event)
        if user.user_id:
            await repository.record_profile(conn, user.user_id, user.city, tuple(user.interests),
                                            from_timestamp(user.update_time))


def action_of(event: ReceivedEvent) -> Action | None:
    if event.topic == "ticket.paid":
        paid = decode_event(ticket_events.TicketPaid, event)
        order = paid.order
        if not order.user_id or not order.event_slug:
            raise PoisonMessage("TicketPaid without user_id or event_slug")
        return Action(order.user_id, f"paid:{order.order_id}", Kind.PURCHASE, order.event_slug,
                      from_timestamp(paid.paid_time))
    message = decode_event(reco_events.UserAction, event)
    if not message.user_id or not message.action_id or not message.event_slug:
        raise PoisonMessage("UserAction without user_id, action_id or event_slug")
    try:
        kind = Kind(message.kind)
    except ValueError:
        return None  # a kind newer than this code: skipped, not dead-lettered
    return Action(message.user_id, message.action_id, kind, message.event_slug, from_timestamp(message.time))


class _ConnLog:
    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def append(self, action: Action) -> bool:
        return await repository.record_action(self._conn, action)


def actions_handler(profiles: Callable[[], ProfileWriter]) -> EventHandler:
    async def handle(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        action = action_of(event)
        if action is not None:
            if action.kind is not Kind.PURCHASE:
                # A view or a click is a soft signal: its commit need not wait for the WAL
                # flush (a database crash may forget the last fraction of a second of them;
                # purchases stay durable). Without the wait a consumer lane takes in several
                # times more actions a second.
                await conn.execute("SET LOCAL synchronous_commit TO OFF")
            await take_in(action, _ConnLog(conn), profiles())
    return handle
