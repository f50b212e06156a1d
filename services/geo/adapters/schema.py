"""The geo database schema: migrations, applied by the service at start-up and by the
loaders (which may run before the service ever started)."""

from __future__ import annotations

from pathlib import Path

from services.runtime.db import migrate_sync

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def ensure_schema(database_url: str) -> None:
    migrate_sync(database_url, MIGRATIONS)
