"""In-memory fakes of ticketing's ports (services/ticketing/service_layer/ports.py), for
the use-case tests: the stock is the domain's own `Stock`; a unit of work commits its
changes only when its block ends without an error."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from services.runtime.errors import Unavailable
from services.ticketing.domain.model import Order, OrderStatus, SessionInfo, Stock, Ticket, TierStock
from services.ticketing.domain.page_tokens import OrderCursor
from services.ticketing.domain.ticket_secrets import TicketClaim
from services.ticketing.service_layer.ports import KeyClaim, PaymentRef, PublishedSession, Reservation


@dataclass
class State:
    sessions: dict[tuple[str, str], SessionInfo] = field(default_factory=dict)
    stock: dict[tuple[str, str], Stock] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    keys: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    results: set[tuple[str, str]] = field(default_factory=set)
    events: list[Any] = field(default_factory=list)
    refunds: list[tuple[str, int, str, str]] = field(default_factory=list)


class FakeInventory:
    def __init__(self, state: State) -> None:
        self.s = state

    async def session(self, event_slug: str, session_id: str) -> SessionInfo | None:
        return self.s.sessions.get((event_slug, session_id))

    def _stock(self, session: SessionInfo) -> Stock:
        return self.s.stock[(session.event_slug, session.session_id)]

    async def tiers(self, session: SessionInfo) -> dict[str, TierStock]:
        return dict(self._stock(session).tiers)

    async def stock(self, session: SessionInfo, seats: Sequence[str]) -> Stock:
        return copy.deepcopy(self._stock(session))

    async def hold(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        from services.ticketing.domain.model import Selection

        stock = self._stock(session)
        seats = tuple(t.seat for t in tickets if t.seat)
        items: dict[str, int] = {}
        for t in tickets:
            if not t.seat:
                items[t.tier_id] = items.get(t.tier_id, 0) + 1
        stock.hold(Selection(items=tuple(items.items()), seats=seats), [t.id for t in tickets])

    async def confirm(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        self._stock(session).confirm(tickets)

    async def release(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        self._stock(session).release(tickets)

    async def retake(self, session: SessionInfo, tickets: Sequence[Ticket]) -> bool:
        return self._stock(session).retake(tickets)

    async def publish_sessions(self, event_slug: str, version: int, sessions: Sequence[PublishedSession]) -> bool:
        for p in sessions:
            key = (event_slug, p.info.session_id)
            self.s.sessions[key] = p.info
            self.s.stock[key] = Stock({t.id: t for t in p.tiers}, dict(p.seats))
        return True


class FakeOrders:
    def __init__(self, state: State) -> None:
        self.s = state

    async def add(self, order: Order) -> None:
        self.s.orders[order.id] = order

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        return self.s.orders.get(order_id)

    async def save(self, order: Order) -> None:
        self.s.orders[order.id] = order

    async def of_user(self, user_id: str, after: OrderCursor | None, limit: int) -> list[Order]:
        mine = sorted((o for o in self.s.orders.values() if o.user_id == user_id),
                      key=lambda o: (o.create_time, o.id), reverse=True)
        if after:
            mine = [o for o in mine if (o.create_time, o.id) < (after.create_time, after.order_id)]
        return mine[:limit]

    async def due(self, now: datetime, limit: int) -> list[Order]:
        return [o for o in self.s.orders.values()
                if o.status is OrderStatus.PENDING and o.hold_expire_time <= now][:limit]

    async def ticket(self, ticket_id: str, *, for_update: bool = False) -> tuple[Order, Ticket] | None:
        for o in self.s.orders.values():
            for t in o.tickets:
                if t.id == ticket_id:
                    return o, t
        return None


class FakeKeys:
    def __init__(self, state: State) -> None:
        self.s = state

    async def claim(self, user_id: str, key: str, request_hash: str, now: datetime) -> KeyClaim:
        row = self.s.keys.get((user_id, key))
        if row is None:
            self.s.keys[(user_id, key)] = [request_hash, None]
            return KeyClaim(True, request_hash, None)
        return KeyClaim(False, row[0], row[1])

    async def finish(self, user_id: str, key: str, reply: bytes) -> None:
        self.s.keys[(user_id, key)][1] = reply

    async def forget(self, user_id: str, key: str) -> None:
        self.s.keys.pop((user_id, key), None)


class FakeResults:
    def __init__(self, state: State) -> None:
        self.s = state

    async def first_time(self, kind: str, reference: str) -> bool:
        if (kind, reference) in self.s.results:
            return False
        self.s.results.add((kind, reference))
        return True


class FakeUnitOfWork:
    """Works on a copy of the state; the copy replaces it when the block succeeds."""

    def __init__(self, db: list[State]) -> None:
        self._db = db

    async def __aenter__(self) -> Self:
        self.state = copy.deepcopy(self._db[0])
        self.inventory, self.orders = FakeInventory(self.state), FakeOrders(self.state)
        self.keys, self.results = FakeKeys(self.state), FakeResults(self.state)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None:
        if exc is None:
            self._db[0] = self.state
        return None

    async def stage(self, event: Any) -> None:
        self.state.events.append(event)

    async def request_refund(self, order_id: str, amount: int, reason: str, key: str) -> None:
        self.state.refunds.append((order_id, amount, reason, key))


@dataclass
class FakePayments:
    down: bool = False
    created: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    refunded: list[tuple[str, int, str]] = field(default_factory=list)

    async def create(self, order: Order, description: str) -> PaymentRef:
        if self.down:
            raise Unavailable("payments are unavailable", "PAYMENT_UNAVAILABLE")
        self.created.append(order.id)
        return PaymentRef(f"pay-{order.id}", f"https://pay.example/{order.id}")

    async def cancel(self, order_id: str) -> None:
        self.cancelled.append(order_id)

    async def refund(self, order_id: str, amount: int, reason: str, idempotency_key: str) -> None:
        self.refunded.append((order_id, amount, idempotency_key))


@dataclass
class FakeVendor:
    fail_reserve: bool = False
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def reserve(self, order_id: str, event_ref: str, session_ref: str, tickets: Sequence[Ticket],
                      hold_seconds: int) -> Reservation:
        self.calls.append(("reserve", order_id))
        if self.fail_reserve:
            raise ConnectionError("vendor down")
        return Reservation(order_id, (), None)

    async def confirm(self, reservation_id: str) -> None:
        self.calls.append(("confirm", reservation_id))

    async def release(self, reservation_id: str) -> None:
        self.calls.append(("release", reservation_id))

    async def status(self, reservation_id: str) -> str:
        return "confirmed"


class FakeSigner:
    def sign(self, claim: TicketClaim) -> str:
        return "k." + claim.payload().decode().replace("|", "~") + ".sig"

    def verify(self, secret: str) -> TicketClaim:
        from services.ticketing.domain.ticket_secrets import bad_secret, parse_payload

        _kid, payload, sig = secret.split(".")
        if sig != "sig":
            raise bad_secret("forged")
        return parse_payload(payload.replace("~", "|").encode())

    def public_keys(self) -> list[dict[str, str]]:
        return []


class FakeQr:
    def png(self, text: str) -> bytes:
        return b"\x89PNG" + text.encode()


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
