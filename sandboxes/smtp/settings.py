"""The sink's settings, from the environment (kgo/platform.py sets them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"KGO_SMTP_{name}", default)


@dataclass(frozen=True)
class SandboxSettings:
    host: str = field(default_factory=lambda: _env("SANDBOX_HOST", "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: int(_env("PORT", "17591")))
    api_port: int = field(default_factory=lambda: int(_env("SANDBOX_PORT", "17590")))
    # Both set: AUTH is required before MAIL. Either empty: anyone may send.
    username: str = field(default_factory=lambda: _env("USERNAME"))
    password: str = field(default_factory=lambda: _env("PASSWORD"))
    # Both set: STARTTLS is offered, and AUTH only after it.
    tls_cert: str = field(default_factory=lambda: _env("SANDBOX_TLS_CERT"))
    tls_key: str = field(default_factory=lambda: _env("SANDBOX_TLS_KEY"))
    state_file: Path = field(default_factory=lambda: Path(_env("SANDBOX_STATE", ".dev/state/smtp.sqlite3")))
    max_message_bytes: int = field(default_factory=lambda: int(_env("SANDBOX_MAX_MESSAGE_BYTES", str(32 << 20))))
