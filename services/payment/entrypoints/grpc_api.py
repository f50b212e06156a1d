"""gRPC servicer of PaymentService: protobuf <-> use cases."""

from __future__ import annotations

import grpc
from google.api import httpbody_pb2

from kulturago.payment.v1 import payment_service_pb2 as pb
from kulturago.payment.v1 import payment_service_pb2_grpc as pb_grpc
from services.payment.adapters.proto_mapping import to_proto
from services.payment.domain.model import NewPayment
from services.payment.service_layer.callbacks import ProviderCallbacks
from services.payment.service_layer.payments import Cashier

# The header CloudPayments signs its notifications with; the gateway passes HTTP headers
# on as gRPC metadata (lowercase).
SIGNATURE_HEADER = "content-hmac"


def _metadata(context: grpc.aio.ServicerContext, key: str) -> str | None:
    for name, value in context.invocation_metadata() or ():
        if name == key:
            return value if isinstance(value, str) else value.decode("latin-1")
    return None


class PaymentServicer(pb_grpc.PaymentServiceServicer):
    def __init__(self, cashier: Cashier, callbacks: ProviderCallbacks) -> None:
        self._cashier = cashier
        self._callbacks = callbacks

    async def CreatePayment(self, request: pb.CreatePaymentRequest, context: grpc.aio.ServicerContext) -> pb.Payment:
        new = NewPayment(order_id=request.order_id, account_id=request.account_id, amount=request.amount,
                         currency=request.currency, description=request.description)
        return to_proto(await self._cashier.create(new, email=request.email))

    async def GetPayment(self, request: pb.GetPaymentRequest, context: grpc.aio.ServicerContext) -> pb.Payment:
        return to_proto(await self._cashier.get(payment_id=request.payment_id, order_id=request.order_id))

    async def CancelPayment(self, request: pb.CancelPaymentRequest, context: grpc.aio.ServicerContext) -> pb.Payment:
        return to_proto(await self._cashier.cancel(request.order_id))

    async def RefundPayment(self, request: pb.RefundPaymentRequest, context: grpc.aio.ServicerContext) -> pb.Payment:
        return to_proto(await self._cashier.refund(request.order_id, amount=request.amount, reason=request.reason,
                                                   idempotency_key=request.idempotency_key))

    async def HandleProviderCallback(self, request: pb.HandleProviderCallbackRequest,
                                     context: grpc.aio.ServicerContext) -> httpbody_pb2.HttpBody:
        content_type, body = await self._callbacks.handle(request.provider, request.notification, request.body.data,
                                                          _metadata(context, SIGNATURE_HEADER))
        return httpbody_pb2.HttpBody(content_type=content_type, data=body)
