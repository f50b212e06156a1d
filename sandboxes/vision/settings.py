"""The sandbox's settings, from the environment (kgo/platform.py sets them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"KGO_VISION_{name}", default)


@dataclass(frozen=True)
class SandboxSettings:
    api_key: str = field(default_factory=lambda: _env("API_KEY"))
    host: str = field(default_factory=lambda: _env("SANDBOX_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("SANDBOX_PORT", "17594")))
