"""gRPC servicer of TicketingService: protobuf <-> use cases."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from google.api import httpbody_pb2

from kulturago.ticketing.v1 import ticketing_service_pb2 as pb
from kulturago.ticketing.v1 import ticketing_service_pb2_grpc as pb_grpc
from services.runtime.errors import InvalidArgument
from services.runtime.logging import get_logger
from services.runtime.rpc import current_principal
from services.ticketing.adapters.proto_mapping import order_to_proto, ticket_to_proto
from services.ticketing.domain.model import Selection
from services.ticketing.service_layer.ticketing import PaymentResult, PurchaseRequest, Ticketing

log = get_logger(__name__)

IDEMPOTENCY_HEADER = "idempotency-key"
DEFAULT_PAGE_SIZE = 20
_OUTCOMES = {pb.PAYMENT_OUTCOME_SUCCEEDED: "succeeded", pb.PAYMENT_OUTCOME_FAILED: "failed",
             pb.PAYMENT_OUTCOME_REFUNDED: "refunded"}


def idempotency_key(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == IDEMPOTENCY_HEADER:
            text = str(value).strip()
            if not 1 <= len(text) <= 200 or not text.isprintable():
                raise InvalidArgument.on_field("Idempotency-Key", "1..200 printable characters")
            return text
    return ""


class TicketingServicer(pb_grpc.TicketingServiceServicer):
    def __init__(self, ticketing: Ticketing) -> None:
        self._ticketing = ticketing

    async def PurchaseTickets(self, request: pb.PurchaseTicketsRequest,
                              context: grpc.aio.ServicerContext) -> pb.Order:
        purchase = PurchaseRequest(
            user_id=current_principal().user_id, event_slug=request.event_slug, session_id=request.session_id,
            selection=Selection(items=tuple((i.tier_id, i.quantity) for i in request.items),
                                seats=tuple(request.seats)),
            idempotency_key=idempotency_key(context))
        reply = await self._ticketing.purchase(purchase)
        return pb.Order.FromString(reply) if isinstance(reply, bytes) else order_to_proto(reply)

    async def GetOrder(self, request: pb.GetOrderRequest, context: grpc.aio.ServicerContext) -> pb.Order:
        return order_to_proto(await self._ticketing.get(current_principal().user_id, request.id))

    async def ListOrders(self, request: pb.ListOrdersRequest,
                         context: grpc.aio.ServicerContext) -> pb.ListOrdersResponse:
        orders, token = await self._ticketing.list(current_principal().user_id,
                                                   request.page_size or DEFAULT_PAGE_SIZE, request.page_token)
        return pb.ListOrdersResponse(orders=[order_to_proto(o) for o in orders], next_page_token=token)

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: grpc.aio.ServicerContext) -> pb.Order:
        return order_to_proto(await self._ticketing.cancel(current_principal().user_id, request.order_id))

    async def RefundOrder(self, request: pb.RefundOrderRequest, context: grpc.aio.ServicerContext) -> pb.Order:
        return order_to_proto(await self._ticketing.refund_as_owner(current_principal().user_id, request.id,
                                                                    request.reason))

    async def RefundOrderAsAdmin(self, request: pb.RefundOrderAsAdminRequest,
                                 context: grpc.aio.ServicerContext) -> pb.Order:
        return order_to_proto(await self._ticketing.refund_as_admin(request.id, request.amount, request.reason,
                                                                    current_principal().user_id))

    async def GetTicketQr(self, request: pb.GetTicketQrRequest,
                          context: grpc.aio.ServicerContext) -> httpbody_pb2.HttpBody:
        png = await self._ticketing.qr_png(current_principal().user_id, request.id, request.ticket_id)
        # The secret admits someone: never kept by a shared cache.
        await context.send_initial_metadata((("cache-control", "private, no-store"),))
        return httpbody_pb2.HttpBody(content_type="image/png", data=png)

    async def ListTicketKeys(self, request: pb.ListTicketKeysRequest,
                             context: grpc.aio.ServicerContext) -> pb.ListTicketKeysResponse:
        return pb.ListTicketKeysResponse(keys=[pb.TicketKey(**k) for k in self._ticketing.signer.public_keys()])

    async def CheckIn(self, request: pb.CheckInRequest, context: grpc.aio.ServicerContext) -> pb.CheckInResponse:
        done = await self._ticketing.check_in(current_principal().roles, request.secret)
        t = ticket_to_proto(done.ticket, paid=False)
        return pb.CheckInResponse(ticket_id=t.id, order_id=done.order.id, event_slug=done.order.session.event_slug,
                                  session_id=done.order.session.session_id, tier_name=t.tier_name, seat=t.seat,
                                  checkin_time=t.checkin_time)

    async def HandlePaymentResult(self, request: pb.HandlePaymentResultRequest,
                                  context: grpc.aio.ServicerContext) -> pb.Order:
        result = PaymentResult(
            payment_id=request.payment_id, order_id=request.order_id, outcome=_OUTCOMES[request.outcome],
            amount=request.amount, transaction_id=request.transaction_id, late=request.late,
            refunded_amount=request.refunded_amount, full=request.full, reason=request.reason)
        # Once begun, the news is applied to the end even when the caller stops waiting
        # (payment-service's fast path gives up after its deadline): cancelled halfway, a
        # vendor's confirm already sent would be rolled back here, and the cancellation
        # would count as a failure of the vendor towards its circuit breaker.
        work = asyncio.ensure_future(self._ticketing.payment_result(result))
        work.add_done_callback(_log_if_unawaited_failure)
        return order_to_proto(await asyncio.shield(work))


def _log_if_unawaited_failure(work: asyncio.Future[Any]) -> None:
    if not work.cancelled() and (error := work.exception()) is not None:
        log.info("payment result not applied", error=f"{type(error).__name__}: {error}")
