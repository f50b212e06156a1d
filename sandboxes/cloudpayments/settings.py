"""The sandbox's settings, from the environment (kgo/platform.py sets them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"KGO_CLOUDPAYMENTS_{name}", default)


@dataclass(frozen=True)
class SandboxSettings:
    public_id: str = field(default_factory=lambda: _env("PUBLIC_ID"))
    api_secret: str = field(default_factory=lambda: _env("API_SECRET"))
    host: str = field(default_factory=lambda: _env("SANDBOX_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("SANDBOX_PORT", "17560")))
    # Where Check, Pay, Fail and Refund go; `?notification=<kind>` is appended (at
    # CloudPayments each kind is configured with a URL of its own).
    notify_url: str = field(default_factory=lambda: _env(
        "NOTIFY_URL", "http://127.0.0.1:8080/api/v1/payments/callback/cloudpayments"))
    state_file: Path = field(default_factory=lambda: Path(_env("SANDBOX_STATE", ".dev/state/cloudpayments.sqlite3")))
    notify_timeout_seconds: float = field(default_factory=lambda: float(_env("NOTIFY_TIMEOUT_SECONDS", "10")))
    # Undelivered notifications are retried with exponential backoff, then given up (logged).
    retry_initial_seconds: float = field(default_factory=lambda: float(_env("RETRY_INITIAL_SECONDS", "1")))
    retry_max_seconds: float = field(default_factory=lambda: float(_env("RETRY_MAX_SECONDS", "60")))
    retry_attempts: int = field(default_factory=lambda: int(_env("RETRY_ATTEMPTS", "12")))

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"
