"""ticket.availability from ticketing-service: tickets left per tier, kept for the card
(the newest report per tier wins; replays and reordering are harmless)."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import DecodeError
from psycopg import AsyncConnection

from kulturago.ticketing.v1 import events_pb2
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.runtime.timestamps import from_timestamp

AVAILABILITY_TOPIC = "ticket.availability"


async def on_availability(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
    try:
        report = events_pb2.SessionAvailability.FromString(event.payload)
    except DecodeError as exc:
        raise PoisonMessage(f"undecodable SessionAvailability: {exc}") from exc
    if not report.event_slug or not report.session_id:
        raise PoisonMessage("SessionAvailability without event_slug or session_id")
    when = from_timestamp(report.time)
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO tier_availability (event_slug, session_id, tier_id, capacity, available, report_time) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_slug, session_id, tier_id) DO UPDATE SET "
            "capacity = EXCLUDED.capacity, available = EXCLUDED.available, report_time = EXCLUDED.report_time "
            "WHERE tier_availability.report_time <= EXCLUDED.report_time",
            [(report.event_slug, report.session_id, t.tier_id, t.capacity, max(0, t.available), when)
             for t in report.tiers])
