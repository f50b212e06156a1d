"""Use case: answer a search (validated, served from the result cache when possible)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.search.domain.model import SearchQuery, SearchResults
from services.search.domain.query import SearchParams, is_empty_window, parse
from services.search.service_layer.ports import ResultCache, SearchIndex

# The entrypoint's rendering of an answer (its serialized response): what we cache.
Render = Callable[[SearchQuery, SearchResults], bytes]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Searcher:
    index: SearchIndex
    cache: ResultCache
    clock: Callable[[], datetime] = field(default=_now)
    # Answers being computed, by fingerprint: a popular query arriving N times at once
    # (typically right after the cache was emptied) costs one search, not N.
    _in_flight: dict[str, asyncio.Task[bytes]] = field(default_factory=dict, init=False)

    async def search(self, params: SearchParams, render: Render) -> bytes:
        query = parse(params, self.clock())  # InvalidArgument names the field
        key = query.fingerprint()
        generation, cached = self.cache.lookup(key)
        if cached is not None:
            return cached
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.create_task(self._answer(query, render, key, generation))
            self._in_flight[key] = task
            task.add_done_callback(self._settled(key))
        # Shielded: a caller that goes away does not cancel the answer others wait for.
        return await asyncio.shield(task)

    def _settled(self, key: str) -> Callable[[asyncio.Task[bytes]], None]:
        def forget(task: asyncio.Task[bytes]) -> None:
            self._in_flight.pop(key, None)
            if not task.cancelled():
                task.exception()  # retrieved: every waiter may have left already
        return forget

    async def _answer(self, query: SearchQuery, render: Render, key: str, generation: int | None) -> bytes:
        if is_empty_window(query):  # e.g. dateTo in the past: nothing can match
            results = SearchResults(hits=(), total=0)
        else:
            results = await self.index.search(query)
        value = render(query, results)
        self.cache.store(key, generation, value)
        return value
