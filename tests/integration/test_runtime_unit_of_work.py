"""The PostgreSQL unit of work (services/runtime/unit_of_work.py) on a scratch database:
a repository's writes and the outbox events staged with them commit together or not
at all; a repository used outside its block fails instead of writing."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from psycopg_pool import AsyncConnectionPool

from services.runtime.unit_of_work import InTransaction, PostgresUnitOfWork

SOURCE = "//tests/unit-of-work"


class Notes:
    """A repository over the unit of work's connection, as services write them."""

    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def add(self, text: str) -> None:
        await self._tx.connection.execute("INSERT INTO notes (text) VALUES (%s)", (text,))


class NotesUnitOfWork(PostgresUnitOfWork):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        super().__init__(pool, SOURCE)
        self.notes = Notes(self)


class Rollback(Exception):
    pass


@pytest.fixture
async def pool(runtime_pool: AsyncConnectionPool) -> AsyncConnectionPool:
    async with runtime_pool.connection() as conn:
        await conn.execute("CREATE TABLE notes (text text NOT NULL)")
    return runtime_pool


async def rows(pool: AsyncConnectionPool, sql: str) -> list[Any]:
    async with pool.connection() as conn:
        return [tuple(r.values()) for r in await (await conn.execute(sql)).fetchall()]


async def test_writes_and_staged_events_commit_together(pool: AsyncConnectionPool) -> None:
    async with NotesUnitOfWork(pool) as uow:
        await uow.notes.add("first")
        ce_id = await uow.add_event("notes.added", "note-1", StringValue(value="first"))
    assert await rows(pool, "SELECT text FROM notes") == [("first",)]
    assert await rows(pool, "SELECT ce_id::text, topic, key, headers->>'ce_source' FROM outbox") == [
        (ce_id, "notes.added", b"note-1", SOURCE)]


async def test_an_error_rolls_back_writes_and_staged_events(pool: AsyncConnectionPool) -> None:
    with pytest.raises(Rollback):
        async with NotesUnitOfWork(pool) as uow:
            await uow.notes.add("lost")
            await uow.add_event("notes.added", "note-1", StringValue(value="lost"))
            raise Rollback
    assert await rows(pool, "SELECT text FROM notes") == []
    assert await rows(pool, "SELECT topic FROM outbox") == []
    async with NotesUnitOfWork(pool) as uow:  # the connection went back to the pool clean
        await uow.notes.add("after")
    assert await rows(pool, "SELECT text FROM notes") == [("after",)]


async def test_repositories_refuse_to_work_outside_their_block(pool: AsyncConnectionPool) -> None:
    uow = NotesUnitOfWork(pool)
    with pytest.raises(RuntimeError):
        await uow.notes.add("nowhere")
    async with uow:
        with pytest.raises(RuntimeError):
            async with uow:  # one block at a time: make a new unit of work per use
                pass
    with pytest.raises(RuntimeError):
        await uow.add_event("notes.added", "k", StringValue(value="late"))
    assert await rows(pool, "SELECT text FROM notes") == []


async def test_bound_to_a_transaction_it_shares_its_fate(pool: AsyncConnectionPool) -> None:
    # As the inbox consumer uses it: the message's effect and its inbox row are one transaction.
    with pytest.raises(Rollback):
        async with pool.connection() as conn, conn.transaction():
            uow = NotesUnitOfWork(pool).on_transaction(conn)
            await uow.notes.add("with the message")
            await uow.add_event("notes.added", "note-1", StringValue(value="with the message"))
            raise Rollback
    assert await rows(pool, "SELECT count(*) FROM notes") == [(0,)]
    async with pool.connection() as conn, conn.transaction():
        uow = NotesUnitOfWork(pool).on_transaction(conn)
        await uow.notes.add("kept")
        with pytest.raises(RuntimeError, match="bound to a transaction"):
            async with uow:
                pass
    assert await rows(pool, "SELECT text FROM notes") == [("kept",)]
