"""Typed settings read from the environment, one object per service.

Each service subclasses `ServiceSettings` with its own prefix-free fields; the
shared fields below have the same names in every service so that `kgo` (and a
Kubernetes manifest) configure them uniformly.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KGO_", extra="ignore")

    service_name: str = "service"
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    metrics_port: int = 0  # 0: no /metrics endpoint
    log_level: str = "INFO"
    grpc_reflection: bool = False  # lists every method to anyone who asks: development only
    shutdown_grace_seconds: float = 5.0
    worker_restart_max_seconds: float = 30.0  # cap of the backoff between restarts of a failed worker
    # Development only: a file <faults_dir>/<point> makes that fault point fail (services.runtime.faults).
    faults_dir: str = ""

    database_url: str = ""  # postgresql://user:pass@host:port/db
    redis_url: str = "redis://127.0.0.1:6379/0"
    kafka_bootstrap: str = "127.0.0.1:9092"
    messaging_retention_days: float = 7.0  # published outbox rows and inbox dedupe keys are kept this long

    # Access tokens are verified by every service (no trust in the caller).
    jwks_file: str = ""
    jwt_issuer: str = "https://auth.kulturago.local"
    jwt_audience: str = "kulturago-api"

    # Source networks treated as internal (admin writes); the gateway passes the
    # client address in x-forwarded-for.
    internal_cidrs: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    # Shared with the gateway, which sends it with the client address it saw; without it
    # (or with a wrong one) a client-address header is ignored.
    gateway_secret: str = ""

    otlp_endpoint: str = ""  # empty: traces are created (for log correlation) but not exported
    trace_sample_ratio: float = 0.1
