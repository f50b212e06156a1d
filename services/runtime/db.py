"""PostgreSQL: an async connection pool per service and per-service migrations (yoyo).

Each service owns one database; its migrations live in `<service>/migrations/` and
run at start-up after the runtime's own (outbox, inbox).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from yoyo import get_backend, read_migrations

RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"


def _yoyo_url(database_url: str) -> str:
    return database_url.replace("postgresql://", "postgresql+psycopg://", 1)


def migrate_sync(database_url: str, *dirs: Path) -> list[str]:
    backend = get_backend(_yoyo_url(database_url), migration_table="_yoyo_migration")
    migrations = read_migrations(str(RUNTIME_MIGRATIONS), *(str(d) for d in dirs))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


async def migrate(database_url: str, *dirs: Path) -> list[str]:
    return await asyncio.to_thread(migrate_sync, database_url, *dirs)


async def open_pool(database_url: str, *, min_size: int = 2, max_size: int = 10) -> AsyncConnectionPool:
    pool = AsyncConnectionPool(
        database_url, min_size=min_size, max_size=max_size, open=False,
        kwargs={"row_factory": dict_row, "autocommit": False},
    )
    await pool.open(wait=True, timeout=30)
    return pool
