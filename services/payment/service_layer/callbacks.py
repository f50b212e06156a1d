"""Use case of the provider's side: its notifications (Check, Pay, Fail, Refund)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.payment.domain import model
from services.payment.domain.events import PaymentEvent, PaymentSucceeded
from services.payment.domain.model import RefundStatus, Verdict
from services.payment.domain.notifications import (
    TRANSACTION_KINDS,
    CheckRequested,
    MoneyReturned,
    Notification,
    Outcome,
    PaymentDeclined,
    PaymentTaken,
    money_returned,
    payment_declined,
    payment_taken,
)
from services.payment.service_layer.ports import (
    Clock,
    Conflict,
    NotificationCodec,
    OrderOwner,
    Transaction,
    UnitOfWork,
    UnitOfWorkFactory,
    utc_now,
)
from services.runtime import errors
from services.runtime.logging import get_logger
from services.runtime.transactions import retrying

log = get_logger(__name__)


@dataclass
class ProviderCallbacks:
    unit_of_work: UnitOfWorkFactory
    codecs: Mapping[str, NotificationCodec]  # by provider name, as in the callback's path
    clock: Clock = field(default=utc_now)
    # Told of a success once it is committed (ticketing's fast path; the outbox event is
    # the durable path). Without it the buyer waits for payment.succeeded through Kafka.
    order_owner: OrderOwner | None = None

    async def handle(self, provider: str, kind: str, body: bytes, signature: str | None) -> tuple[str, bytes]:
        """The reply to one notification: (content type, body). The signature is checked
        by the codec before the body is read at all."""
        codec = self.codecs.get(provider)
        if codec is None:
            raise errors.NotFound(f"unknown payment provider {provider!r}", "PROVIDER_UNKNOWN")
        notification = codec.decode(kind, body, signature)
        verdict, event = await retrying(lambda: self._apply(provider, notification))
        if isinstance(event, PaymentSucceeded) and self.order_owner is not None:
            self.order_owner.payment_succeeded(event)  # committed: no need to wait for Kafka
        return codec.answer(verdict)

    async def _apply(self, provider: str, notification: Notification) -> tuple[Verdict, PaymentEvent | None]:
        """The verdict, and the event staged with the change (None when nothing changed)."""
        async with self.unit_of_work() as uow:
            payment = await uow.payments.by_order(notification.order_id,
                                                  for_update=not isinstance(notification, CheckRequested))
            if isinstance(notification, CheckRequested):
                verdict = model.check(payment, account_id=notification.account_id, amount=notification.amount,
                                      currency=notification.currency)
                log.info("payment check", order_id=notification.order_id, verdict=verdict.value,
                         transaction_id=notification.transaction_id)
                return verdict, None
            if payment is None:
                # Check refuses unknown invoices, so the provider skipped it: say so loudly;
                # the provider keeps repeating the notification until someone looks.
                log.error("notification for an unknown invoice", provider=provider, order_id=notification.order_id,
                          kind=TRANSACTION_KINDS[type(notification)], transaction_id=notification.transaction_id)
                return Verdict.UNKNOWN_INVOICE, None
            kind = TRANSACTION_KINDS[type(notification)]
            if await uow.payments.recorded(provider, kind, notification.transaction_id):
                # Under the payment's row lock: a repeat waits for the first, then finds it here.
                log.info("notification repeated; already applied", order_id=payment.order_id, kind=kind,
                         transaction_id=notification.transaction_id)
                return Verdict.ACCEPT, None
            now = self.clock()
            outcome: Outcome
            if isinstance(notification, PaymentTaken):
                outcome = payment_taken(payment, notification, now)
            elif isinstance(notification, PaymentDeclined):
                outcome = payment_declined(payment, notification, now)
            else:
                outcome = await self._returned(uow, payment, notification, now)
            if not await uow.payments.record(Transaction(provider, kind, notification.transaction_id, payment.id,
                                                         notification.amount, outcome.note)):
                raise Conflict(f"transaction {notification.transaction_id} recorded concurrently")
            if outcome.payment != payment:
                await uow.payments.save(outcome.payment)
            if outcome.event is not None:
                await uow.stage(outcome.event)
            if outcome.note:
                log.error("notification recorded without its usual effect", order_id=payment.order_id,
                          transaction_id=notification.transaction_id, note=outcome.note)
            log.info("notification applied", order_id=payment.order_id, kind=kind,
                     status=str(outcome.payment.status), transaction_id=notification.transaction_id)
            return Verdict.ACCEPT, outcome.event

    async def _returned(self, uow: UnitOfWork, payment: model.Payment, returned: MoneyReturned,
                        now: datetime) -> Outcome:
        """A refund: ours (asked through RefundPayment, its answer maybe not back yet) or
        one made at the provider directly."""
        refund = await uow.payments.requested_refund(payment.id, returned.amount)
        if refund is None:
            return money_returned(payment, returned, now)
        await uow.payments.save_refund(replace(refund, status=RefundStatus.SUCCEEDED,
                                               transaction_id=returned.transaction_id))
        return money_returned(payment, returned, now, reason=refund.reason, idempotency_key=refund.idempotency_key)
