"""Property test of the selling rules (services/ticketing/domain/model.py): random
interleavings of hold / pay / expire / cancel / refund (and late payments) over one
session with general admission and seated tiers never sell a tier beyond its capacity
nor a seat twice, and the counters always equal what the live tickets say."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from services.runtime.errors import Conflict, InvalidArgument
from services.ticketing.domain.model import (
    LIVE_TICKETS,
    OrderStatus,
    Selection,
    Stock,
    Ticket,
    TicketStatus,
    TierStock,
    decide_payment,
)

SEATS = {f"A-{n}": "front" for n in range(1, 5)} | {f"B-{n}": "hall" for n in range(1, 5)}


@dataclass
class Book:
    """Orders of the model: status and tickets, like the service keeps them."""

    stock: Stock
    orders: dict[int, tuple[OrderStatus, tuple[Ticket, ...]]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def hold(self, selection: Selection) -> None:
        try:
            tickets = self.stock.hold(selection, [str(next(self.ids)) for _ in range(selection.count)])
        except (Conflict, InvalidArgument):
            return
        self.orders[len(self.orders)] = (OrderStatus.PENDING, tickets)

    def _set(self, n: int, status: OrderStatus, ticket_status: TicketStatus) -> None:
        _, tickets = self.orders[n]
        self.orders[n] = (status, tuple(replace(t, status=ticket_status) for t in tickets))

    def pay(self, n: int) -> None:
        status, tickets = self.orders[n]
        probe = type("O", (), {"status": status})()
        kind = decide_payment(probe).kind  # type: ignore[arg-type]
        if kind == "paid":
            self.stock.confirm(tickets)
            self._set(n, OrderStatus.PAID, TicketStatus.VALID)
        elif kind == "reissue":
            again = tuple(replace(t, status=TicketStatus.HELD) for t in tickets)
            if self.stock.retake(again):
                self._set(n, OrderStatus.PAID, TicketStatus.VALID)
            else:
                self.orders[n] = (OrderStatus.REFUNDED, tickets)  # money goes back

    def end_unpaid(self, n: int, status: OrderStatus) -> None:
        current, tickets = self.orders[n]
        if current is OrderStatus.PENDING:
            self.stock.release(tickets)
            self._set(n, status, TicketStatus.VOID)

    def refund(self, n: int) -> None:
        status, tickets = self.orders[n]
        if status is OrderStatus.PAID:
            self.stock.release([t for t in tickets if t.status in LIVE_TICKETS])
            self._set(n, OrderStatus.REFUNDED, TicketStatus.VOID)

    def check(self) -> None:
        live = [t for _, tickets in self.orders.values() for t in tickets if t.status in LIVE_TICKETS]
        held = Counter(t.tier_id for t in live if t.status is TicketStatus.HELD)
        sold = Counter(t.tier_id for t in live if t.status is not TicketStatus.HELD)
        for tier in self.stock.tiers.values():
            assert 0 <= tier.held and 0 <= tier.sold
            assert tier.held + tier.sold <= tier.capacity, tier
            assert (tier.held, tier.sold) == (held[tier.id], sold[tier.id]), tier
        seats = [t.seat for t in live if t.seat]
        assert len(seats) == len(set(seats)), "a seat sold twice"
        assert set(seats) == self.stock.taken


selections = st.one_of(
    st.builds(lambda tier, n: Selection(items=((tier, n),)), st.sampled_from(["floor", "vip"]),
              st.integers(1, 4)),
    st.builds(lambda seats: Selection(seats=tuple(seats)),
              st.lists(st.sampled_from(sorted(SEATS)), min_size=1, max_size=3, unique=True)),
)
steps = st.lists(st.one_of(
    st.tuples(st.just("hold"), selections),
    st.tuples(st.sampled_from(["pay", "expire", "cancel", "refund"]), st.integers(0, 30)),
), max_size=60)


@settings(max_examples=400, deadline=None)
@given(steps=steps, floor=st.integers(0, 6), vip=st.integers(0, 3))
def test_random_interleavings_never_oversell_nor_double_sell_a_seat(
        steps: list[tuple[str, object]], floor: int, vip: int) -> None:
    stock = Stock({"floor": TierStock("floor", "Танцпол", 1500_00, floor), "vip": TierStock("vip", "VIP", 5000_00, vip),
                   "front": TierStock("front", "Первые ряды", 4000_00, 4),
                   "hall": TierStock("hall", "Партер", 2500_00, 4)}, seat_tiers=dict(SEATS))
    book = Book(stock)
    for action, arg in steps:
        if action == "hold":
            assert isinstance(arg, Selection)
            book.hold(arg)
        elif book.orders:
            n = int(arg) % len(book.orders)  # type: ignore[call-overload]
            if action == "pay":
                book.pay(n)
            elif action == "expire":
                book.end_unpaid(n, OrderStatus.EXPIRED)
            elif action == "cancel":
                book.end_unpaid(n, OrderStatus.CANCELLED)
            else:
                book.refund(n)
        book.check()
