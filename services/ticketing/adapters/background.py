"""Background work over ticketing's database: refunds we owe sent until payment-service
takes them, and the stock that changed sent on ticket.availability for the catalog."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import AsyncConnectionPool

from kulturago.ticketing.v1 import events_pb2 as ev
from services.runtime.errors import Conflict
from services.runtime.logging import get_logger
from services.runtime.messaging.outbox import add_event
from services.runtime.timestamps import to_timestamp
from services.ticketing.adapters.event_publisher import SOURCE
from services.ticketing.service_layer.ports import Payments

log = get_logger(__name__)

AVAILABILITY_TOPIC = "ticket.availability"
# Transactions commit out of the order of their clocks: look back this far each round
# (sending a session's figures twice is harmless; missing a change is not).
_LOOK_BACK = timedelta(seconds=3)


async def send_due_refunds(pool: AsyncConnectionPool, payments: Payments, batch: int = 20) -> int:
    sent = 0
    async with pool.connection() as conn, conn.transaction():
        rows: list[dict[str, Any]] = await (await conn.execute(  # type: ignore[assignment]
            "SELECT idempotency_key, order_id::text AS order_id, amount, reason, attempts FROM refund_requests "
            "WHERE done_time IS NULL AND next_attempt <= now() ORDER BY next_attempt LIMIT %s "
            "FOR UPDATE SKIP LOCKED", (batch,))).fetchall()
        for row in rows:
            try:
                await payments.refund(row["order_id"], row["amount"], row["reason"], row["idempotency_key"])
            except Conflict as exc:  # refused for good (e.g. already refunded at the provider)
                log.error("refund refused", order_id=row["order_id"], reason=exc.reason, error=str(exc))
                await conn.execute("UPDATE refund_requests SET done_time = now(), last_error = %s "
                                   "WHERE idempotency_key = %s", (f"refused: {exc}", row["idempotency_key"]))
                continue
            except Exception as exc:
                delay = min(300, 2 ** min(row["attempts"], 8))
                log.warning("refund not sent yet", order_id=row["order_id"], retry_in=delay, error=str(exc))
                await conn.execute(
                    "UPDATE refund_requests SET attempts = attempts + 1, last_error = %s, "
                    "next_attempt = now() + make_interval(secs => %s) WHERE idempotency_key = %s",
                    (str(exc)[:500], delay, row["idempotency_key"]))
                continue
            await conn.execute("UPDATE refund_requests SET done_time = now() WHERE idempotency_key = %s",
                               (row["idempotency_key"],))
            log.info("refund sent", order_id=row["order_id"], amount=row["amount"])
            sent += 1
    return sent


class AvailabilityFeed:
    """Coalesced ticket.availability: at most one message per session per round."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool
        self._since = datetime.now(UTC) - timedelta(minutes=10)

    async def send_changes(self) -> int:
        started = datetime.now(UTC)
        async with self._pool.connection() as conn, conn.transaction():
            rows: list[dict[str, Any]] = await (await conn.execute(  # type: ignore[assignment]
                "SELECT t.event_slug, t.session_id, t.tier_id, t.capacity, t.capacity - t.held - t.sold AS left "
                "FROM tiers t WHERE (t.event_slug, t.session_id) IN "
                "(SELECT event_slug, session_id FROM tiers WHERE changed_at > %s) "
                "ORDER BY t.event_slug, t.session_id, t.tier_id", (self._since - _LOOK_BACK,))).fetchall()
            sessions: dict[tuple[str, str], list[ev.TierAvailability]] = defaultdict(list)
            for r in rows:
                sessions[(r["event_slug"], r["session_id"])].append(
                    ev.TierAvailability(tier_id=r["tier_id"], capacity=r["capacity"], available=r["left"]))
            for (slug, session_id), tiers in sessions.items():
                await add_event(conn, AVAILABILITY_TOPIC, slug, ev.SessionAvailability(
                    event_slug=slug, session_id=session_id, tiers=tiers, time=to_timestamp(started)), SOURCE)
        self._since = started
        return len(sessions)
