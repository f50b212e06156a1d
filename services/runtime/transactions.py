"""Running a unit of work again when it lost a race (TransactionConflict)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.runtime.errors import TransactionConflict
from services.runtime.logging import get_logger

log = get_logger(__name__)

T = TypeVar("T")
ATTEMPTS = 8


async def retrying(work: Callable[[], Awaitable[T]], *, attempts: int = ATTEMPTS) -> T:
    """`work()` (which opens its own unit of work), again after a TransactionConflict, with
    a short jittered pause so the racers do not meet again; the last conflict propagates."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except TransactionConflict as conflict:
            if attempt == attempts:
                raise
            log.info("transaction conflict; retrying", attempt=attempt, error=str(conflict))
            await asyncio.sleep(random.uniform(0, 0.01 * 2 ** attempt))
    raise AssertionError("unreachable")
