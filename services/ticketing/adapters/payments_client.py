"""payment-service over gRPC (its INTERNAL methods), with a deadline on every call. An
answer that does not come in time, or a service that is down, is Unavailable: the
caller releases what it held and says 503."""

from __future__ import annotations

import grpc

from kulturago.payment.v1 import payment_service_pb2 as pay
from kulturago.payment.v1 import payment_service_pb2_grpc as pay_grpc
from services.runtime.errors import Conflict, Unavailable
from services.ticketing.domain.model import Order
from services.ticketing.service_layer.ports import PaymentRef

_DOWN = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED})


def _reason(error: grpc.aio.AioRpcError) -> str:
    from google.rpc import error_details_pb2, status_pb2

    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return str(info.reason)
    return error.code().name


class GrpcPayments:
    def __init__(self, address: str, timeout_seconds: float) -> None:
        self._channel = grpc.aio.insecure_channel(address)
        self._stub = pay_grpc.PaymentServiceStub(self._channel)
        self._timeout = timeout_seconds

    async def close(self) -> None:
        await self._channel.close()

    def _failed(self, what: str, error: grpc.aio.AioRpcError) -> Exception:
        if error.code() in _DOWN:
            return Unavailable(f"payments are unavailable ({what}: {error.code().name})", "PAYMENT_UNAVAILABLE")
        if error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS):
            reason = _reason(error)
            return Conflict(f"payment-service refused to {what}: {error.details()}", reason)
        return Unavailable(f"payments failed ({what}: {error.code().name}: {error.details()})", "PAYMENT_FAILED")

    async def create(self, order: Order, description: str) -> PaymentRef:
        try:
            payment = await self._stub.CreatePayment(pay.CreatePaymentRequest(
                order_id=order.id, amount=order.amount, currency=order.currency, description=description[:500],
                account_id=order.user_id), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            raise self._failed("create the payment", error) from error
        if not payment.payment_url:
            raise Unavailable("the payment provider has not created the payment page", "PAYMENT_UNAVAILABLE")
        return PaymentRef(payment.id, payment.payment_url)

    async def cancel(self, order_id: str) -> None:
        try:
            await self._stub.CancelPayment(pay.CancelPaymentRequest(order_id=order_id), timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return  # never created: nothing to cancel
            raise self._failed("cancel the payment", error) from error

    async def refund(self, order_id: str, amount: int, reason: str, idempotency_key: str) -> None:
        try:
            await self._stub.RefundPayment(pay.RefundPaymentRequest(
                order_id=order_id, amount=amount, reason=reason[:500], idempotency_key=idempotency_key),
                timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            raise self._failed("refund", error) from error
