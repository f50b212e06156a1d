"""The sandbox's settings, from the environment (kgo/platform.py sets them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"KGO_KASSIR_{name}", default)


@dataclass(frozen=True)
class SandboxSettings:
    api_key: str = field(default_factory=lambda: _env("API_KEY"))
    host: str = field(default_factory=lambda: _env("SANDBOX_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("SANDBOX_PORT", "17580")))
    state_file: Path = field(default_factory=lambda: Path(_env("SANDBOX_STATE", ".dev/state/kassir.sqlite3")))
    # Seed the demo city's Kassir-backed sessions (kgo/demo_city/sellable.py) at start.
    seed_demo: bool = field(default_factory=lambda: _env("SANDBOX_SEED_DEMO", "true") == "true")

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"
