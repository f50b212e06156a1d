"""PostgreSQL repositories of ticketing-service, on the connection of a unit of work.

The stock's rules are the database's: a hold is one conditional UPDATE of the tier's
counter row (`held + sold + n <= capacity`, backed by the CHECK) and, for seats, an
INSERT under the partial unique index of live tickets per seat. Whatever the
interleaving of concurrent purchases, neither can be broken."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import AsyncConnection

from services.runtime.errors import Conflict
from services.runtime.unit_of_work import InTransaction
from services.ticketing.domain.model import (
    Order,
    OrderStatus,
    SessionInfo,
    Stock,
    Ticket,
    TicketStatus,
    TierStock,
    seat_taken,
    sold_out,
)
from services.ticketing.domain.page_tokens import OrderCursor
from services.ticketing.service_layer.ports import KeyClaim, PublishedSession

_SESSION_COLUMNS = ("event_slug, session_id, event_title, start_time, end_time, currency, provider, on_sale, "
                    "seated")


def _session(row: dict[str, Any]) -> SessionInfo:
    return SessionInfo(event_slug=row["event_slug"], session_id=row["session_id"], event_title=row["event_title"],
                       start=row["start_time"], end=row["end_time"], currency=row["currency"],
                       provider=row["provider"], on_sale=row["on_sale"], seated=row["seated"])


def _counts(tickets: Sequence[Ticket]) -> list[tuple[str, int]]:
    return sorted(Counter(t.tier_id for t in tickets).items())  # one order of locks: no deadlocks


class PostgresInventory:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    @property
    def _conn(self) -> AsyncConnection[Any]:
        return self._tx.connection

    async def session(self, event_slug: str, session_id: str) -> SessionInfo | None:
        row = await (await self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE event_slug = %s AND session_id = %s",
            (event_slug, session_id))).fetchone()
        return _session(row) if row else None

    async def tiers(self, session: SessionInfo) -> dict[str, TierStock]:
        rows = await (await self._conn.execute(
            "SELECT tier_id, name, price, capacity, held, sold FROM tiers "
            "WHERE event_slug = %s AND session_id = %s ORDER BY tier_id",
            (session.event_slug, session.session_id))).fetchall()
        return {r["tier_id"]: TierStock(r["tier_id"], r["name"], r["price"], r["capacity"], r["held"], r["sold"])
                for r in rows}

    async def stock(self, session: SessionInfo, seats: Sequence[str]) -> Stock:
        stock = Stock(await self.tiers(session))
        if seats:
            rows = await (await self._conn.execute(
                "SELECT s.seat_id, s.tier_id, EXISTS (SELECT 1 FROM tickets t WHERE t.event_slug = s.event_slug "
                "  AND t.session_id = s.session_id AND t.seat_id = s.seat_id "
                "  AND t.status IN ('HELD', 'VALID', 'USED')) AS taken "
                "FROM seats s WHERE s.event_slug = %s AND s.session_id = %s AND s.seat_id = ANY(%s)",
                (session.event_slug, session.session_id, list(seats)))).fetchall()
            stock.seat_tiers = {r["seat_id"]: r["tier_id"] for r in rows}
            stock.taken = {r["seat_id"] for r in rows if r["taken"]}
        return stock

    async def _bump(self, session: SessionInfo, tickets: Sequence[Ticket], *, held: int, sold: int,
                    guard: bool) -> bool:
        for tier, n in _counts(tickets):
            cur = await self._conn.execute(
                "UPDATE tiers SET held = held + %(held)s, sold = sold + %(sold)s, changed_at = clock_timestamp() "
                "WHERE event_slug = %(slug)s AND session_id = %(session)s AND tier_id = %(tier)s "
                "AND (NOT %(guard)s OR held + sold + %(grow)s <= capacity) RETURNING capacity - held - sold AS left",
                {"held": held * n, "sold": sold * n, "slug": session.event_slug, "session": session.session_id,
                 "tier": tier, "guard": guard, "grow": max(held, 0) * n + max(sold, 0) * n})
            if cur.rowcount == 0:
                if not guard:
                    raise LookupError(f"no tier {tier}")
                left = await (await self._conn.execute(
                    "SELECT capacity - held - sold AS left FROM tiers WHERE event_slug = %s AND session_id = %s "
                    "AND tier_id = %s", (session.event_slug, session.session_id, tier))).fetchone()
                raise sold_out(tier, max(0, left["left"]) if left else 0)
        return True

    async def hold(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        # Seats are claimed when Orders.add writes the tickets, under the unique index.
        await self._bump(session, tickets, held=1, sold=0, guard=True)

    async def confirm(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        await self._bump(session, tickets, held=-1, sold=1, guard=False)

    async def release(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        held = [t for t in tickets if t.status is TicketStatus.HELD]
        sold = [t for t in tickets if t.status in (TicketStatus.VALID, TicketStatus.USED)]
        if held:
            await self._bump(session, held, held=-1, sold=0, guard=False)
        if sold:
            await self._bump(session, sold, held=0, sold=-1, guard=False)

    async def retake(self, session: SessionInfo, tickets: Sequence[Ticket]) -> bool:
        try:
            async with self._conn.transaction():  # a savepoint: a lost race undoes only this
                await self._bump(session, tickets, held=0, sold=1, guard=True)
                # Live again: the unique index refuses a seat someone else has meanwhile.
                await self._conn.execute("UPDATE tickets SET status = 'HELD' WHERE id = ANY(%s::uuid[])",
                                         ([t.id for t in tickets],))
        except (psycopg.errors.UniqueViolation, Conflict):
            return False
        return True

    async def session_count(self, event_slug: str) -> int:
        row = await (await self._conn.execute(
            "SELECT count(*) AS n FROM sessions WHERE event_slug = %s", (event_slug,))).fetchone()
        return int(row["n"]) if row else 0

    async def publish_sessions(self, event_slug: str, version: int, sessions: Sequence[PublishedSession]) -> bool:
        conn = self._conn
        newest = await (await conn.execute(
            "SELECT max(event_version) AS v FROM sessions WHERE event_slug = %s", (event_slug,))).fetchone()
        if newest and newest["v"] is not None and newest["v"] >= version:
            return False
        await conn.execute("UPDATE sessions SET on_sale = false, event_version = %s WHERE event_slug = %s",
                           (version, event_slug))
        for s in sessions:
            info = s.info
            await conn.execute(
                "INSERT INTO sessions (event_slug, session_id, event_title, start_time, end_time, currency, "
                "provider, seated, on_sale, event_version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, true, %s) "
                "ON CONFLICT (event_slug, session_id) DO UPDATE SET event_title = EXCLUDED.event_title, "
                "start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, currency = EXCLUDED.currency, "
                "provider = EXCLUDED.provider, seated = EXCLUDED.seated, on_sale = true, "
                "event_version = EXCLUDED.event_version",
                (info.event_slug, info.session_id, info.event_title, info.start, info.end, info.currency,
                 info.provider, bool(s.seats), version))
            for t in s.tiers:
                # A capacity never drops below what is already held and sold.
                await conn.execute(
                    "INSERT INTO tiers (event_slug, session_id, tier_id, name, price, capacity) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_slug, session_id, tier_id) DO UPDATE "
                    "SET name = EXCLUDED.name, price = EXCLUDED.price, "
                    "capacity = GREATEST(EXCLUDED.capacity, tiers.held + tiers.sold), changed_at = clock_timestamp()",
                    (info.event_slug, info.session_id, t.id, t.name, t.price, t.capacity))
            await conn.execute("DELETE FROM seats WHERE event_slug = %s AND session_id = %s",
                               (info.event_slug, info.session_id))
            if s.seats:
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO seats (event_slug, session_id, seat_id, tier_id) VALUES (%s, %s, %s, %s)",
                        [(info.event_slug, info.session_id, seat, tier) for seat, tier in s.seats])
        return True

    async def changed_availability(self, since: datetime) -> list[dict[str, Any]]:
        rows = await (await self._conn.execute(
            "SELECT t.event_slug, t.session_id, t.tier_id, t.capacity, t.capacity - t.held - t.sold AS available, "
            "t.changed_at FROM tiers t JOIN (SELECT DISTINCT event_slug, session_id FROM tiers "
            "WHERE changed_at > %s) c USING (event_slug, session_id) ORDER BY t.event_slug, t.session_id, t.tier_id",
            (since,))).fetchall()
        return list(rows)


_ORDER_COLUMNS = ("o.id::text AS id, o.user_id, o.status, o.amount, o.hold_expire_time, o.payment_id, "
                  "o.payment_url, o.refunded_amount, o.status_reason, o.create_time, o.update_time, o.paid_time, "
                  "s.event_slug, s.session_id, s.event_title, s.start_time, s.end_time, s.currency, s.provider, "
                  "s.on_sale, s.seated")


def _order(r: dict[str, Any], tickets: tuple[Ticket, ...]) -> Order:
    return Order(id=r["id"], user_id=r["user_id"], session=_session(r), status=OrderStatus(r["status"]),
                 tickets=tickets, amount=r["amount"], hold_expire_time=r["hold_expire_time"],
                 create_time=r["create_time"], update_time=r["update_time"], payment_id=r["payment_id"],
                 payment_url=r["payment_url"], refunded_amount=r["refunded_amount"],
                 status_reason=r["status_reason"], paid_time=r["paid_time"])


def _ticket(row: dict[str, Any]) -> Ticket:
    return Ticket(id=row["id"], tier_id=row["tier_id"], tier_name=row["tier_name"], price=row["price"],
                  seat=row["seat_id"] or "", status=TicketStatus(row["status"]), secret=row["secret"],
                  checkin_time=row["checkin_time"])


class PostgresOrders:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    @property
    def _conn(self) -> AsyncConnection[Any]:
        return self._tx.connection

    async def add(self, order: Order) -> None:
        s = order.session
        t = order.tickets
        try:
            # One statement, one round trip: the order and its tickets (the foreign key is
            # checked at its end, when the order row is there).
            await self._conn.execute(
                "WITH o AS (INSERT INTO orders (id, user_id, event_slug, session_id, status, amount, currency, "
                "hold_expire_time, create_time, update_time) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)) "
                "INSERT INTO tickets (id, order_id, position, event_slug, session_id, tier_id, tier_name, price, "
                "seat_id, status) SELECT t.id, %s, t.position - 1, %s, %s, t.tier_id, t.tier_name, t.price, "
                "t.seat_id, t.status FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::bigint[], %s::text[], "
                "%s::text[]) WITH ORDINALITY AS t(id, tier_id, tier_name, price, seat_id, status, position)",
                (order.id, order.user_id, s.event_slug, s.session_id, order.status.value, order.amount,
                 order.currency, order.hold_expire_time, order.create_time, order.update_time,
                 order.id, s.event_slug, s.session_id,
                 [x.id for x in t], [x.tier_id for x in t], [x.tier_name for x in t], [x.price for x in t],
                 [x.seat or None for x in t], [x.status.value for x in t]))
        except psycopg.errors.UniqueViolation as exc:
            seat = (exc.diag.message_detail or "").split("=(")[-1].split(",")[-1].strip(" )") or "?"
            raise seat_taken(seat) from None

    async def _orders(self, where: str, params: Sequence[Any], suffix: str = "") -> list[Order]:
        rows = await (await self._conn.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders o JOIN sessions s USING (event_slug, session_id) "
            f"WHERE {where} {suffix}", params)).fetchall()
        if not rows:
            return []
        tickets = await (await self._conn.execute(
            "SELECT id::text AS id, order_id::text AS order_id, tier_id, tier_name, price, seat_id, status, secret, "
            "checkin_time FROM tickets WHERE order_id = ANY(%s::uuid[]) ORDER BY order_id, position",
            ([r["id"] for r in rows],))).fetchall()
        by_order: dict[str, list[Ticket]] = {}
        for t in tickets:
            by_order.setdefault(t["order_id"], []).append(_ticket(t))
        return [_order(r, tuple(by_order.get(r["id"], ()))) for r in rows]

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        if for_update:
            # Two statements on purpose: the tickets are read once the order's row is
            # locked, so they are what its previous holder committed.
            found = await self._orders("o.id = %s::uuid", (order_id,), "FOR UPDATE OF o")
            return found[0] if found else None
        # A plain read (the buyers' polls of GET /api/v1/tickets/{id}): one statement, one
        # round trip, the order and its tickets from one snapshot.
        rows = await (await self._conn.execute(
            f"SELECT {_ORDER_COLUMNS}, t.id::text AS ticket_id, t.tier_id, t.tier_name, t.price, t.seat_id, "
            "t.status AS ticket_status, t.secret, t.checkin_time FROM orders o "
            "JOIN sessions s USING (event_slug, session_id) LEFT JOIN tickets t ON t.order_id = o.id "
            "WHERE o.id = %s::uuid ORDER BY t.position", (order_id,))).fetchall()
        if not rows:
            return None
        return _order(rows[0], tuple(_ticket({**r, "id": r["ticket_id"], "status": r["ticket_status"]})
                                     for r in rows if r["ticket_id"] is not None))

    async def save(self, order: Order) -> None:
        t = order.tickets
        # One statement, one round trip: the order, and those of its tickets that changed.
        await self._conn.execute(
            "WITH o AS (UPDATE orders SET status = %s, payment_id = %s, payment_url = %s, refunded_amount = %s, "
            "status_reason = %s, update_time = %s, paid_time = %s WHERE id = %s) "
            "UPDATE tickets SET status = v.status, secret = v.secret, checkin_time = v.checkin_time "
            "FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::timestamptz[]) AS v(id, status, secret, checkin_time) "
            "WHERE tickets.id = v.id AND (tickets.status, tickets.secret, tickets.checkin_time) "
            "IS DISTINCT FROM (v.status, v.secret, v.checkin_time)",
            (order.status.value, order.payment_id, order.payment_url, order.refunded_amount, order.status_reason,
             order.update_time, order.paid_time, order.id,
             [x.id for x in t], [x.status.value for x in t], [x.secret for x in t], [x.checkin_time for x in t]))

    async def of_user(self, user_id: str, after: OrderCursor | None, limit: int) -> list[Order]:
        page = f"ORDER BY o.create_time DESC, o.id DESC LIMIT {int(limit)}"
        if after is None:
            return await self._orders("o.user_id = %s", (user_id,), page)
        return await self._orders("o.user_id = %s AND (o.create_time, o.id) < (%s, %s::uuid)",
                                  (user_id, after.create_time, after.order_id), page)

    async def due(self, now: datetime, limit: int) -> list[Order]:
        rows = await (await self._conn.execute(
            "SELECT id::text AS id FROM orders WHERE status = 'PENDING' AND hold_expire_time <= %s "
            "ORDER BY hold_expire_time LIMIT %s FOR UPDATE SKIP LOCKED", (now, limit))).fetchall()
        if not rows:
            return []
        return await self._orders("o.id = ANY(%s::uuid[])", ([r["id"] for r in rows],), "ORDER BY o.hold_expire_time")

    async def ticket(self, ticket_id: str, *, for_update: bool = False) -> tuple[Order, Ticket] | None:
        row = await (await self._conn.execute(
            "SELECT order_id::text AS order_id FROM tickets WHERE id = %s::uuid", (ticket_id,))).fetchone()
        if row is None:
            return None
        order = await self.get(row["order_id"], for_update=for_update)
        if order is None:
            return None
        return order, next(t for t in order.tickets if t.id == ticket_id)


class PostgresIdempotencyKeys:
    def __init__(self, tx: InTransaction, ttl_seconds: float) -> None:
        self._tx = tx
        self._ttl = ttl_seconds

    async def claim(self, user_id: str, key: str, request_hash: str, now: datetime) -> KeyClaim:
        conn = self._tx.connection
        # A key older than its 24 hours is free again.
        await conn.execute("DELETE FROM idempotency_keys WHERE user_id = %s AND key = %s "
                           "AND create_time < %s - make_interval(secs => %s)", (user_id, key, now, self._ttl))
        inserted = await (await conn.execute(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, create_time) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING 1", (user_id, key, request_hash, now))).fetchone()
        if inserted:
            return KeyClaim(owner=True, request_hash=request_hash, reply=None)
        row = await (await conn.execute(
            "SELECT request_hash, reply FROM idempotency_keys WHERE user_id = %s AND key = %s",
            (user_id, key))).fetchone()
        if row is None:  # forgotten between the two statements: try again
            return KeyClaim(owner=False, request_hash=request_hash, reply=None)
        return KeyClaim(owner=False, request_hash=row["request_hash"],
                        reply=bytes(row["reply"]) if row["reply"] is not None else None)

    async def finish(self, user_id: str, key: str, reply: bytes) -> None:
        await self._tx.connection.execute(
            "UPDATE idempotency_keys SET reply = %s WHERE user_id = %s AND key = %s", (reply, user_id, key))

    async def forget(self, user_id: str, key: str) -> None:
        await self._tx.connection.execute(
            "DELETE FROM idempotency_keys WHERE user_id = %s AND key = %s AND reply IS NULL", (user_id, key))


class PostgresPaymentResults:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def first_time(self, kind: str, reference: str) -> bool:
        row = await (await self._tx.connection.execute(
            "INSERT INTO payment_results (kind, reference) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (kind, reference))).fetchone()
        return row is not None
