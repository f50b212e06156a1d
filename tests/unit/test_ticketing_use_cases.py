"""ticketing's use cases (services/ticketing/service_layer/ticketing.py) on fakes of their
ports, with the clock fixed where Moscow's days and weeks turn: holds run out on the
second, refunds close on the hour, late payments are re-issued or refunded, a vendor or
payment failure after our hold leaves nothing held."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from ticketing_fakes import FakeClock, FakePayments, FakeQr, FakeSigner, FakeUnitOfWork, FakeVendor, State

from services.runtime.errors import Conflict, InvalidArgument, NotFound, PermissionDenied, Unavailable
from services.ticketing.domain.events import TicketExpired, TicketPaid, TicketRefunded, TicketReserved
from services.ticketing.domain.model import OrderStatus, Selection, SessionInfo, Stock, TicketStatus, TierStock
from services.ticketing.service_layer.ticketing import PaymentResult, PurchaseRequest, Ticketing

# Sunday 23:50 in Moscow, ten minutes before the week turns (Monday 00:00 MSK = Sunday 21:00 UTC).
SUNDAY_BEFORE_MIDNIGHT = datetime(2026, 11, 29, 20, 50, tzinfo=UTC)
MONDAY_SESSION = SessionInfo("jazz", "s1", "Джаз", datetime(2026, 11, 30, 21, 30, tzinfo=UTC),
                             datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "RUB", "kulturago")
SEATED = SessionInfo("jazz", "s2", "Джаз", MONDAY_SESSION.start, MONDAY_SESSION.end, "RUB", "kulturago", seated=True)


class Fixture:
    def __init__(self, now: datetime = SUNDAY_BEFORE_MIDNIGHT) -> None:
        state = State()
        state.sessions = {("jazz", "s1"): MONDAY_SESSION, ("jazz", "s2"): SEATED}
        state.stock = {("jazz", "s1"): Stock({"floor": TierStock("floor", "Танцпол", 150000, 3)}),
                       ("jazz", "s2"): Stock({"front": TierStock("front", "Первые", 400000, 2)},
                                             {"A-1": "front", "A-2": "front"})}
        self.db = [state]
        self.clock = FakeClock(now)
        self.payments = FakePayments()
        self.vendor = FakeVendor()
        ids = itertools.count(1)
        self.ticketing = Ticketing(lambda: FakeUnitOfWork(self.db), self.payments, {"kulturago": self.vendor},
                                   FakeSigner(), FakeQr(), self.clock,
                                   new_id=lambda: f"00000000-0000-0000-0000-{next(ids):012d}")

    @property
    def state(self) -> State:
        return self.db[0]

    def tier(self, session: str = "s1", tier: str = "floor") -> TierStock:
        return self.state.stock[("jazz", session)].tiers[tier]

    async def buy(self, quantity: int = 1, user: str = "anna", key: str = "", seats: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
        selection = Selection(seats=seats) if seats else Selection(items=(("floor", quantity),))
        return await self.ticketing.purchase(PurchaseRequest(user, "jazz", "s2" if seats else "s1", selection, key))


async def test_a_purchase_holds_until_the_hold_runs_out_across_the_week_turn() -> None:
    f = Fixture()
    order = await f.buy(2)
    assert order.status is OrderStatus.PENDING and order.amount == 300000
    assert order.hold_expire_time == SUNDAY_BEFORE_MIDNIGHT + timedelta(minutes=15)  # Monday 00:05 MSK
    assert order.payment_url and f.tier().held == 2
    assert [type(e) for e in f.state.events] == [TicketReserved]
    assert f.vendor.calls == [("reserve", order.id)]

    f.clock.now = order.hold_expire_time - timedelta(microseconds=1)
    assert await f.ticketing.expire_due() == 0
    f.clock.now = order.hold_expire_time
    assert await f.ticketing.expire_due() == 1
    expired = f.state.orders[order.id]
    assert expired.status is OrderStatus.EXPIRED and {t.status for t in expired.tickets} == {TicketStatus.VOID}
    assert f.tier().held == 0 and isinstance(f.state.events[-1], TicketExpired)
    assert f.payments.cancelled == [order.id] and ("release", order.id) in f.vendor.calls


async def test_sold_out_and_seat_taken_are_conflicts() -> None:
    f = Fixture()
    await f.buy(3)
    with pytest.raises(Conflict) as sold_out:
        await f.buy(1, user="boris")
    assert sold_out.value.reason == "SOLD_OUT"
    await f.buy(seats=("A-1",))
    with pytest.raises(Conflict) as taken:
        await f.buy(seats=("A-1", "A-2"), user="boris")
    assert taken.value.reason == "SEAT_TAKEN" and f.tier("s2", "front").held == 1
    with pytest.raises(InvalidArgument):
        await f.buy(11)


async def test_payment_down_releases_the_hold_and_says_unavailable() -> None:
    f = Fixture()
    f.payments.down = True
    with pytest.raises(Unavailable):
        await f.buy(2)
    (order,) = f.state.orders.values()
    assert order.status is OrderStatus.CANCELLED and order.status_reason == "PAYMENT_UNAVAILABLE"
    assert f.tier().held == 0 and ("release", order.id) in f.vendor.calls


async def test_a_vendor_failure_after_our_hold_releases_it() -> None:
    f = Fixture()
    f.vendor.fail_reserve = True
    with pytest.raises(Unavailable):
        await f.buy(1)
    assert f.tier().held == 0 and not f.payments.created


async def test_the_same_idempotency_key_gives_the_first_reply() -> None:
    f = Fixture()
    first = await f.buy(2, key="k")
    again = await f.buy(2, key="k")
    assert isinstance(first, bytes) and first == again and f.tier().held == 2
    with pytest.raises(InvalidArgument) as reused:
        await f.buy(1, key="k")
    assert reused.value.reason == "IDEMPOTENCY_KEY_REUSED"
    assert await f.buy(1, key="k", user="boris")  # keys are per user


async def test_payment_issues_signed_tickets_once() -> None:
    f = Fixture()
    order = await f.buy(2)
    result = PaymentResult("p1", order.id, "succeeded", amount=order.amount)
    paid = await f.ticketing.payment_result(result)
    assert paid.status is OrderStatus.PAID and f.tier().sold == 2 and f.tier().held == 0
    assert all(t.secret.startswith("k.") for t in paid.tickets)
    assert await f.ticketing.payment_result(result) == paid  # the RPC and the topic: applied once
    assert [type(e) for e in f.state.events].count(TicketPaid) == 1
    assert ("confirm", order.id) in f.vendor.calls


async def test_a_late_payment_is_reissued_or_refunded() -> None:
    f = Fixture()
    free = await f.buy(seats=("A-1",))
    gone = await f.buy(seats=("A-2",))
    f.clock.now += timedelta(minutes=16)
    assert await f.ticketing.expire_due() == 2
    await f.buy(seats=("A-2",), user="boris")  # someone took A-2 meanwhile
    reissued = await f.ticketing.payment_result(PaymentResult("p1", free.id, "succeeded", amount=400000, late=True))
    assert reissued.status is OrderStatus.PAID and f.tier("s2", "front").sold == 1
    refunded = await f.ticketing.payment_result(PaymentResult("p2", gone.id, "succeeded", amount=400000, late=True))
    assert refunded.status is OrderStatus.REFUNDED and refunded.status_reason == "LATE_PAYMENT_REFUNDED"
    assert f.state.refunds == [(gone.id, 400000, f.state.refunds[0][2], f"late-{gone.id}")]
    assert isinstance(f.state.events[-1], TicketRefunded)


async def test_owner_refunds_close_24_hours_before_the_session() -> None:
    f = Fixture()
    order = await f.buy(1)
    await f.ticketing.payment_result(PaymentResult("p1", order.id, "succeeded", amount=order.amount))
    f.clock.now = MONDAY_SESSION.start - timedelta(hours=24)  # Sunday 00:30 MSK: still in time
    await f.ticketing.refund_as_owner("anna", order.id, "")
    assert f.payments.refunded == [(order.id, 0, f"owner-{order.id}")]
    f.clock.now += timedelta(seconds=1)
    with pytest.raises(Conflict) as late:
        await f.ticketing.refund_as_owner("anna", order.id, "")
    assert late.value.reason == "REFUND_TOO_LATE"
    with pytest.raises(NotFound):
        await f.ticketing.refund_as_owner("boris", order.id, "")  # not his
    refunded = await f.ticketing.payment_result(PaymentResult("p1", order.id, "refunded", amount=150000,
                                                              transaction_id="r1", refunded_amount=150000, full=True))
    assert refunded.status is OrderStatus.REFUNDED and f.tier().sold == 0


async def test_check_in_admits_once_and_only_staff() -> None:
    f = Fixture()
    order = await f.buy(1)
    paid = await f.ticketing.payment_result(PaymentResult("p1", order.id, "succeeded", amount=order.amount))
    secret = paid.tickets[0].secret
    with pytest.raises(PermissionDenied):
        await f.ticketing.check_in(frozenset({"user"}), secret)
    done = await f.ticketing.check_in(frozenset({"user", "staff"}), secret)
    assert done.ticket.status is TicketStatus.USED and done.ticket.checkin_time == f.clock.now
    with pytest.raises(Conflict) as used:
        await f.ticketing.check_in(frozenset({"admin"}), secret)
    assert used.value.reason == "TICKET_ALREADY_USED"


async def test_paid_orders_cannot_be_cancelled_and_others_are_not_found() -> None:
    f = Fixture()
    order = await f.buy(1)
    with pytest.raises(NotFound):
        await f.ticketing.cancel("boris", order.id)
    await f.ticketing.payment_result(PaymentResult("p1", order.id, "succeeded", amount=order.amount))
    with pytest.raises(Conflict) as paid:
        await f.ticketing.cancel("anna", order.id)
    assert paid.value.reason == "ORDER_PAID"
