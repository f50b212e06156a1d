"""Payments in PostgreSQL, on the connection of a unit of work."""

from __future__ import annotations

from typing import Any

from services.payment.domain.model import Payment, PaymentStatus, Refund, RefundStatus
from services.payment.service_layer.ports import Transaction
from services.runtime.unit_of_work import InTransaction

_PAYMENT_COLUMNS = ("id::text AS id, order_id, account_id, amount, refunded_amount, currency, description, provider, "
                    "status, provider_invoice_id, payment_url, transaction_id, failure_reason, late, create_time, "
                    "update_time")
_REFUND_COLUMNS = ("id::text AS id, payment_id::text AS payment_id, idempotency_key, amount, reason, status, "
                   "transaction_id, failure, create_time")


def _payment(row: dict[str, Any]) -> Payment:
    return Payment(**{**row, "status": PaymentStatus(row["status"])})


def _refund(row: dict[str, Any]) -> Refund:
    return Refund(**{**row, "status": RefundStatus(row["status"])})


class PostgresPayments:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def _one(self, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        row: dict[str, Any] | None = await (await self._tx.connection.execute(query, params)).fetchone()
        return row

    async def add(self, payment: Payment) -> Payment:
        # ON CONFLICT DO NOTHING waits for a concurrent insert of the same order to commit,
        # then the SELECT sees that row: one payment per order.
        await self._tx.connection.execute(
            "INSERT INTO payments (id, order_id, account_id, amount, currency, description, provider, status, "
            "create_time, update_time) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (order_id) DO NOTHING",
            (payment.id, payment.order_id, payment.account_id, payment.amount, payment.currency, payment.description,
             payment.provider, payment.status.value, payment.create_time, payment.update_time))
        stored = await self.by_order(payment.order_id)
        assert stored is not None
        return stored

    async def get(self, payment_id: str, *, for_update: bool = False) -> Payment | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._one(f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE id = %s{lock}", (payment_id,))
        return _payment(row) if row else None

    async def by_order(self, order_id: str, *, for_update: bool = False) -> Payment | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._one(f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE order_id = %s{lock}", (order_id,))
        return _payment(row) if row else None

    async def save(self, payment: Payment) -> None:
        await self._tx.connection.execute(
            "UPDATE payments SET status = %s, refunded_amount = %s, provider_invoice_id = %s, payment_url = %s, "
            "transaction_id = %s, failure_reason = %s, late = %s, update_time = %s WHERE id = %s",
            (payment.status.value, payment.refunded_amount, payment.provider_invoice_id, payment.payment_url,
             payment.transaction_id, payment.failure_reason, payment.late, payment.update_time, payment.id))

    async def recorded(self, provider: str, kind: str, transaction_id: str) -> bool:
        return await self._one(
            "SELECT 1 FROM payment_transactions WHERE provider = %s AND kind = %s AND transaction_id = %s",
            (provider, kind, transaction_id)) is not None

    async def record(self, transaction: Transaction) -> bool:
        row = await self._one(
            "INSERT INTO payment_transactions (provider, kind, transaction_id, payment_id, amount, note) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (transaction.provider, transaction.kind, transaction.transaction_id, transaction.payment_id,
             transaction.amount, transaction.note))
        return row is not None

    async def add_refund(self, refund: Refund) -> None:
        await self._tx.connection.execute(
            "INSERT INTO refunds (id, payment_id, idempotency_key, amount, reason, status, create_time, update_time) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (refund.id, refund.payment_id, refund.idempotency_key, refund.amount, refund.reason, refund.status.value,
             refund.create_time, refund.create_time))

    async def refund(self, payment_id: str, idempotency_key: str, *, for_update: bool = False) -> Refund | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._one(f"SELECT {_REFUND_COLUMNS} FROM refunds WHERE payment_id = %s AND idempotency_key = %s"
                              f"{lock}", (payment_id, idempotency_key))
        return _refund(row) if row else None

    async def requested_refund(self, payment_id: str, amount: int) -> Refund | None:
        row = await self._one(
            f"SELECT {_REFUND_COLUMNS} FROM refunds WHERE payment_id = %s AND amount = %s AND status = 'requested' "
            "ORDER BY create_time, id LIMIT 1", (payment_id, amount))
        return _refund(row) if row else None

    async def reserved(self, payment_id: str) -> int:
        row = await self._one("SELECT coalesce(sum(amount), 0)::bigint AS reserved FROM refunds "
                              "WHERE payment_id = %s AND status = 'requested'", (payment_id,))
        return int(row["reserved"]) if row else 0

    async def save_refund(self, refund: Refund) -> None:
        await self._tx.connection.execute(
            "UPDATE refunds SET status = %s, transaction_id = %s, failure = %s, update_time = now() WHERE id = %s",
            (refund.status.value, refund.transaction_id, refund.failure, refund.id))
