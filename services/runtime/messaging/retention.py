"""Bounded outbox and inbox tables: rows past their retention are deleted in small
batches (short transactions, no long locks), so the tables stay small for ever.

The inbox keeps a ce_id for `retention`: a redelivery inside that window is still
skipped. Kafka keeps messages for 7 days too (log.retention.hours), so a replay
from the broker cannot bring back an event older than its dedupe key.
"""

from __future__ import annotations

from datetime import timedelta

from psycopg_pool import AsyncConnectionPool

from services.runtime.logging import get_logger

log = get_logger(__name__)

DEFAULT_RETENTION = timedelta(days=7)
_BATCH = 1000

_OUTBOX = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE published_at < now() - %(retention)s
    ORDER BY published_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED)
"""
_INBOX = """
DELETE FROM inbox WHERE (consumer, ce_id) IN (
    SELECT consumer, ce_id FROM inbox WHERE consumer = %(consumer)s AND processed_at < now() - %(retention)s
    ORDER BY processed_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED)
"""


async def _sweep(pool: AsyncConnectionPool, statement: str, params: dict[str, object], batch: int) -> int:
    deleted = 0
    while True:
        async with pool.connection() as conn, conn.transaction():
            count = (await conn.execute(statement, {**params, "batch": batch})).rowcount
        deleted += count
        if count < batch:
            return deleted


async def sweep_outbox(pool: AsyncConnectionPool, retention: timedelta = DEFAULT_RETENTION,
                       batch: int = _BATCH) -> int:
    """Delete published outbox rows older than `retention`; unpublished rows always stay."""
    deleted = await _sweep(pool, _OUTBOX, {"retention": retention}, batch)
    if deleted:
        log.info("outbox swept", deleted=deleted, retention=str(retention))
    return deleted


async def sweep_inbox(pool: AsyncConnectionPool, consumer: str, retention: timedelta = DEFAULT_RETENTION,
                      batch: int = _BATCH) -> int:
    """Delete one consumer's dedupe keys older than `retention`."""
    deleted = await _sweep(pool, _INBOX, {"consumer": consumer, "retention": retention}, batch)
    if deleted:
        log.info("inbox swept", consumer=consumer, deleted=deleted, retention=str(retention))
    return deleted
