"""ticketing-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.settings import ServiceSettings


class TicketingSettings(ServiceSettings):
    service_name: str = "ticketing"
    hold_seconds: int = 15 * 60  # how long a pending order keeps its tickets
    expiry_every_seconds: float = 1.0  # how often the expiry worker looks for holds that ran out
    refund_cutoff_hours: float = 24.0  # owners may refund until this long before the session
    idempotency_ttl_hours: float = 24.0  # how long an Idempotency-Key's reply is kept
    payment_address: str = "127.0.0.1:17060"  # payment-service (gRPC)
    payment_timeout_seconds: float = 5.0
    ticket_signing_key_file: str = ""  # Ed25519 PEM (kgo/provision.py makes it locally)
    availability_every_seconds: float = 2.0  # how often changed stock goes out on ticket.availability
    # Ticket vendors (adapters/vendors; their sandboxes locally: `kgo up` sets these from
    # .dev/secrets). A vendor without an API key is not sold through (NOT_SOLD_HERE).
    ticketscloud_base_url: str = "https://ticketscloud.com"
    ticketscloud_api_key: str = ""
    kassir_base_url: str = ""  # the partner API we model (adapters/vendors/kassir.py); given by Kassir
    kassir_api_key: str = ""
    vendor_timeout_seconds: float = 3.0  # per call
    vendor_attempts: int = 3  # per call, for the calls safe to repeat (reads, releases, Kassir's reserve)
    vendor_breaker_threshold: int = 5  # consecutive failures that open a vendor's circuit
    vendor_breaker_reset_seconds: float = 30.0  # then one trial call is let through
    # A confirm without an answer: ask the vendor's status this many times while the payment
    # is being applied (its transaction waits), then leave it to the worker below.
    vendor_status_polls: int = 3
    vendor_status_every_seconds: float = 0.5
    vendor_confirmations_every_seconds: float = 2.0  # then the payment waits; a worker asks again this often
