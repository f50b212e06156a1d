"""Orders, tickets and the stock of a session: the rules of selling, pure (no I/O).

The life of an order (pretix's, simplified):

    PENDING --paid--> PAID --refunded in full--> REFUNDED
       |  \\--cancel--> CANCELLED
       \\--hold ran out--> EXPIRED --paid late, seats still free--> PAID
                                   \\--paid late, seats gone--> REFUNDED (money sent back)

A session's stock counts, per tier, what is held (pending orders) and sold (paid
orders); held + sold never exceeds the capacity, and a seat belongs to one live ticket
at most. `Stock` is that bookkeeping in memory: the property test drives it, and the
PostgreSQL adapter enforces the same two rules with a CHECK and a unique index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from services.runtime.errors import Conflict, InvalidArgument

MAX_TICKETS_PER_ORDER = 10


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"


class TicketStatus(StrEnum):
    HELD = "HELD"
    VALID = "VALID"
    USED = "USED"
    VOID = "VOID"


LIVE_TICKETS = frozenset({TicketStatus.HELD, TicketStatus.VALID, TicketStatus.USED})


@dataclass(frozen=True, slots=True)
class TierStock:
    id: str
    name: str
    price: int  # kopecks
    capacity: int
    held: int = 0
    sold: int = 0

    @property
    def available(self) -> int:
        return self.capacity - self.held - self.sold


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session on sale, as the catalog last published it."""

    event_slug: str
    session_id: str
    event_title: str
    start: datetime
    end: datetime
    currency: str
    provider: str  # "kulturago", or a vendor's name
    on_sale: bool = True
    seated: bool = False  # assigned seating: tickets are bought by seat


@dataclass(frozen=True, slots=True)
class Selection:
    """What a buyer asks for: general admission items (tier -> quantity) or seats."""

    items: tuple[tuple[str, int], ...] = ()
    seats: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return sum(q for _, q in self.items) + len(self.seats)

    def check(self, session: SessionInfo) -> None:
        if not self.items and not self.seats:
            raise InvalidArgument.on_field("items", "give either items or seats")
        if self.count > MAX_TICKETS_PER_ORDER:
            raise InvalidArgument.on_field("items", f"at most {MAX_TICKETS_PER_ORDER} tickets per order",
                                           "TOO_MANY_TICKETS")
        if session.seated and self.items:
            raise InvalidArgument.on_field("items", "this session has assigned seating: choose seats",
                                           "SEATS_REQUIRED")
        if not session.seated and self.seats:
            raise InvalidArgument.on_field("seats", "this session has no seat map: choose tiers", "ITEMS_REQUIRED")
        tiers = [t for t, _ in self.items]
        if len(set(tiers)) != len(tiers):
            raise InvalidArgument.on_field("items", "each tier once")


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    tier_id: str
    tier_name: str
    price: int
    seat: str = ""
    status: TicketStatus = TicketStatus.HELD
    secret: str = ""
    checkin_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    user_id: str
    session: SessionInfo
    status: OrderStatus
    tickets: tuple[Ticket, ...]
    amount: int
    hold_expire_time: datetime
    create_time: datetime
    update_time: datetime
    payment_id: str = ""
    payment_url: str = ""
    refunded_amount: int = 0
    status_reason: str = ""
    paid_time: datetime | None = None

    @property
    def currency(self) -> str:
        return self.session.currency


def sold_out(tier: str, available: int) -> Conflict:
    return Conflict(f"not enough tickets left in tier {tier!r} ({available} left)", "SOLD_OUT",
                    {"tierId": tier, "available": str(available)})


def seat_taken(seat: str) -> Conflict:
    return Conflict(f"seat {seat} is taken", "SEAT_TAKEN", {"seat": seat})


def order_conflict(order: Order, reason: str, message: str) -> Conflict:
    return Conflict(message, reason, {"orderId": order.id, "status": order.status.value})


# --- transitions (what happens to an order; the stock follows) ----------------------

@dataclass(frozen=True, slots=True)
class PaymentDecision:
    """What a successful payment does to an order."""

    kind: str  # "paid" | "reissue" | "refund" | "duplicate"


def decide_payment(order: Order) -> PaymentDecision:
    if order.status is OrderStatus.PENDING:
        return PaymentDecision("paid")
    if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
        return PaymentDecision("reissue")  # late: re-take the seats if still free, else refund
    return PaymentDecision("duplicate")  # already PAID or REFUNDED: nothing more


def with_tickets(order: Order, status: TicketStatus, *, only: frozenset[TicketStatus] | None = None) -> Order:
    return replace(order, tickets=tuple(
        replace(t, status=status) if only is None or t.status in only else t for t in order.tickets))


def hold_expiry(now: datetime, hold: timedelta) -> datetime:
    return now + hold


def refundable_by_owner(order: Order, now: datetime, cutoff: timedelta) -> None:
    """The owner's refund: all of a paid order, until `cutoff` before the session."""
    if order.status is not OrderStatus.PAID:
        raise order_conflict(order, "ORDER_NOT_PAID", "only a paid order can be refunded")
    if now > order.session.start - cutoff:
        raise order_conflict(order, "REFUND_TOO_LATE",
                             f"refunds close {int(cutoff.total_seconds() // 3600)} h before the session")


@dataclass
class Stock:
    """The stock of one session in memory: the bookkeeping PostgreSQL does for real."""

    tiers: dict[str, TierStock]
    seat_tiers: dict[str, str] = field(default_factory=dict)  # seat map; empty: general admission
    taken: set[str] = field(default_factory=set)  # seats of live tickets

    def _bump(self, tier: str, held: int = 0, sold: int = 0) -> None:
        t = self.tiers[tier]
        self.tiers[tier] = replace(t, held=t.held + held, sold=t.sold + sold)

    def hold(self, selection: Selection, new_id: Sequence[str]) -> tuple[Ticket, ...]:
        """Tickets held for `selection` (ids from `new_id`), or Conflict/InvalidArgument
        and nothing changed."""
        lines: list[tuple[str, str]] = []  # (tier, seat)
        for tier, quantity in selection.items:
            stock = self.tiers.get(tier)
            if stock is None:
                raise InvalidArgument.on_field("items", f"no tier {tier!r} in this session", "UNKNOWN_TIER")
            if stock.available < quantity:
                raise sold_out(tier, stock.available)
            lines += [(tier, "")] * quantity
        for seat in selection.seats:
            seat_tier = self.seat_tiers.get(seat)
            if seat_tier is None:
                raise InvalidArgument.on_field("seats", f"no seat {seat} in this session", "UNKNOWN_SEAT")
            if seat in self.taken:
                raise seat_taken(seat)
            lines.append((seat_tier, seat))
        tickets = tuple(Ticket(id=i, tier_id=tier, tier_name=self.tiers[tier].name, price=self.tiers[tier].price,
                               seat=seat) for i, (tier, seat) in zip(new_id, lines, strict=False))
        for t in tickets:
            self._bump(t.tier_id, held=1)
            if t.seat:
                self.taken.add(t.seat)
        return tickets

    def confirm(self, tickets: Sequence[Ticket]) -> None:
        for t in tickets:
            self._bump(t.tier_id, held=-1, sold=1)

    def release(self, tickets: Sequence[Ticket]) -> None:
        """Tickets that stop being live (held or sold ones) give their place back."""
        for t in tickets:
            if t.status is TicketStatus.HELD:
                self._bump(t.tier_id, held=-1)
            elif t.status in (TicketStatus.VALID, TicketStatus.USED):
                self._bump(t.tier_id, sold=-1)
            else:
                continue
            self.taken.discard(t.seat)

    def retake(self, tickets: Sequence[Ticket]) -> bool:
        """Sell released tickets again (a late payment), all or none."""
        need: dict[str, int] = {}
        for t in tickets:
            need[t.tier_id] = need.get(t.tier_id, 0) + 1
            if t.seat and t.seat in self.taken:
                return False
        if any(self.tiers[tier].available < n for tier, n in need.items()):
            return False
        for t in tickets:
            self._bump(t.tier_id, sold=1)
            if t.seat:
                self.taken.add(t.seat)
        return True
