"""ticketing's use cases with a vendor-backed session (a fake of the TicketVendor port,
scripted): seats just taken at the vendor are a 409 and nothing stays held; a vendor
outage a 503 that releases our hold and the vendor's; a confirm without an answer is
reconciled by asking the vendor's status (issued if it sold, refunded if it lost the
seats), and while it cannot say the payment waits, durably, for a worker that asks again
(the hold does not run out meanwhile): never guessed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ticketing_fakes import FakeClock, FakePayments, FakeQr, FakeSigner, FakeUnitOfWork, FakeVendor, State

from services.runtime.errors import Conflict, Unavailable
from services.ticketing.domain.events import TicketPaid, TicketRefunded
from services.ticketing.domain.model import OrderStatus, Selection, SessionInfo, Stock, Ticket, TierStock
from services.ticketing.service_layer.ports import DeferredConfirmation, Reservation, ReservationLost
from services.ticketing.service_layer.ticketing import PaymentResult, PurchaseRequest, Ticketing

NOW = datetime(2026, 11, 29, 20, 50, tzinfo=UTC)
SESSION = SessionInfo("standup", "5f1e0c0ffee0000000000001", "Стендап", NOW + timedelta(days=1),
                      NOW + timedelta(days=1, hours=2), "RUB", "ticketscloud")


@dataclass
class ScriptedVendor:
    """Each call takes the next scripted outcome (an exception to raise, or a value)."""

    reserve_outcomes: list[BaseException | None] = field(default_factory=list)
    confirm_outcomes: list[BaseException | None] = field(default_factory=list)
    states: list[str | BaseException] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def reserve(self, order_id: str, event_ref: str, session_ref: str, tickets: Sequence[Ticket],
                      hold_seconds: int) -> Reservation:
        self.calls.append(("reserve", session_ref))
        if self.reserve_outcomes and (outcome := self.reserve_outcomes.pop(0)) is not None:
            raise outcome
        return Reservation(order_id, (), None)

    async def confirm(self, reservation_id: str) -> None:
        self.calls.append(("confirm", reservation_id))
        if self.confirm_outcomes and (outcome := self.confirm_outcomes.pop(0)) is not None:
            raise outcome

    async def release(self, reservation_id: str) -> None:
        self.calls.append(("release", reservation_id))

    async def status(self, reservation_id: str) -> str:
        self.calls.append(("status", reservation_id))
        state = self.states.pop(0) if self.states else "reserved"
        if isinstance(state, BaseException):
            raise state
        return state


@dataclass
class FakeConfirmations:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # order id -> row

    async def defer(self, order_id: str, result: dict[str, Any]) -> None:
        self.rows[order_id] = {"result": result, "attempts": 0, "next": datetime.min.replace(tzinfo=UTC),
                               "done": False}

    async def due(self, now: datetime, limit: int) -> list[DeferredConfirmation]:
        return [DeferredConfirmation(k, r["result"], r["attempts"]) for k, r in self.rows.items()
                if not r["done"] and r["next"] <= now][:limit]

    async def pending(self, order_ids: Sequence[str]) -> set[str]:
        return {k for k in order_ids if k in self.rows and not self.rows[k]["done"]}

    async def retry_later(self, order_id: str, error: str, next_attempt: datetime) -> None:
        self.rows[order_id].update(attempts=self.rows[order_id]["attempts"] + 1, next=next_attempt)

    async def done(self, order_id: str) -> None:
        self.rows[order_id]["done"] = True


class Fixture:
    def __init__(self, *, durable: bool = False) -> None:
        state = State()
        state.sessions = {("standup", SESSION.session_id): SESSION}
        state.stock = {("standup", SESSION.session_id): Stock({"std": TierStock("std", "Входной", 90000, 5)})}
        self.db = [state]
        self.payments = FakePayments()
        self.vendor = ScriptedVendor()
        ids = itertools.count(1)
        self.clock = FakeClock(NOW)
        self.confirmations = FakeConfirmations()
        self.ticketing = Ticketing(lambda: FakeUnitOfWork(self.db), self.payments,
                                   {"kulturago": FakeVendor(), "ticketscloud": self.vendor}, FakeSigner(), FakeQr(),
                                   self.clock, new_id=lambda: f"00000000-0000-0000-0000-{next(ids):012d}",
                                   vendor_status_polls=3, vendor_status_every=timedelta(0),
                                   confirmations=self.confirmations if durable else None)

    def tier(self) -> TierStock:
        return self.db[0].stock[("standup", SESSION.session_id)].tiers["std"]

    async def buy(self, quantity: int = 2):  # type: ignore[no-untyped-def]
        return await self.ticketing.purchase(PurchaseRequest("anna", "standup", SESSION.session_id,
                                                             Selection(items=(("std", quantity),))))

    async def pay(self, order):  # type: ignore[no-untyped-def]
        return await self.ticketing.payment_result(PaymentResult("p1", order.id, "succeeded", amount=order.amount))


async def test_the_vendor_is_asked_by_its_own_session_id() -> None:
    f = Fixture()
    order = await f.buy()
    assert f.vendor.calls == [("reserve", SESSION.session_id)] and f.tier().held == 2
    paid = await f.pay(order)
    assert paid.status is OrderStatus.PAID and ("confirm", order.id) in f.vendor.calls


async def test_tickets_just_taken_at_the_vendor_are_a_409_holding_nothing() -> None:
    f = Fixture()
    f.vendor.reserve_outcomes = [Conflict("a seat was just taken at the vendor", "SEAT_TAKEN")]
    with pytest.raises(Conflict) as taken:
        await f.buy()
    assert taken.value.reason == "SEAT_TAKEN" and f.tier().held == 0 and not f.payments.created


async def test_a_vendor_outage_is_a_503_releasing_both_holds() -> None:
    f = Fixture()
    f.vendor.reserve_outcomes = [Unavailable("circuit open", "VENDOR_CIRCUIT_OPEN")]
    with pytest.raises(Unavailable) as down:
        await f.buy()
    assert down.value.reason == "VENDOR_CIRCUIT_OPEN" and f.tier().held == 0
    assert [c for c, _ in f.vendor.calls] == ["reserve", "release"]  # a lost answer may still act there


async def test_a_confirm_timeout_is_reconciled_by_status_and_issues() -> None:
    f = Fixture()
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer")]
    f.vendor.states = [Unavailable("down"), "confirmed"]
    paid = await f.pay(order)
    assert paid.status is OrderStatus.PAID and f.tier().sold == 2
    assert [c for c, _ in f.vendor.calls][1:] == ["confirm", "status", "status"]


async def test_a_confirm_that_never_arrived_is_sent_again_once_the_vendor_says_reserved() -> None:
    f = Fixture()
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer"), None]
    f.vendor.states = ["reserved"]
    assert (await f.pay(order)).status is OrderStatus.PAID
    assert [c for c, _ in f.vendor.calls][1:] == ["confirm", "status", "confirm"]


async def test_a_reservation_the_vendor_lost_is_refunded_not_issued() -> None:
    f = Fixture()
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer")]
    f.vendor.states = ["released"]
    refunded = await f.pay(order)
    assert refunded.status is OrderStatus.REFUNDED and refunded.status_reason == "VENDOR_LOST_RESERVATION"
    assert f.tier().held == 0 and f.tier().sold == 0 and not any(t.secret for t in refunded.tickets)
    assert [type(e) for e in f.db[0].events].count(TicketRefunded) == 1
    assert not [e for e in f.db[0].events if isinstance(e, TicketPaid)]


async def test_a_lost_reservation_on_confirm_itself_is_refunded() -> None:
    f = Fixture()
    order = await f.buy()
    f.vendor.confirm_outcomes = [ReservationLost("expired there")]
    assert (await f.pay(order)).status is OrderStatus.REFUNDED


async def test_a_vendor_that_cannot_say_leaves_the_order_unchanged_for_later() -> None:
    f = Fixture()
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer")]
    f.vendor.states = [Unavailable("down")] * 3
    with pytest.raises(Unavailable) as unknown:
        await f.pay(order)
    assert unknown.value.reason == "VENDOR_CONFIRM_UNKNOWN"
    again = await f.ticketing.get("anna", order.id)
    assert again.status is OrderStatus.PENDING and f.tier().held == 2
    f.vendor.states = ["confirmed"]  # the payment news comes again (Kafka): now the vendor says
    f.vendor.confirm_outcomes = [TimeoutError("no answer")]
    assert (await f.pay(order)).status is OrderStatus.PAID


async def test_a_vendor_that_cannot_say_leaves_the_payment_to_a_worker_and_the_hold_in_place() -> None:
    f = Fixture(durable=True)
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer")]
    f.vendor.states = [Unavailable("down")] * 3
    waiting = await f.pay(order)
    assert waiting.status is OrderStatus.PENDING and waiting.status_reason == "VENDOR_CONFIRMING"
    assert list(f.confirmations.rows) == [order.id]
    f.clock.now = NOW + timedelta(hours=1)  # long past the hold: it does not run out while we wait
    assert await f.ticketing.expire_due() == 0 and f.tier().held == 2
    f.vendor.states = [Unavailable("still down")]
    assert await f.ticketing.settle_vendor_confirmations() == 0
    row = f.confirmations.rows[order.id]
    assert row["attempts"] == 1 and row["next"] == f.clock.now + timedelta(seconds=5)  # then 10, 20 ... 300
    f.clock.now += timedelta(seconds=5)
    f.vendor.states = ["confirmed"]
    assert await f.ticketing.settle_vendor_confirmations() == 1
    paid = await f.ticketing.get("anna", order.id)
    assert paid.status is OrderStatus.PAID and f.tier().sold == 2 and all(t.secret for t in paid.tickets)
    assert [type(e) for e in f.db[0].events].count(TicketPaid) == 1 and f.confirmations.rows[order.id]["done"]


async def test_a_waiting_payment_whose_reservation_is_still_open_is_confirmed_by_the_worker() -> None:
    f = Fixture(durable=True)
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer")] + [TimeoutError("again")] * 3
    f.vendor.states = ["reserved"] * 3
    assert (await f.pay(order)).status_reason == "VENDOR_CONFIRMING"
    f.vendor.states = ["reserved"]  # the worker's turn: still only reserved there, so it confirms
    assert await f.ticketing.settle_vendor_confirmations() == 1
    assert (await f.ticketing.get("anna", order.id)).status is OrderStatus.PAID


async def test_a_waiting_payment_whose_seats_the_vendor_lost_is_refunded_by_the_worker() -> None:
    f = Fixture(durable=True)
    order = await f.buy()
    f.vendor.confirm_outcomes = [TimeoutError("no answer")]
    f.vendor.states = [Unavailable("down")] * 3
    await f.pay(order)
    f.vendor.states = ["released"]
    assert await f.ticketing.settle_vendor_confirmations() == 1
    refunded = await f.ticketing.get("anna", order.id)
    assert refunded.status is OrderStatus.REFUNDED and refunded.status_reason == "VENDOR_LOST_RESERVATION"
    assert f.tier().held == 0 and f.db[0].refunds and f.db[0].refunds[0][0] == order.id

