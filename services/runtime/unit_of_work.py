"""The unit of work over PostgreSQL that every service's use cases write through.

    async with uow:                      # a connection from the pool, a transaction
        user = await uow.users.get(...)  # repositories work on that transaction
        await uow.add_event(topic, key, message)   # staged in the outbox, same transaction
    # leaving the block commits; an exception rolls everything back (events included)

A transaction that lost a race (serialization failure, deadlock: in the block or at
COMMIT) leaves the block as TransactionConflict, for `runtime.transactions.retrying`.

A service subclasses `PostgresUnitOfWork` to expose its repositories, built once over
the unit of work itself (`Repository(self)`): they ask it for `connection` on each
call, so using one outside its block fails loudly instead of writing on a connection
that went back to the pool. One instance serves one block at a time: use cases take a
factory and make one per call (concurrent requests must not share a transaction).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, Protocol, Self

import psycopg
from google.protobuf.message import Message as ProtoMessage
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from services.runtime.errors import TransactionConflict
from services.runtime.messaging import outbox

_LOST_RACE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


def _lost_race(exc: BaseException | None) -> bool:
    return isinstance(exc, psycopg.Error) and exc.sqlstate in _LOST_RACE


class InTransaction(Protocol):
    """What a repository needs from its unit of work: the transaction's connection."""

    @property
    def connection(self) -> AsyncConnection[Any]: ...


class PostgresUnitOfWork:
    def __init__(self, pool: AsyncConnectionPool, source: str) -> None:
        self._pool = pool
        self._source = source  # ce_source of the events this unit of work stages
        self._conn: AsyncConnection[Any] | None = None
        self._stack: AsyncExitStack | None = None

    @property
    def connection(self) -> AsyncConnection[Any]:
        if self._conn is None:
            raise RuntimeError("used outside `async with` of its unit of work")
        return self._conn

    def on_transaction(self, conn: AsyncConnection[Any]) -> Self:
        """These repositories on a transaction someone else opened and ends: the inbox
        consumer's, so that a message's effect commits, or rolls back, with its inbox row
        (one transaction and one pooled connection per message, not two). Used as is,
        never entered with `async with`."""
        self._conn = conn
        return self

    async def __aenter__(self) -> Self:
        if self._stack is not None or self._conn is not None:
            raise RuntimeError("a unit of work is already open (or bound to a transaction): make one per use")
        stack = AsyncExitStack()
        try:
            # The pool's block commits on success and rolls back on error too; the
            # explicit transaction makes that visible and nests savepoints correctly.
            conn = await stack.enter_async_context(self._pool.connection())
            await stack.enter_async_context(conn.transaction())
        except BaseException:
            await stack.aclose()
            raise
        self._stack, self._conn = stack, conn
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None:
        stack, self._stack, self._conn = self._stack, None, None
        assert stack is not None, "__aexit__ without __aenter__"
        try:
            handled = await stack.__aexit__(exc_type, exc, tb)
        except psycopg.Error as commit_error:  # raised by COMMIT itself
            if _lost_race(commit_error):
                raise TransactionConflict(str(commit_error)) from commit_error
            raise
        if _lost_race(exc):  # raised inside the block; rolled back above
            raise TransactionConflict(str(exc)) from exc
        return handled

    async def add_event(self, topic: str, key: str, message: ProtoMessage) -> str:
        """Stage an event in this transaction's outbox; it is published only if the
        transaction commits. Returns its ce_id."""
        return await outbox.add_event(self.connection, topic, key, message, self._source)
