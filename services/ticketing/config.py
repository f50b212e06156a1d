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
