"""Use case: POIs near a point. The cache answers for hot cells, PostGIS for the rest;
a PostGIS answer in a hot area tells the cache which cells to load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.geo.domain.cells import Cell
from services.geo.domain.model import NearbyPoi, NearbyQuery


class PoiSource(Protocol):
    async def nearby(self, query: NearbyQuery) -> list[NearbyPoi]: ...


@dataclass(frozen=True, slots=True)
class CacheLookup:
    pois: list[NearbyPoi] | None = None  # the answer, when the cache could give it exactly
    hot: bool = False  # the query's cell is hot: worth loading what was missing
    generation: str = ""  # cache generation the lookup saw (loads are written under it)
    missing: Sequence[Cell] = field(default_factory=tuple)  # cells of the circle not loaded yet


MISS = CacheLookup()


class NearbyCache(Protocol):
    async def lookup(self, query: NearbyQuery) -> CacheLookup: ...

    def warm(self, query: NearbyQuery, lookup: CacheLookup, reach_m: float) -> None:
        """Start loading the missing cells within `reach_m` of the query point (in the
        background; never raises)."""


class NoCache:
    async def lookup(self, query: NearbyQuery) -> CacheLookup:
        return MISS

    def warm(self, query: NearbyQuery, lookup: CacheLookup, reach_m: float) -> None:
        return None


@dataclass
class Nearby:
    source: PoiSource
    cache: NearbyCache

    async def __call__(self, query: NearbyQuery) -> list[NearbyPoi]:
        lookup = await self.cache.lookup(query)
        if lookup.pois is not None:
            return lookup.pois
        pois = await self.source.nearby(query)
        if lookup.hot:
            # The answer needs exactly the cells within its farthest POI (or the whole
            # circle when it came up short of the limit).
            full = len(pois) == query.limit
            self.cache.warm(query, lookup, pois[-1].distance if full else query.radius)
        return pois
