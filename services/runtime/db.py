"""PostgreSQL: an async connection pool per service and per-service migrations (yoyo).

Each service owns one database; its migrations live in `services/<service>/migrations/`
after the runtime's own (outbox, inbox). They run once per deploy (`kgo migrate`
locally, the migrate Job in k8s: `python -m services.runtime.migrate <service>`), not
by every replica at boot; a service refuses to start on a schema older than its code.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from yoyo import get_backend, read_migrations

RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
SERVICES_ROOT = Path(__file__).resolve().parent.parent


class SchemaBehind(SystemExit):
    """The database lacks migrations this code needs: stop before serving anything."""


def service_migrations(service: str) -> Path:
    return SERVICES_ROOT / service / "migrations"


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


def pending_sync(database_url: str, *dirs: Path) -> list[str]:
    backend = get_backend(_yoyo_url(database_url), migration_table="_yoyo_migration")
    try:
        migrations = read_migrations(str(RUNTIME_MIGRATIONS), *(str(d) for d in dirs))
        return [m.id for m in backend.to_apply(migrations)]
    finally:
        backend.connection.close()


async def require_schema(database_url: str, *dirs: Path) -> None:
    """Raise SchemaBehind (exits the process) unless every migration has been applied."""
    pending = await asyncio.to_thread(pending_sync, database_url, *dirs)
    if pending:
        database = database_url.rsplit("/", 1)[-1].split("?", 1)[0]
        raise SchemaBehind(
            f"database {database!r} is missing migrations {', '.join(pending)}: "
            "run `kgo migrate` (in Kubernetes: the migrate Job) before starting this version")


async def open_pool(database_url: str, *, min_size: int = 2, max_size: int = 10) -> AsyncConnectionPool:
    pool = AsyncConnectionPool(
        database_url, min_size=min_size, max_size=max_size, open=False,
        kwargs={"row_factory": dict_row, "autocommit": False},
    )
    await pool.open(wait=True, timeout=30)
    return pool
