"""payment-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.settings import ServiceSettings


class PaymentSettings(ServiceSettings):
    service_name: str = "payment"
    # CloudPayments' API (the sandbox's locally: `kgo up` sets these from .dev/secrets).
    cloudpayments_base_url: str = "https://api.cloudpayments.ru"
    cloudpayments_public_id: str = ""
    cloudpayments_api_secret: str = ""  # also the key of the notifications' Content-HMAC
    cloudpayments_timeout_seconds: float = 5.0  # per attempt
    cloudpayments_attempts: int = 3  # per call, with backoff (requests carry X-Request-ID: retries are safe)
    cloudpayments_breaker_threshold: int = 5  # consecutive failures that open the circuit
    cloudpayments_breaker_reset_seconds: float = 30.0  # then one trial call is let through
    # ticketing-service (gRPC), told of a success at once (HandlePaymentResult) beside
    # payment.succeeded; "" leaves it to Kafka alone.
    ticketing_address: str = ""
    ticketing_timeout_seconds: float = 2.0
