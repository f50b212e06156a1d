"""ticketing-service told of a payment's success over gRPC (its INTERNAL
HandlePaymentResult) right after the commit, so the buyer's order turns PAID without
waiting for payment.succeeded to travel through the relay, Kafka and ticketing's
consumer (~1 s under load). Best effort and bounded: each call runs in the background
with a deadline, at most `max_in_flight` at once (beyond that the news is left to
Kafka), and a failure is only logged and counted. payment.succeeded in the outbox stays
the durable path; ticketing applies a payment once, whichever way comes first."""

from __future__ import annotations

import asyncio
import contextlib

import grpc
from prometheus_client import Counter

from kulturago.ticketing.v1 import ticketing_service_pb2 as ticketing
from kulturago.ticketing.v1 import ticketing_service_pb2_grpc as ticketing_grpc
from services.payment.domain.events import PaymentSucceeded
from services.runtime.logging import get_logger

log = get_logger(__name__)

FAST_PATH = Counter("payment_fast_path_calls_total",
                    "Successes told to ticketing at once (HandlePaymentResult), by outcome", ["outcome"])


class GrpcTicketing:
    def __init__(self, address: str, timeout_seconds: float = 2.0, max_in_flight: int = 64) -> None:
        self._channel = grpc.aio.insecure_channel(address)
        self._stub = ticketing_grpc.TicketingServiceStub(self._channel)
        self._timeout = timeout_seconds
        self._max_in_flight = max_in_flight
        self._in_flight: set[asyncio.Task[None]] = set()

    def payment_succeeded(self, event: PaymentSucceeded) -> None:
        if len(self._in_flight) >= self._max_in_flight:
            FAST_PATH.labels("skipped").inc()  # ticketing is slow: Kafka brings it
            return
        p = event.payment
        request = ticketing.HandlePaymentResultRequest(
            payment_id=p.id, order_id=p.order_id, outcome=ticketing.PAYMENT_OUTCOME_SUCCEEDED, amount=p.amount,
            transaction_id=p.transaction_id, late=event.late)
        task = asyncio.get_running_loop().create_task(self._send(request))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _send(self, request: ticketing.HandlePaymentResultRequest) -> None:
        try:
            await self._stub.HandlePaymentResult(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            FAST_PATH.labels(error.code().name.lower()).inc()
            log.info("ticketing not told of the payment at once; payment.succeeded will tell it",
                     order_id=request.order_id, payment_id=request.payment_id, code=error.code().name,
                     error=error.details())
            return
        except Exception as exc:  # best effort: nothing may escape a background task unseen
            FAST_PATH.labels("error").inc()
            log.warning("telling ticketing of the payment failed; payment.succeeded will tell it",
                        order_id=request.order_id, error=f"{type(exc).__name__}: {exc}")
            return
        FAST_PATH.labels("ok").inc()

    async def close(self) -> None:
        if self._in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*self._in_flight, return_exceptions=True), self._timeout)
        await self._channel.close()
