"""Composition root of ticketing-service."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import grpc

from kulturago.ticketing.v1 import ticketing_service_pb2, ticketing_service_pb2_grpc
from services.runtime.db import open_pool, require_schema
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker, worker_healthy
from services.ticketing.adapters.background import AvailabilityFeed, send_due_refunds
from services.ticketing.adapters.own_inventory import OwnInventory
from services.ticketing.adapters.payments_client import GrpcPayments
from services.ticketing.adapters.proto_mapping import order_to_proto
from services.ticketing.adapters.qr_codes import PngQrRenderer
from services.ticketing.adapters.ticket_signing import Ed25519TicketSigner
from services.ticketing.adapters.unit_of_work import TicketingUnitOfWork
from services.ticketing.adapters.vendors import KassirVendor, PostgresVendorOrderIds, TicketsCloudVendor, VendorCalls
from services.ticketing.adapters.vendors.confirmations import PostgresVendorConfirmations
from services.ticketing.config import TicketingSettings
from services.ticketing.entrypoints.grpc_api import TicketingServicer
from services.ticketing.entrypoints.kafka_handlers import PAYMENT_TOPICS, on_event_published, payment_handler
from services.ticketing.service_layer.ports import TicketVendor
from services.ticketing.service_layer.ticketing import OWN_PROVIDER, Ticketing

MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICE = ticketing_service_pb2.DESCRIPTOR.services_by_name["TicketingService"]

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(_SERVICE)


def vendor_calls(s: TicketingSettings, vendor: str) -> VendorCalls:
    return VendorCalls(vendor, timeout_seconds=s.vendor_timeout_seconds, attempts=s.vendor_attempts,
                       breaker_threshold=s.vendor_breaker_threshold,
                       breaker_reset_seconds=s.vendor_breaker_reset_seconds)


async def build_app(settings: TicketingSettings | None = None) -> ServiceApp:
    s = settings or TicketingSettings()
    await require_schema(s.database_url, MIGRATIONS)
    if not s.ticket_signing_key_file:
        raise SystemExit("KGO_TICKET_SIGNING_KEY_FILE is not set: tickets cannot be signed")
    pool = await open_pool(s.database_url, max_size=20)
    payments = GrpcPayments(s.payment_address, s.payment_timeout_seconds)
    ttl = timedelta(hours=s.idempotency_ttl_hours)

    def unit_of_work() -> TicketingUnitOfWork:
        return TicketingUnitOfWork(pool, ttl.total_seconds())

    # Who holds the inventory, by ticket_provider.
    vendors: dict[str, TicketVendor] = {OWN_PROVIDER: OwnInventory()}
    ticketscloud = kassir = None
    if s.ticketscloud_api_key:
        ticketscloud = TicketsCloudVendor(s.ticketscloud_base_url, s.ticketscloud_api_key,
                                          PostgresVendorOrderIds(pool), vendor_calls(s, "ticketscloud"))
        vendors["ticketscloud"] = ticketscloud
    if s.kassir_api_key:
        kassir = KassirVendor(s.kassir_base_url, s.kassir_api_key, vendor_calls(s, "kassir"))
        vendors["kassir"] = kassir
    ticketing = Ticketing(
        unit_of_work=unit_of_work, payments=payments, vendors=vendors,
        vendor_status_polls=s.vendor_status_polls,
        vendor_status_every=timedelta(seconds=s.vendor_status_every_seconds),
        confirmations=PostgresVendorConfirmations(pool),
        signer=Ed25519TicketSigner.from_file(s.ticket_signing_key_file), qr=PngQrRenderer(),
        hold=timedelta(seconds=s.hold_seconds), refund_cutoff=timedelta(hours=s.refund_cutoff_hours),
        idempotency_ttl=ttl, render_order=lambda order: order_to_proto(order).SerializeToString(deterministic=True))
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "ticketing-outbox")
    catalog = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id="ticketing-catalog",
                            topics=["event.published"], handler=on_event_published)
    # As many at once as Ticketing applies payment results (the others would hold a
    # pooled connection while they wait their turn).
    payment_news = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id="ticketing-payments",
                                 topics=list(PAYMENT_TOPICS), handler=payment_handler(
                                     ticketing,
                                     lambda conn: TicketingUnitOfWork(pool, ttl.total_seconds()).on_transaction(conn)),
                                 concurrency=ticketing.max_concurrent_payment_results)
    feed = AvailabilityFeed(pool)

    async def availability() -> None:
        while True:
            await feed.send_changes()
            worker_healthy()
            await asyncio.sleep(s.availability_every_seconds)

    def register(server: grpc.aio.Server) -> None:
        ticketing_service_pb2_grpc.add_TicketingServiceServicer_to_server(TicketingServicer(ticketing), server)

    async def close() -> None:
        await relay.close()
        await payments.close()
        for vendor in (ticketscloud, kassir):
            if vendor is not None:
                await vendor.close()
        await pool.close()

    return ServiceApp(settings=s, error_domain="ticketing.kulturago.ru", service_names=[_SERVICE.full_name],
                      register=register, policy=POLICY, workers=[
                          Worker("ticketing-outbox-relay", relay.run),
                          Worker("ticketing-catalog-consumer", catalog.run),
                          Worker("ticketing-payment-consumer", payment_news.run),
                          Worker("ticketing-hold-expiry", lambda: ticketing.run_expiry(s.expiry_every_seconds)),
                          Worker("ticketing-refunds", lambda: ticketing.run_refunds(
                              lambda: send_due_refunds(pool, payments))),
                          Worker("ticketing-availability-feed", availability, required=False),
                          Worker("ticketing-vendor-confirmations", lambda: ticketing.run_vendor_confirmations(
                              s.vendor_confirmations_every_seconds))],
                      shutdown=[close])
