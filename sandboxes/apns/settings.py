"""The sandbox's settings, from the environment (kgo/platform.py sets them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"KGO_APNS_{name}", default)


@dataclass(frozen=True)
class SandboxSettings:
    auth_key_file: str = field(default_factory=lambda: _env("AUTH_KEY_FILE"))
    key_id: str = field(default_factory=lambda: _env("KEY_ID"))
    team_id: str = field(default_factory=lambda: _env("TEAM_ID"))
    topic: str = field(default_factory=lambda: _env("TOPIC", "ru.kulturago.app"))
    host: str = field(default_factory=lambda: _env("SANDBOX_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("SANDBOX_PORT", "17593")))
    tls_cert: str = field(default_factory=lambda: _env("SANDBOX_TLS_CERT"))
    tls_key: str = field(default_factory=lambda: _env("SANDBOX_TLS_KEY"))
    state_file: Path = field(default_factory=lambda: Path(_env("SANDBOX_STATE", ".dev/state/apns.sqlite3")))
