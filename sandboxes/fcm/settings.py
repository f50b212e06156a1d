"""The sandbox's settings, from the environment (kgo/platform.py sets them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"KGO_FCM_{name}", default)


@dataclass(frozen=True)
class SandboxSettings:
    service_account_file: str = field(default_factory=lambda: _env("SERVICE_ACCOUNT_FILE"))
    host: str = field(default_factory=lambda: _env("SANDBOX_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("SANDBOX_PORT", "17592")))
    state_file: Path = field(default_factory=lambda: Path(_env("SANDBOX_STATE", ".dev/state/fcm.sqlite3")))
    access_token_seconds: int = field(default_factory=lambda: int(_env("SANDBOX_ACCESS_TOKEN_SECONDS", "3599")))
