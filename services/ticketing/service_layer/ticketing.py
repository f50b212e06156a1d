"""Use cases of ticketing-service: buy (hold + payment), read, cancel, expire holds,
take payment results, refund, QR codes and check-in."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from services.runtime.errors import Conflict, InvalidArgument, NotFound, PermissionDenied, Unavailable
from services.runtime.logging import get_logger
from services.runtime.transactions import retrying
from services.ticketing.domain import page_tokens
from services.ticketing.domain.events import (
    TicketCancelled,
    TicketExpired,
    TicketPaid,
    TicketRefunded,
    TicketReserved,
)
from services.ticketing.domain.model import (
    LIVE_TICKETS,
    Order,
    OrderStatus,
    Selection,
    SessionInfo,
    Ticket,
    TicketStatus,
    decide_payment,
    order_conflict,
    refundable_by_owner,
    with_tickets,
)
from services.ticketing.domain.ticket_secrets import TicketClaim
from services.ticketing.service_layer.ports import (
    Clock,
    Payments,
    QrRenderer,
    ReservationLost,
    TicketSigner,
    TicketVendor,
    UnitOfWork,
    UnitOfWorkFactory,
    VendorConfirmations,
    utc_now,
)

log = get_logger(__name__)

OWN_PROVIDER = "kulturago"
STAFF_ROLES = frozenset({"staff", "admin"})


@dataclass(frozen=True, slots=True)
class PurchaseRequest:
    user_id: str
    event_slug: str
    session_id: str
    selection: Selection
    idempotency_key: str = ""

    def fingerprint(self) -> str:
        body = f"{self.event_slug}|{self.session_id}|{sorted(self.selection.items)}|{sorted(self.selection.seats)}"
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PaymentResult:
    payment_id: str
    order_id: str
    outcome: str  # "succeeded" | "failed" | "refunded"
    amount: int = 0
    transaction_id: str = ""
    late: bool = False
    refunded_amount: int = 0
    full: bool = False
    reason: str = ""

    def reference(self) -> str:
        # A refund is news per refund transaction; a success or failure per payment (and attempt).
        return f"{self.payment_id}:{self.transaction_id}" if self.outcome != "succeeded" else self.payment_id


@dataclass(frozen=True, slots=True)
class CheckedIn:
    order: Order
    ticket: Ticket


@dataclass
class Ticketing:
    unit_of_work: UnitOfWorkFactory
    payments: Payments
    vendors: Mapping[str, TicketVendor]
    signer: TicketSigner
    qr: QrRenderer
    clock: Clock = field(default=utc_now)
    hold: timedelta = timedelta(minutes=15)
    refund_cutoff: timedelta = timedelta(hours=24)
    idempotency_ttl: timedelta = timedelta(hours=24)
    idempotency_wait: timedelta = timedelta(seconds=20)
    # A vendor confirm without an answer: ask its status this many times, this far apart.
    vendor_status_polls: int = 3
    vendor_status_every: timedelta = timedelta(seconds=0.5)
    # Still no answer: the payment waits here for a worker to ask again (None: it is
    # refused with Unavailable and applied when the payment news comes again).
    confirmations: VendorConfirmations | None = None
    new_id: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))
    render_order: Callable[[Order], bytes] = field(default=lambda o: o.id.encode())
    parse_order: Callable[[bytes], Order] | None = None
    # Payment results applied at once, from the RPC and the topics together. Each holds a
    # pooled connection for its transaction and, for a vendor-backed order, takes a
    # second one inside it (the vendor's order id, a deferred confirmation): unbounded,
    # the fast path and the consumer together took the whole pool, each waiting for a
    # second connection until the pool gave up (30 s).
    max_concurrent_payment_results: int = 4
    _payment_slots: asyncio.Semaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._payment_slots = asyncio.Semaphore(self.max_concurrent_payment_results)

    # --- purchase -----------------------------------------------------------------

    async def purchase(self, request: PurchaseRequest) -> bytes | Order:
        """The new order; with an idempotency key, the first call's reply (as bytes)."""
        if not request.idempotency_key:
            return await self._purchase(request)
        fingerprint = request.fingerprint()
        deadline = self.clock() + self.idempotency_wait
        while True:
            async with self.unit_of_work() as uow:
                claim = await uow.keys.claim(request.user_id, request.idempotency_key, fingerprint, self.clock())
            if claim.request_hash != fingerprint:
                raise InvalidArgument.on_field(
                    "Idempotency-Key", "this key was used for another request", "IDEMPOTENCY_KEY_REUSED")
            if claim.reply is not None:
                return claim.reply
            if claim.owner:
                break
            if self.clock() > deadline:
                raise Conflict("the first request with this key is still running", "IDEMPOTENCY_KEY_IN_USE")
            await asyncio.sleep(0.05)
        try:
            order = await self._purchase(request)
        except BaseException:
            async with self.unit_of_work() as uow:
                await uow.keys.forget(request.user_id, request.idempotency_key)
            raise
        reply = self.render_order(order)
        async with self.unit_of_work() as uow:
            await uow.keys.finish(request.user_id, request.idempotency_key, reply)
        return reply

    def _vendor(self, session: SessionInfo) -> TicketVendor:
        vendor = self.vendors.get(session.provider)
        if vendor is None:
            raise Conflict(f"tickets for this event are not sold here ({session.provider or 'no provider'})",
                           "NOT_SOLD_HERE", {"provider": session.provider})
        return vendor

    async def _hold(self, request: PurchaseRequest) -> Order:
        async def attempt() -> Order:
            now = self.clock()
            async with self.unit_of_work() as uow:
                session = await uow.inventory.session(request.event_slug, request.session_id)
                if session is None or not session.on_sale:
                    raise NotFound(f"no session {request.session_id!r} of {request.event_slug!r} on sale",
                                   "SESSION_NOT_ON_SALE", {"eventSlug": request.event_slug,
                                                           "sessionId": request.session_id})
                if session.end <= now:
                    raise Conflict("this session is over", "SESSION_OVER")
                self._vendor(session)
                request.selection.check(session)
                stock = await uow.inventory.stock(session, request.selection.seats)
                # The domain prices and places the selection; the database then takes the
                # places for real (its constraints decide under concurrency).
                ids = [self.new_id() for _ in range(request.selection.count)]
                tickets = stock.hold(request.selection, ids)
                order = Order(id=self.new_id(), user_id=request.user_id, session=session,
                              status=OrderStatus.PENDING, tickets=tickets, amount=sum(t.price for t in tickets),
                              hold_expire_time=now + self.hold, create_time=now, update_time=now)
                await uow.orders.add(order)
                await uow.stage(TicketReserved(order))
                # The tier's counter row last: every purchase of the tier queues for its row
                # lock, held from this UPDATE to the commit, so nothing else happens under it.
                await uow.inventory.hold(session, tickets)
            return order

        return await retrying(attempt)

    async def _purchase(self, request: PurchaseRequest) -> Order:
        order = await self._hold(request)
        vendor = self._vendor(order.session)
        try:
            await vendor.reserve(order.id, order.session.event_slug, order.session.session_id, order.tickets,
                                 int(self.hold.total_seconds()))
        except Conflict:
            # The vendor's tickets were just sold elsewhere: a 409 like our own SOLD_OUT / SEAT_TAKEN.
            await self._release(order.id, OrderStatus.CANCELLED, "VENDOR_SOLD_OUT")
            raise
        except Exception as exc:
            await self._release(order.id, OrderStatus.CANCELLED, "VENDOR_FAILED")
            # A request whose answer was lost may still act there: let go of it as well.
            await self._quietly(vendor.release(order.id), "vendor release")
            reason = exc.reason if isinstance(exc, Unavailable) else "VENDOR_UNAVAILABLE"
            raise Unavailable("the ticket vendor could not hold the tickets; nothing was reserved", reason,
                              {"provider": order.session.provider}) from exc
        description = f"{order.session.event_title}, {len(order.tickets)} билет(а)"
        try:
            payment = await self.payments.create(order, description)
        except Exception as exc:
            await self._release(order.id, OrderStatus.CANCELLED, "PAYMENT_UNAVAILABLE")
            await self._quietly(vendor.release(order.id), "vendor release")
            await self._quietly(self.payments.cancel(order.id), "payment cancel")
            if isinstance(exc, Unavailable):
                raise
            raise Unavailable("payments are unavailable; nothing was reserved", "PAYMENT_UNAVAILABLE") from exc
        async with self.unit_of_work() as uow:
            current = await uow.orders.get(order.id, for_update=True)
            assert current is not None
            order = replace(current, payment_id=payment.payment_id, payment_url=payment.payment_url)
            await uow.orders.save(order)
        log.info("tickets held", order_id=order.id, tickets=len(order.tickets), amount=order.amount)
        return order

    async def _quietly(self, call: Awaitable[object], what: str) -> None:
        try:
            await call
        except Exception as exc:
            log.warning(f"{what} failed", error=f"{type(exc).__name__}: {exc}")

    async def _release(self, order_id: str, status: OrderStatus, reason: str) -> Order | None:
        """A PENDING order ends unpaid: its tickets give their places back."""
        async def attempt() -> Order | None:
            async with self.unit_of_work() as uow:
                order = await uow.orders.get(order_id, for_update=True)
                if order is None or order.status is not OrderStatus.PENDING:
                    return None
                await self._end_unpaid(uow, order, status, reason)
            return order

        return await retrying(attempt)

    async def _end_unpaid(self, uow: UnitOfWork, order: Order, status: OrderStatus, reason: str) -> Order:
        await uow.inventory.release(order.session, order.tickets)
        ended = replace(with_tickets(order, TicketStatus.VOID), status=status, status_reason=reason,
                        update_time=self.clock())
        await uow.orders.save(ended)
        await uow.stage(TicketExpired(ended) if status is OrderStatus.EXPIRED else TicketCancelled(ended, reason))
        return ended

    # --- reading ------------------------------------------------------------------

    async def get(self, user_id: str, order_id: str) -> Order:
        async with self.unit_of_work() as uow:
            order = await uow.orders.get(order_id)
        if order is None or order.user_id != user_id:  # someone else's: as if it did not exist
            raise NotFound(f"no order {order_id}", "ORDER_NOT_FOUND", {"orderId": order_id})
        return order

    async def list(self, user_id: str, page_size: int, page_token: str) -> tuple[list[Order], str]:
        after = page_tokens.decode(page_token, user_id) if page_token else None
        async with self.unit_of_work() as uow:
            orders = await uow.orders.of_user(user_id, after, page_size + 1)
        more = len(orders) > page_size
        orders = orders[:page_size]
        token = (page_tokens.encode(page_tokens.OrderCursor(orders[-1].create_time, orders[-1].id), user_id)
                 if more and orders else "")
        return orders, token

    # --- cancel and expiry ----------------------------------------------------------

    async def cancel(self, user_id: str, order_id: str) -> Order:
        async def attempt() -> Order:
            async with self.unit_of_work() as uow:
                order = await uow.orders.get(order_id, for_update=True)
                if order is None or order.user_id != user_id:
                    raise NotFound(f"no order {order_id}", "ORDER_NOT_FOUND", {"orderId": order_id})
                if order.status is OrderStatus.PAID:
                    raise order_conflict(order, "ORDER_PAID", "a paid order cannot be cancelled: refund it")
                if order.status is not OrderStatus.PENDING:
                    return order  # already over: cancelling again changes nothing
                return await self._end_unpaid(uow, order, OrderStatus.CANCELLED, "BUYER_CANCELLED")

        order = await retrying(attempt)
        if order.status_reason == "BUYER_CANCELLED":
            await self._after_unpaid(order)
        return order

    async def _after_unpaid(self, order: Order) -> None:
        vendor = self.vendors.get(order.session.provider)
        if vendor is not None:
            await self._quietly(vendor.release(order.id), "vendor release")
        # Should the money still arrive, payment.succeeded says `late` and the order is re-issued or refunded.
        await self._quietly(self.payments.cancel(order.id), "payment cancel")

    async def expire_due(self, batch: int = 100) -> int:
        """Expire every PENDING order whose hold ran out (a worker calls this)."""
        now = self.clock()

        async def attempt() -> list[Order]:
            async with self.unit_of_work() as uow:
                due = await uow.orders.due(now, batch)
                if due and self.confirmations is not None:
                    # Paid, waiting for the vendor to say whether it sold: not ours to expire.
                    waiting = await self.confirmations.pending([o.id for o in due])
                    due = [o for o in due if o.id not in waiting]
                return [await self._end_unpaid(uow, o, OrderStatus.EXPIRED, "HOLD_EXPIRED") for o in due]

        expired = await retrying(attempt)
        for order in expired:
            log.info("hold expired", order_id=order.id)
            await self._after_unpaid(order)
        return len(expired)

    async def run_expiry(self, every_seconds: float = 1.0) -> None:
        """Worker: holds run out on time."""
        from services.runtime.supervision import worker_healthy

        while True:
            while await self.expire_due() > 0:
                pass
            worker_healthy()
            await asyncio.sleep(every_seconds)

    # --- payment results ----------------------------------------------------------

    async def payment_result(self, result: PaymentResult, uow: UnitOfWork | None = None) -> Order:
        """Apply payment-service's news (from the RPC or a topic), once per reference."""
        async with self._payment_slots:
            if uow is not None:
                return await self._apply_result(uow, result)

            async def attempt() -> Order:
                async with self.unit_of_work() as own:
                    return await self._apply_result(own, result)

            return await retrying(attempt)

    async def _apply_result(self, uow: UnitOfWork, result: PaymentResult, vendor_state: str = "") -> Order:
        """`vendor_state` given: a deferred payment, applied again now that its vendor said."""
        order = await uow.orders.get(result.order_id, for_update=True)
        if order is None:
            raise NotFound(f"no order {result.order_id}", "ORDER_NOT_FOUND", {"orderId": result.order_id})
        if not vendor_state and not await uow.results.first_time(result.outcome, result.reference()):
            return order
        now = self.clock()
        if result.outcome == "failed":
            if order.status is OrderStatus.PENDING:  # the payer may try again on the same page
                order = replace(order, status_reason=f"PAYMENT_DECLINED: {result.reason}"[:200], update_time=now)
                await uow.orders.save(order)
            return order
        if result.outcome == "refunded":
            return await self._refunded(uow, order, result, now)
        decision = decide_payment(order)
        if decision.kind == "duplicate":
            log.warning("payment for an order already settled", order_id=order.id, status=order.status.value)
            return order
        if decision.kind == "paid":
            # The vendor sells first (ours is a no-op): tickets are issued only for seats it sold.
            state = vendor_state or await self._confirm_vendor(order)
            if state == "unknown":
                return await self._defer(uow, order, result, now)
            if state != "confirmed":
                return await self._refund_unissued(uow, order, result, now, "VENDOR_LOST_RESERVATION",
                                                   "the vendor no longer held the tickets")
            paid = self._issue(order, result, now)
            await uow.orders.save(paid)
            await uow.stage(TicketPaid(paid))
            await uow.inventory.confirm(order.session, order.tickets)  # the tier's hot row last, as in _hold
            log.info("order paid", order_id=paid.id)
            return paid
        # Late: the hold had run out (or the buyer cancelled) before the money arrived. A
        # vendor's reservation was released with it: its seats are not ours to take again
        # (unless the vendor had sold them already: a deferred payment it now confirms).
        tickets = tuple(replace(t, status=TicketStatus.HELD) for t in order.tickets)
        retakable = order.session.provider == OWN_PROVIDER or vendor_state == "confirmed"
        if retakable and await uow.inventory.retake(order.session, tickets):
            paid = self._issue(replace(order, tickets=tickets), result, now)
            await uow.orders.save(paid)
            await uow.stage(TicketPaid(paid, late=True))
            log.info("late payment: tickets issued again", order_id=paid.id)
            return paid
        amount = result.amount or order.amount
        refunded = replace(order, status=OrderStatus.REFUNDED, status_reason="LATE_PAYMENT_REFUNDED",
                           payment_id=result.payment_id, update_time=now)
        await uow.orders.save(refunded)
        await uow.request_refund(order.id, amount, "paid after the hold expired; seats taken meanwhile",
                                 f"late-{order.id}")
        await uow.stage(TicketRefunded(refunded, amount, True, "LATE_PAYMENT_REFUNDED"))
        log.warning("late payment: seats gone, refunding", order_id=order.id, amount=amount)
        return refunded

    def _issue(self, order: Order, result: PaymentResult, now: datetime) -> Order:
        tickets = tuple(replace(t, status=TicketStatus.VALID, secret=self.signer.sign(
            TicketClaim(t.id, order.id, order.session.event_slug, order.session.session_id)))
            for t in order.tickets)
        return replace(order, status=OrderStatus.PAID, tickets=tickets, payment_id=result.payment_id,
                       paid_time=now, update_time=now, status_reason="")

    async def _refund_unissued(self, uow: UnitOfWork, order: Order, result: PaymentResult, now: datetime,
                               reason: str, why: str) -> Order:
        """Paid, but no tickets can be issued: the places go back and the money is sent back."""
        amount = result.amount or order.amount
        await uow.inventory.release(order.session, [t for t in order.tickets if t.status in LIVE_TICKETS])
        refunded = replace(with_tickets(order, TicketStatus.VOID), status=OrderStatus.REFUNDED, status_reason=reason,
                           payment_id=result.payment_id, update_time=now)
        await uow.orders.save(refunded)
        await uow.request_refund(order.id, amount, why, f"{reason.lower()}-{order.id}")
        await uow.stage(TicketRefunded(refunded, amount, True, reason))
        log.warning("paid but not issued: refunding", order_id=order.id, reason=reason, amount=amount)
        return refunded

    async def _confirm_vendor(self, order: Order) -> str:
        """"confirmed" once the vendor has sold the order's tickets, "released" if it no
        longer holds them, "unknown" while it cannot say. A confirm without an answer is
        not guessed: the vendor is asked what became of the reservation (`status`), a few
        times, and the confirm sent again if it is still only reserved."""
        vendor = self.vendors.get(order.session.provider)
        if vendor is None:
            return "confirmed"
        try:
            await vendor.confirm(order.id)
            return "confirmed"
        except ReservationLost as exc:
            log.warning("vendor lost the reservation", order_id=order.id, error=str(exc))
            return "released"
        except Exception as exc:  # a timeout or an outage: the outcome there is unknown
            log.warning("vendor confirm unanswered; asking its status", order_id=order.id,
                        error=f"{type(exc).__name__}: {exc}")
        for poll in range(1, self.vendor_status_polls + 1):
            await asyncio.sleep(self.vendor_status_every.total_seconds())
            state = await self._vendor_state(vendor, order, confirm_reserved=True)
            if state != "unknown":
                log.info("vendor confirm reconciled", order_id=order.id, vendor_state=state, poll=poll)
                return state
        return "unknown"

    async def _vendor_state(self, vendor: TicketVendor, order: Order, *, confirm_reserved: bool) -> str:
        """The vendor's word on the reservation: "confirmed", "released" or "unknown"
        (no answer). Still only reserved: confirmed now (our confirm never reached it), or
        released when the order is no longer ours to sell."""
        try:
            state = await vendor.status(order.id)
            if state == "reserved":
                if confirm_reserved:
                    await vendor.confirm(order.id)
                    return "confirmed"
                await vendor.release(order.id)
                return "released"
        except ReservationLost:
            return "released"
        except Exception as exc:
            log.warning("vendor status unanswered", order_id=order.id, error=f"{type(exc).__name__}: {exc}")
            return "unknown"
        # "unknown" from the vendor itself means it has no such order: nothing was sold.
        return "confirmed" if state == "confirmed" else "released"

    async def _defer(self, uow: UnitOfWork, order: Order, result: PaymentResult, now: datetime) -> Order:
        """The vendor cannot say whether it sold: the payment waits, durably, for a worker
        to ask again (settle_vendor_confirmations); the order stays PENDING meanwhile."""
        if self.confirmations is None:
            raise Unavailable("the ticket vendor has not said whether it sold the tickets; the payment is "
                              "applied once it does", "VENDOR_CONFIRM_UNKNOWN", {"orderId": order.id})
        await self.confirmations.defer(order.id, asdict(result))
        waiting = replace(order, status_reason="VENDOR_CONFIRMING", update_time=now)
        await uow.orders.save(waiting)
        log.warning("vendor has not said whether it sold; the payment waits for it", order_id=order.id)
        return waiting

    async def settle_vendor_confirmations(self, batch: int = 20) -> int:
        """Deferred payments whose vendor now says: applied (PAID, or REFUNDED when the
        vendor lost the seats); still no word: asked again later, with backoff."""
        if self.confirmations is None:
            return 0
        settled = 0
        for deferred in await self.confirmations.due(self.clock(), batch):
            result = PaymentResult(**deferred.result)
            async with self.unit_of_work() as uow:
                order = await uow.orders.get(deferred.order_id)
            vendor = self.vendors.get(order.session.provider) if order is not None else None
            if order is None or vendor is None or order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
                await self.confirmations.done(deferred.order_id)
                continue
            state = await self._vendor_state(vendor, order, confirm_reserved=order.status is OrderStatus.PENDING)
            if state == "unknown":
                delay = min(300.0, 5.0 * 2 ** deferred.attempts)
                await self.confirmations.retry_later(order.id, "the vendor has not said",
                                                     self.clock() + timedelta(seconds=delay))
                continue

            async def attempt(result: PaymentResult = result, state: str = state) -> Order:
                async with self.unit_of_work() as uow:
                    return await self._apply_result(uow, result, vendor_state=state)

            settled_order = await retrying(attempt)
            await self.confirmations.done(order.id)
            log.info("deferred payment settled", order_id=order.id, vendor_state=state,
                     status=settled_order.status.value)
            settled += 1
        return settled

    async def run_vendor_confirmations(self, every_seconds: float = 2.0) -> None:
        """Worker: payments waiting for their vendor's word are settled once it speaks."""
        from services.runtime.supervision import worker_healthy

        while True:
            await self.settle_vendor_confirmations()
            worker_healthy()
            await asyncio.sleep(every_seconds)

    async def _refunded(self, uow: UnitOfWork, order: Order, result: PaymentResult, now: datetime) -> Order:
        refunded_amount = max(order.refunded_amount, result.refunded_amount or order.refunded_amount + result.amount)
        if order.status is OrderStatus.REFUNDED:  # the late-payment refund we asked for, now done
            order = replace(order, refunded_amount=refunded_amount, update_time=now)
            await uow.orders.save(order)
            return order
        full = result.full or refunded_amount >= order.amount
        if full:
            await uow.inventory.release(order.session, [t for t in order.tickets if t.status in LIVE_TICKETS])
            order = replace(with_tickets(order, TicketStatus.VOID), status=OrderStatus.REFUNDED,
                            refunded_amount=refunded_amount, update_time=now, status_reason=result.reason[:200])
        else:
            order = replace(order, refunded_amount=refunded_amount, update_time=now)
        await uow.orders.save(order)
        await uow.stage(TicketRefunded(order, result.amount, full, result.reason))
        return order

    # --- refunds ------------------------------------------------------------------

    async def refund_as_owner(self, user_id: str, order_id: str, reason: str) -> Order:
        order = await self.get(user_id, order_id)
        refundable_by_owner(order, self.clock(), self.refund_cutoff)
        await self.payments.refund(order.id, 0, reason or "buyer's refund", f"owner-{order.id}")
        return order

    async def refund_as_admin(self, order_id: str, amount: int, reason: str, admin_id: str) -> Order:
        async with self.unit_of_work() as uow:
            order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", "ORDER_NOT_FOUND", {"orderId": order_id})
        if order.status is not OrderStatus.PAID:
            raise order_conflict(order, "ORDER_NOT_PAID", "only a paid order can be refunded")
        if amount > order.amount - order.refunded_amount:
            raise InvalidArgument.on_field("amount", "more than what is left to refund", "REFUND_EXCEEDS_PAYMENT")
        key = f"admin-{order.id}-{amount}-{order.refunded_amount}"
        await self.payments.refund(order.id, amount, reason or f"refund by admin {admin_id}", key)
        return order

    async def run_refunds(self, send: Callable[[], Awaitable[int]], every_seconds: float = 2.0) -> None:
        """Worker: refunds asked for durably (late payments) go out until payment-service takes them."""
        from services.runtime.supervision import worker_healthy

        while True:
            await send()
            worker_healthy()
            await asyncio.sleep(every_seconds)

    # --- QR codes and check-in ------------------------------------------------------

    async def qr_png(self, user_id: str, order_id: str, ticket_id: str) -> bytes:
        order = await self.get(user_id, order_id)
        if order.status is not OrderStatus.PAID:
            raise order_conflict(order, "ORDER_NOT_PAID", "a QR code exists for a paid order only")
        ticket = next((t for t in order.tickets if t.id == ticket_id or not ticket_id), None)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id} in this order", "TICKET_NOT_FOUND", {"ticketId": ticket_id})
        return self.qr.png(ticket.secret)

    async def check_in(self, roles: frozenset[str], secret: str) -> CheckedIn:
        if not roles & STAFF_ROLES:
            raise PermissionDenied("check-in is for the staff role", "STAFF_REQUIRED")
        claim = self.signer.verify(secret)
        now = self.clock()

        async def attempt() -> CheckedIn:
            async with self.unit_of_work() as uow:
                found = await uow.orders.ticket(claim.ticket_id, for_update=True)
                if found is None or found[0].id != claim.order_id:
                    raise NotFound("no such ticket", "TICKET_NOT_FOUND", {"ticketId": claim.ticket_id})
                order, ticket = found
                if ticket.status is TicketStatus.USED:
                    raise Conflict(f"ticket already used at {ticket.checkin_time:%Y-%m-%d %H:%M:%S} UTC",
                                   "TICKET_ALREADY_USED", {"ticketId": ticket.id})
                if ticket.status is not TicketStatus.VALID:
                    raise Conflict("this ticket is void (refunded or never paid)", "TICKET_VOID",
                                   {"ticketId": ticket.id})
                used = replace(ticket, status=TicketStatus.USED, checkin_time=now)
                order = replace(order, tickets=tuple(used if t.id == used.id else t for t in order.tickets))
                await uow.orders.save(order)
            return CheckedIn(order, used)

        return await retrying(attempt)
