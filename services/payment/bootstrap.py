"""Composition root of payment-service."""

from __future__ import annotations

from pathlib import Path

import grpc

from kulturago.payment.v1 import payment_service_pb2, payment_service_pb2_grpc
from services.payment.adapters.cloudpayments.api import NAME as CLOUDPAYMENTS
from services.payment.adapters.cloudpayments.api import CloudPaymentsApi
from services.payment.adapters.cloudpayments.notifications import CloudPaymentsNotifications
from services.payment.adapters.ticketing_client import GrpcTicketing
from services.payment.adapters.unit_of_work import PaymentUnitOfWork
from services.payment.config import PaymentSettings
from services.payment.entrypoints.grpc_api import PaymentServicer
from services.payment.service_layer.callbacks import ProviderCallbacks
from services.payment.service_layer.payments import Cashier
from services.runtime.db import open_pool, require_schema
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker

MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICE = payment_service_pb2.DESCRIPTOR.services_by_name["PaymentService"]

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(_SERVICE)


async def build_app(settings: PaymentSettings | None = None) -> ServiceApp:
    s = settings or PaymentSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)

    def unit_of_work() -> PaymentUnitOfWork:
        return PaymentUnitOfWork(pool)

    api = CloudPaymentsApi(s.cloudpayments_base_url, s.cloudpayments_public_id, s.cloudpayments_api_secret,
                           timeout_seconds=s.cloudpayments_timeout_seconds, attempts=s.cloudpayments_attempts,
                           breaker_threshold=s.cloudpayments_breaker_threshold,
                           breaker_reset_seconds=s.cloudpayments_breaker_reset_seconds)
    cashier = Cashier(unit_of_work, api)
    ticketing = GrpcTicketing(s.ticketing_address, s.ticketing_timeout_seconds) if s.ticketing_address else None
    callbacks = ProviderCallbacks(unit_of_work, {CLOUDPAYMENTS: CloudPaymentsNotifications(s.cloudpayments_api_secret)},
                                  order_owner=ticketing)
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "payment-outbox")

    def register(server: grpc.aio.Server) -> None:
        payment_service_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentServicer(cashier, callbacks), server)

    async def close() -> None:
        await relay.close()
        await api.close()
        if ticketing is not None:
            await ticketing.close()
        await pool.close()

    return ServiceApp(settings=s, error_domain="payment.kulturago.ru", service_names=[_SERVICE.full_name],
                      register=register, policy=POLICY, workers=[Worker("payment-outbox-relay", relay.run)],
                      shutdown=[close])
