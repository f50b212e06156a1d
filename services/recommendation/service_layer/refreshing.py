"""Workers that keep the in-memory state current: the catalog snapshot (on every change
of the catalog copy, and every half minute for popularity and the passing of time) and
the serving model (polled, so every replica follows an activation within seconds)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from services.recommendation.domain.catalog import CatalogItem
from services.recommendation.domain.offline import POPULARITY_HALF_LIFE_DAYS
from services.recommendation.service_layer.models import ModelKeeper
from services.recommendation.service_layer.recommending import Recommender, align, build_state
from services.runtime.supervision import worker_healthy


class Catalog(Protocol):
    async def active(self, now: datetime) -> list[CatalogItem]: ...

    async def fingerprint(self) -> tuple[Any, ...]: ...

    async def popularity(self, now: datetime, half_life_days: float) -> dict[str, float]: ...


async def refresh_catalog(recommender: Recommender, catalog: Catalog, keeper: ModelKeeper,
                          clock: Callable[[], datetime], *, every: float, rebuild_every: float) -> None:
    seen: tuple[Any, ...] | None = None
    built = 0.0
    while True:
        fingerprint = await catalog.fingerprint()
        if fingerprint != seen or time.monotonic() - built > rebuild_every:
            now = clock()
            items = await catalog.active(now)
            popularity = await catalog.popularity(now, POPULARITY_HALF_LIFE_DAYS)
            state = await asyncio.to_thread(build_state, items, popularity, now, keeper.serving, recommender.state)
            if state.model is not keeper.serving:  # a model was swapped in meanwhile
                state = align(state, keeper.serving)
            recommender.swap(state)
            seen, built = fingerprint, time.monotonic()
            worker_healthy()
        await asyncio.sleep(every)


async def follow_models(keeper: ModelKeeper, *, every: float) -> None:
    while True:
        await keeper.follow()
        worker_healthy()
        await asyncio.sleep(every)
