"""Model versions: their bytes in S3 (`recommendation/models/<version>/model.onnx` and
`side.npz`), their registry in PostgreSQL (`models`: metrics, status; exactly one row
`serving`). Activating a version is one transaction that NOTIFYs every replica."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from services.recommendation.adapters.repository import MODELS_CHANNEL
from services.runtime.object_storage import ObjectStorage

PREFIX = "recommendation/models"
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ModelRecord:
    version: str
    metrics: dict[str, float]
    status: str


def graph_key(version: str) -> str:
    return f"{PREFIX}/{version}/model.onnx"


def side_key(version: str) -> str:
    return f"{PREFIX}/{version}/side.npz"


class ModelStore:
    def __init__(self, pool: AsyncConnectionPool, storage: ObjectStorage) -> None:
        self._pool = pool
        self._storage = storage

    async def put(self, version: str, graph: bytes, side: bytes, metrics: dict[str, float], interactions: int,
                  train_seconds: float) -> None:
        await self._storage.write(graph_key(version), graph, content_type="application/octet-stream")
        await self._storage.write(side_key(version), side, content_type="application/octet-stream")
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO models (version, object_key, metrics, interactions, train_seconds, status) "
                "VALUES (%s, %s, %s, %s, %s, 'stored') ON CONFLICT (version) DO NOTHING",
                (version, graph_key(version), json.dumps(metrics), interactions, train_seconds))

    async def fetch(self, version: str) -> tuple[bytes, bytes]:
        return (await self._storage.read(graph_key(version), MAX_BYTES),
                await self._storage.read(side_key(version), MAX_BYTES))

    async def record(self, version: str) -> ModelRecord | None:
        async with self._pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "SELECT version, metrics, status FROM models WHERE version = %s", (version,))
            row = await cur.fetchone()
        return ModelRecord(row["version"], dict(row["metrics"]), row["status"]) if row else None

    async def serving(self) -> ModelRecord | None:
        async with self._pool.connection() as conn:
            cur = await conn.cursor(row_factory=dict_row).execute(
                "SELECT version, metrics, status FROM models WHERE status = 'serving'")
            row = await cur.fetchone()
        return ModelRecord(row["version"], dict(row["metrics"]), row["status"]) if row else None

    async def activate(self, version: str) -> None:
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("UPDATE models SET status = 'retired' WHERE status = 'serving'")
            await conn.execute("UPDATE models SET status = 'serving', reason = '' WHERE version = %s", (version,))
            await conn.execute("SELECT pg_notify(%s, %s)", (MODELS_CHANNEL, version))

    async def refuse(self, version: str, reason: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute("UPDATE models SET status = 'refused', reason = %s WHERE version = %s "
                               "AND status <> 'serving'", (reason[:1000], version))

    async def register_foreign(self, version: str) -> None:
        """A version whose objects were put in S3 by hand (ActivateModel of a version we
        did not train): registered so that its refusal is recorded too."""
        async with self._pool.connection() as conn:
            await conn.execute("INSERT INTO models (version, object_key, status) VALUES (%s, %s, 'stored') "
                               "ON CONFLICT (version) DO NOTHING", (version, graph_key(version)))


def metrics_of(record: ModelRecord | None) -> dict[str, Any]:
    return dict(record.metrics) if record else {}
