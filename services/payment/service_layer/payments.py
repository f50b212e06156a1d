"""Use cases of ticketing's side: create a payment, read it, cancel it, refund it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from services.payment.domain import model
from services.payment.domain.model import NewPayment, Payment, Refund, RefundStatus
from services.payment.domain.notifications import MoneyReturned, money_returned
from services.payment.service_layer.ports import (
    Clock,
    PaymentProvider,
    ProviderRejected,
    ProviderUnavailable,
    Transaction,
    UnitOfWorkFactory,
    utc_now,
)
from services.runtime import errors
from services.runtime.logging import get_logger
from services.runtime.transactions import retrying

log = get_logger(__name__)


def _not_found(what: str) -> errors.NotFound:
    return errors.NotFound(f"no payment for {what}", "PAYMENT_NOT_FOUND")


def _unavailable(provider: str, exc: Exception, hint: str) -> errors.Unavailable:
    return errors.Unavailable(f"payment provider {provider} is unavailable ({exc}): {hint}", "PROVIDER_UNAVAILABLE",
                              {"provider": provider})


@dataclass
class Cashier:
    unit_of_work: UnitOfWorkFactory
    provider: PaymentProvider
    clock: Clock = field(default=utc_now)

    async def create(self, new: NewPayment, *, email: str = "") -> Payment:
        """The order's payment, created at the provider (see CreatePayment in the contract)."""
        async def add() -> Payment:
            async with self.unit_of_work() as uow:
                return await uow.payments.add(new.payment(str(uuid.uuid4()), self.provider.name, self.clock()))

        payment = await retrying(add)
        if not new.matches(payment):
            raise errors.AlreadyExists(
                f"order {new.order_id} already has a payment of {payment.amount} {payment.currency} "
                f"for account {payment.account_id}", "PAYMENT_MISMATCH", {"order_id": new.order_id})
        if payment.at_provider or payment.status is not model.PaymentStatus.PENDING:
            return payment
        # New, or an earlier call did not get through to the provider. The request id is
        # the payment's, so concurrent or repeated calls make one invoice there.
        try:
            invoice = await self.provider.create_invoice(payment, email=email, request_id=f"{payment.id}:create")
        except ProviderUnavailable as exc:
            raise _unavailable(self.provider.name, exc, "call again with the same order_id") from exc
        except ProviderRejected as exc:
            raise errors.FailedPrecondition(f"payment provider refused the payment: {exc}", "PROVIDER_REJECTED",
                                            {"provider": self.provider.name}) from exc

        async def attach() -> Payment:
            async with self.unit_of_work() as uow:
                current = await uow.payments.get(payment.id, for_update=True)
                assert current is not None, "payments are never deleted"
                if current.at_provider:
                    return current
                updated = model.attach_invoice(current, invoice, self.clock())
                await uow.payments.save(updated)
                return updated

        created = await retrying(attach)
        log.info("payment created", payment_id=created.id, order_id=created.order_id, amount=created.amount)
        return created

    async def get(self, *, payment_id: str = "", order_id: str = "") -> Payment:
        async with self.unit_of_work() as uow:
            payment = (await uow.payments.get(payment_id) if payment_id else await uow.payments.by_order(order_id))
        if payment is None:
            raise _not_found(f"id {payment_id}" if payment_id else f"order {order_id}")
        return payment

    async def cancel(self, order_id: str) -> Payment:
        """CANCELED unless paid; the provider's page is closed too (best effort: Check
        refuses a canceled payment whatever the page shows)."""
        async def cancel() -> tuple[Payment, bool]:
            async with self.unit_of_work() as uow:
                payment = await uow.payments.by_order(order_id, for_update=True)
                if payment is None:
                    raise _not_found(f"order {order_id}")
                canceled = model.cancel(payment, self.clock())
                if canceled is not payment:
                    await uow.payments.save(canceled)
                return canceled, canceled is not payment

        payment, changed = await retrying(cancel)
        if changed:
            log.info("payment canceled", payment_id=payment.id, order_id=order_id)
            if payment.provider_invoice_id:
                try:
                    await self.provider.cancel_invoice(payment.provider_invoice_id,
                                                       request_id=f"{payment.id}:cancel")
                except (ProviderUnavailable, ProviderRejected) as exc:
                    log.warning("could not close the provider's page of a canceled payment",
                                payment_id=payment.id, error=str(exc))
        return payment

    async def refund(self, order_id: str, *, amount: int, reason: str, idempotency_key: str) -> Payment:
        """Give back `amount` (0: all that is left) through the provider; one refund per key."""
        async def reserve() -> tuple[Payment, Refund]:
            async with self.unit_of_work() as uow:
                payment = await uow.payments.by_order(order_id, for_update=True)
                if payment is None:
                    raise _not_found(f"order {order_id}")
                refund = await uow.payments.refund(payment.id, idempotency_key)
                if refund is None:
                    reserved = await uow.payments.reserved(payment.id)
                    refund = Refund(str(uuid.uuid4()), payment.id, idempotency_key,
                                    model.refund_amount(payment, amount, reserved), reason,
                                    RefundStatus.REQUESTED, self.clock())
                    await uow.payments.add_refund(refund)
                elif amount and amount != refund.amount:
                    raise errors.AlreadyExists(
                        f"idempotency key {idempotency_key!r} was used for a refund of {refund.amount}",
                        "IDEMPOTENCY_KEY_REUSED", {"idempotency_key": idempotency_key})
                return payment, refund

        payment, refund = await retrying(reserve)
        if refund.status is RefundStatus.SUCCEEDED:
            return await self.get(payment_id=payment.id)
        if refund.status is RefundStatus.FAILED:
            raise errors.FailedPrecondition(f"payment provider refused the refund: {refund.failure}",
                                            "REFUND_REJECTED", {"idempotency_key": idempotency_key})
        try:
            transaction_id = await self.provider.refund(payment.transaction_id, refund.amount, request_id=refund.id)
        except ProviderUnavailable as exc:
            # The outcome is unknown: the refund stays reserved; the same key asks again
            # (the provider answers a repeated request id with the first outcome).
            raise _unavailable(self.provider.name, exc, "call again with the same idempotency_key") from exc
        except ProviderRejected as exc:
            failure = str(exc)
            await retrying(lambda: self._refused(refund, failure))
            raise errors.FailedPrecondition(f"payment provider refused the refund: {failure}", "REFUND_REJECTED",
                                            {"idempotency_key": idempotency_key}) from exc
        return await retrying(lambda: self._settle(refund, transaction_id))

    async def _refused(self, refund: Refund, failure: str) -> None:
        async with self.unit_of_work() as uow:
            await uow.payments.save_refund(replace(refund, status=RefundStatus.FAILED, failure=failure))

    async def _settle(self, refund: Refund, transaction_id: str) -> Payment:
        """Apply the refund's transaction, unless the provider's Refund notification did already."""
        async with self.unit_of_work() as uow:
            payment = await uow.payments.get(refund.payment_id, for_update=True)
            assert payment is not None, "payments are never deleted"
            now = self.clock()
            returned = MoneyReturned(payment.order_id, refund.amount, transaction_id, payment.transaction_id, now)
            outcome = money_returned(payment, returned, now, reason=refund.reason,
                                     idempotency_key=refund.idempotency_key)
            fresh = await uow.payments.record(Transaction(self.provider.name, "refund", transaction_id, payment.id,
                                                          refund.amount, outcome.note))
            if fresh:
                await uow.payments.save(outcome.payment)
                if outcome.event is not None:
                    await uow.stage(outcome.event)
                payment = outcome.payment
            await uow.payments.save_refund(replace(refund, status=RefundStatus.SUCCEEDED,
                                                   transaction_id=transaction_id))
        log.info("payment refunded", payment_id=payment.id, amount=refund.amount, transaction_id=transaction_id)
        return payment
