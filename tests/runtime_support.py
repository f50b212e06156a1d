"""Async helpers for tests of background workers (relays, consumers).

Imported by test modules as `runtime_support` (tests/ is on sys.path, see kafka_support).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any


@contextlib.asynccontextmanager
async def running(*workers: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Runs background workers for the duration of the block, then cancels them."""
    tasks = [asyncio.create_task(w) for w in workers]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    """Waits, bounded, for a condition that background work makes true."""
    try:
        async with asyncio.timeout(seconds):
            while not await check():  # noqa: ASYNC110 - the state lives in other processes: polling is the only way
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"condition not met within {seconds:.0f}s") from None
