"""What the ticketing use cases need from the outside world; adapters/ implement it
(PostgreSQL, payment-service over gRPC, Ed25519 keys, vendors) and bootstrap.py wires it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from services.ticketing.domain.events import TicketEvent
from services.ticketing.domain.model import Order, SessionInfo, Stock, Ticket, TierStock
from services.ticketing.domain.page_tokens import OrderCursor
from services.ticketing.domain.ticket_secrets import TicketClaim

# The current instant (aware); injected so that tests can stand where holds run out.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PublishedSession:
    """A session as event.published carries it: the inventory to sell."""

    info: SessionInfo
    tiers: tuple[TierStock, ...]
    seats: tuple[tuple[str, str], ...]  # (seat id, tier id)


class Inventory(Protocol):
    """Sessions and their stock, in the unit of work's transaction. The two rules of
    the domain (held + sold <= capacity per tier; one live ticket per seat) hold here
    whatever the interleaving of transactions."""

    async def session(self, event_slug: str, session_id: str) -> SessionInfo | None: ...

    async def hold(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        """Take the places of these (new, HELD) tickets, or raise Conflict (SOLD_OUT,
        SEAT_TAKEN) with nothing taken."""
        ...

    async def tiers(self, session: SessionInfo) -> dict[str, TierStock]: ...

    async def stock(self, session: SessionInfo, seats: Sequence[str]) -> Stock:
        """The tiers, and of the seat map the `seats` asked for (with those taken), to
        price and place a selection."""
        ...

    async def confirm(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        """HELD tickets become sold."""
        ...

    async def release(self, session: SessionInfo, tickets: Sequence[Ticket]) -> None:
        """Live tickets give their places back (held ones and sold ones)."""
        ...

    async def retake(self, session: SessionInfo, tickets: Sequence[Ticket]) -> bool:
        """Sell released tickets again, all or none (a late payment)."""
        ...

    async def publish_sessions(self, event_slug: str, version: int, sessions: Sequence[PublishedSession]) -> bool:
        """Apply an event.published snapshot (ignored when not newer than `version`
        already applied). Sessions no longer published stop selling; capacities never
        drop below what is held and sold."""
        ...


class Orders(Protocol):
    async def add(self, order: Order) -> None: ...

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None: ...

    async def save(self, order: Order) -> None:
        """Status, payment, refunds and every ticket (status, secret, check-in)."""
        ...

    async def of_user(self, user_id: str, after: OrderCursor | None, limit: int) -> list[Order]:
        """Newest first."""
        ...

    async def due(self, now: datetime, limit: int) -> list[Order]:
        """PENDING orders whose hold ran out, locked (others skip them)."""
        ...

    async def ticket(self, ticket_id: str, *, for_update: bool = False) -> tuple[Order, Ticket] | None: ...


@dataclass(frozen=True, slots=True)
class KeyClaim:
    owner: bool  # this call runs the request; otherwise another did or does
    request_hash: str
    reply: bytes | None  # the first call's reply, once it has finished


class IdempotencyKeys(Protocol):
    async def claim(self, user_id: str, key: str, request_hash: str, now: datetime) -> KeyClaim: ...

    async def finish(self, user_id: str, key: str, reply: bytes) -> None: ...

    async def forget(self, user_id: str, key: str) -> None:
        """The first call failed: the next one runs the request anew."""
        ...


class PaymentResults(Protocol):
    async def first_time(self, kind: str, reference: str) -> bool:
        """True once per (kind, reference): the RPC and the topic bring the same news."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error, staged
    events included (they are published only once committed)."""

    @property
    def inventory(self) -> Inventory: ...

    @property
    def orders(self) -> Orders: ...

    @property
    def keys(self) -> IdempotencyKeys: ...

    @property
    def results(self) -> PaymentResults: ...

    async def stage(self, event: TicketEvent) -> None: ...

    async def request_refund(self, order_id: str, amount: int, reason: str, key: str) -> None:
        """Ask payment-service for money back, durably: a worker sends it until it is done."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True, slots=True)
class PaymentRef:
    payment_id: str
    payment_url: str


class Payments(Protocol):
    """payment-service (INTERNAL gRPC). Errors: Unavailable when it cannot answer in time."""

    async def create(self, order: Order, description: str) -> PaymentRef: ...

    async def cancel(self, order_id: str) -> None: ...

    async def refund(self, order_id: str, amount: int, reason: str, idempotency_key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Reservation:
    """A vendor's hold on its own inventory."""

    reservation_id: str
    seats: tuple[str, ...]
    expire_time: datetime | None


class ReservationLost(Exception):
    """The vendor no longer holds the reservation (it expired or was cancelled there):
    its seats may be sold to someone else, so it cannot be confirmed."""


class TicketVendor(Protocol):
    """Who holds the inventory of a ticket_provider. `kulturago`: us (a no-op: our own
    PostgreSQL is the inventory); Kassir and TicketsCloud adapters speak their vendors'
    HTTP APIs (services/ticketing/adapters/vendors). Called after our own hold (reserve),
    released on any failure after it, confirmed on payment; a confirm that times out is
    reconciled with `status`. The reservation id the use cases pass is our order id
    (adapters map it to the vendor's order where the vendor names it).

    Errors: Conflict (SOLD_OUT / SEAT_TAKEN) when the vendor's tickets were just taken;
    Unavailable when the vendor cannot answer (a TimeoutError too when no answer came in
    time: the outcome is unknown); ReservationLost from confirm."""

    async def reserve(self, order_id: str, event_ref: str, session_ref: str, tickets: Sequence[Ticket],
                      hold_seconds: int) -> Reservation: ...

    async def confirm(self, reservation_id: str) -> None: ...

    async def release(self, reservation_id: str) -> None: ...

    async def status(self, reservation_id: str) -> str:
        """"reserved" | "confirmed" | "released" | "unknown"."""
        ...


@dataclass(frozen=True, slots=True)
class DeferredConfirmation:
    order_id: str
    result: dict[str, Any]  # the payment result (PaymentResult's fields)
    attempts: int


class VendorConfirmations(Protocol):
    """Payments of vendor-backed orders waiting for the vendor to say whether it sold
    the tickets (a confirm that got no answer, a status that got none either). Durable:
    a worker settles them (Ticketing.settle_vendor_confirmations)."""

    async def defer(self, order_id: str, result: dict[str, Any]) -> None: ...

    async def due(self, now: datetime, limit: int) -> list[DeferredConfirmation]: ...

    async def pending(self, order_ids: Sequence[str]) -> set[str]:
        """Which of these orders wait for their vendor."""
        ...

    async def retry_later(self, order_id: str, error: str, next_attempt: datetime) -> None: ...

    async def done(self, order_id: str) -> None: ...


class TicketSigner(Protocol):
    def sign(self, claim: TicketClaim) -> str: ...

    def verify(self, secret: str) -> TicketClaim:
        """The claim of a genuine secret, or InvalidArgument (TICKET_SECRET_INVALID)."""
        ...

    def public_keys(self) -> list[dict[str, str]]: ...


class QrRenderer(Protocol):
    def png(self, text: str) -> bytes: ...
