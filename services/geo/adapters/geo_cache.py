"""Redis GEO cache of hot map cells for nearby queries.

Every lookup counts a hit for the query's cell (INCR, expiring after a window). Once
a cell is hot, the POIs of the cells its answers need are loaded into Redis GEO sets,
one per cell and one per cell and category, whose members carry the POI itself; a
marker hash per cell (member counts) says the cell is complete. Queries over loaded
cells are answered by GEOSEARCH over the cells the circle touches, merged by
distance, until the cells expire.

Exactness. Redis measures on a slightly larger sphere and stores coordinates as
52-bit geohashes (off by up to ~0.2 m), so its distances only approximate ours. The
lookup therefore searches a margin wider than asked, recomputes every distance from
the exact coordinates in the member, and trusts the merged list only below a bound
up to which nothing can be missing: the searched radius, the last distance of any
cell whose COUNT was exhausted, and the nearest cell not loaded, each less the error
margin. Whatever does not fit under that bound is answered by PostGIS instead.

Speed. GEOSEARCH costs in proportion to the members inside the searched area (a
1 km circle in central Moscow holds ~40k POIs at 1M), so the script first searches
the radius expected to hold the limit, from the centre cell's density, and doubles
it only while that is not enough. Counting, checking markers and searching happen
in one Lua call: one round trip, atomic against invalidation and loading.

Invalidation bumps a generation number that every data key carries, then deletes the
keys of older generations; loads in flight write under the old generation, which no
lookup reads any more, and expire.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import redis
import redis.asyncio as aioredis
from prometheus_client import Counter as Metric

from services.geo.adapters.vocabulary import POI_CATEGORIES
from services.geo.domain.cells import Cell, cells_for_circle
from services.geo.domain.geodesy import EARTH_RADIUS_M, haversine_m
from services.geo.domain.model import NearbyPoi, NearbyQuery, Poi
from services.geo.service_layer.nearby import MISS, CacheLookup
from services.runtime.cache import CACHE_ERRORS
from services.runtime.logging import get_logger

log = get_logger(__name__)

REDIS_EARTH_RADIUS_M: Final = 6372797.560856  # geohash_helper.c
_SCALE: Final = REDIS_EARTH_RADIUS_M / EARTH_RADIUS_M  # our metres -> Redis metres
# Bound on |Redis distance / _SCALE - our distance|: geohash quantisation (<= 0.22 m)
# plus WITHDIST's four decimals, rounded up generously.
_ERROR_M: Final = 0.5
_COUNT_SLACK: Final = 16  # per-cell COUNT beyond the limit, so truncation rarely binds
_RETRY_AFTER_S: Final = 5.0  # after a Redis error, skip the cache this long

# hit: answered from Redis; miss: hot, but cells missing or the bound too short;
# cold: not hot and not loaded; skipped: off switch, radius, grid or Redis error.
LOOKUPS = Metric("geo_nearby_cache_lookups_total", "Nearby cache lookups by outcome", ["result"])
_HIT, _MISS, _COLD, _SKIPPED = (LOOKUPS.labels(r) for r in ("hit", "miss", "cold", "skipped"))


@dataclass(frozen=True)
class CacheKeys:
    """Key layout (the Lua script builds data keys the same way from `prefix`)."""

    prefix: str = "geo"

    @property
    def generation(self) -> str:
        return f"{self.prefix}:gen"

    @property
    def off(self) -> str:
        """While this key exists lookups skip the cache (an operator's switch; bench)."""
        return f"{self.prefix}:off"

    def hits(self, cell: Cell) -> str:
        return f"{self.prefix}:hits:{cell.key}"

    def marker(self, generation: str, cell: Cell) -> str:
        return f"{self.prefix}:g{generation}:ok:{cell.key}"

    def members(self, generation: str, cell: Cell, category: str = "") -> str:
        suffix = f":{category}" if category else ""
        return f"{self.prefix}:g{generation}:c:{cell.key}{suffix}"

    def lock(self, generation: str, cell: Cell) -> str:
        return f"{self.prefix}:g{generation}:lock:{cell.key}"

    @property
    def generations_pattern(self) -> str:
        return f"{self.prefix}:g[0-9]*"


# KEYS: generation, off switch, hits of the centre cell.
# ARGV: prefix, hit window s, hot hits, lon, lat, max radius (Redis m), COUNT, key
# suffix, count field, slop (Redis m), limit, centre cell area m2, then pairs of
# (cell key, lower bound of its distance in Redis m), the centre cell first.
# Reply: {'off'} | {'cold'} (not hot, centre cell not loaded) | {'hot' or 'cold',
# generation, bound ('' when nothing was searched), #missing, missing cell keys...,
# members nearest first...}. Loaded cells answer whether or not they are still hot.
_LOOKUP = """
if redis.call('EXISTS', KEYS[2]) == 1 then return {'off'} end
local hits = redis.call('INCR', KEYS[3])
if hits == 1 then redis.call('EXPIRE', KEYS[3], ARGV[2]) end
local heat = 'cold'
if hits >= tonumber(ARGV[3]) then heat = 'hot' end
local gen = redis.call('GET', KEYS[1]) or '0'
local base = ARGV[1] .. ':g' .. gen .. ':'
local lon, lat, pmax, count = ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local suffix, field, slop = ARGV[8], ARGV[9], tonumber(ARGV[10])
local need, area = tonumber(ARGV[11]), tonumber(ARGV[12])

local loaded, missing, wall, density = {}, {}, pmax, nil
for i = 13, #ARGV, 2 do
  local cell, near = ARGV[i], tonumber(ARGV[i + 1])
  local marker = base .. 'ok:' .. cell
  if redis.call('EXISTS', marker) == 1 then
    loaded[#loaded + 1] = {base .. 'c:' .. cell .. suffix, near}
    if i == 13 then density = tonumber(redis.call('HGET', marker, field) or '0') / area end
  else
    missing[#missing + 1] = cell
    if near < wall then wall = near end
  end
end
if wall <= 0 and heat == 'cold' then return {'cold'} end
local reply = {heat, gen, '', #missing}
for _, cell in ipairs(missing) do reply[#reply + 1] = cell end
if wall <= 0 then return reply end

local probe = pmax
if density and density > 0 then
  probe = math.min(pmax, math.max(25, 1.3 * math.sqrt(need / (math.pi * density))))
end
while true do
  local found, bound = {}, math.min(probe, wall)
  for _, cell in ipairs(loaded) do
    if cell[2] <= probe then
      local got = redis.call('GEOSEARCH', cell[1], 'FROMLONLAT', lon, lat, 'BYRADIUS', probe, 'm',
                             'ASC', 'COUNT', count, 'WITHDIST')
      if #got == count and tonumber(got[count][2]) < bound then bound = tonumber(got[count][2]) end
      for _, hit in ipairs(got) do found[#found + 1] = hit end
    end
  end
  local sure = 0
  for _, hit in ipairs(found) do
    hit[2] = tonumber(hit[2])
    if hit[2] < bound - slop then sure = sure + 1 end
  end
  if sure >= need or probe >= pmax or wall <= probe then
    reply[3] = tostring(bound)
    -- Nearest first, and only what can make the answer: a member farther than the
    -- need-th by more than the slop is farther than need others in exact terms too.
    table.sort(found, function(a, b) return a[2] < b[2] end)
    local last = #found
    if last > need then
      local cut = found[need][2] + slop
      last = need
      while last < #found and found[last + 1][2] <= cut do last = last + 1 end
    end
    for k = 1, last do reply[#reply + 1] = found[k][1] end
    return reply
  end
  probe = math.min(pmax, probe * 2)
end
"""


class CellSource(Protocol):
    async def in_cells(self, cells: Sequence[Cell]) -> dict[Cell, list[Poi]]: ...


@dataclass(frozen=True)
class CachePolicy:
    hot_hits: int = 3  # lookups of a cell within the window that make it hot
    hit_window_s: int = 60
    ttl_s: int = 900  # loaded cells live this long (markers a minute less)
    max_radius_m: float = 2000.0  # wider circles go to PostGIS: they would load too much


# A member is the POI itself, fields joined by the ASCII unit separator: splitting is
# several times cheaper than JSON, and a hot answer decodes ~70 members. repr() of a
# float round-trips exactly, so cached coordinates equal the database's.
_SEP: Final = "\x1f"
_BSEP: Final = _SEP.encode()


def _member(poi: Poi) -> str:
    text = (poi.name, poi.category, poi.city, poi.address)
    return _SEP.join((str(poi.id), repr(poi.lat), repr(poi.lon), *(t.replace(_SEP, " ") for t in text)))


# A candidate before it is known to make the answer: (distance, id, lat, lon, rest of
# the member). Tuples sort by distance, then id: the order of domain.nearest_first.
_Candidate = tuple[float, int, float, float, bytes]


def _candidates(query: NearbyQuery, members: Sequence[bytes]) -> list[_Candidate]:
    """Members within the radius by exact distance, nearest first; the names stay
    undecoded until a member makes the cut."""
    found = []
    for raw in members:
        id_, lat_raw, lon_raw, rest = raw.split(_BSEP, 3)
        lat, lon = float(lat_raw), float(lon_raw)
        distance = haversine_m(query.lat, query.lon, lat, lon)
        if distance <= query.radius:
            found.append((distance, int(id_), lat, lon, rest))
    found.sort()
    return found


def _nearby_poi(candidate: _Candidate) -> NearbyPoi:
    distance, id_, lat, lon, rest = candidate
    name, category, city, address = rest.decode().split(_SEP)
    return NearbyPoi(Poi(id_, name, category, city, address, lat, lon), distance)


class GeoCache:
    def __init__(self, client: aioredis.Redis, source: CellSource, policy: CachePolicy | None = None,
                 keys: CacheKeys | None = None) -> None:
        self._redis = client
        self._source = source
        self._policy = policy or CachePolicy()
        self._keys = keys or CacheKeys()
        self._lookup = client.register_script(_LOOKUP)
        self._loads: set[asyncio.Task[None]] = set()
        self._retry_at = 0.0

    # --- lookup ----------------------------------------------------------------

    async def lookup(self, query: NearbyQuery) -> CacheLookup:
        cells = None
        if query.radius <= self._policy.max_radius_m and time.monotonic() >= self._retry_at:
            cells = cells_for_circle(query.lat, query.lon, query.radius)
        if not cells:
            _SKIPPED.inc()
            return MISS
        try:
            reply = await self._lookup(keys=self._script_keys(cells[0]), args=self._script_args(query, cells))
        except CACHE_ERRORS as exc:
            self._retry_at = time.monotonic() + _RETRY_AFTER_S
            log.warning("redis unavailable: nearby served by PostGIS", error=str(exc))
            _SKIPPED.inc()
            return MISS
        lookup = self._answer(query, cells, reply)
        if lookup.pois is not None:
            _HIT.inc()
        else:
            (_MISS if lookup.hot else _SKIPPED if reply[0] == b"off" else _COLD).inc()
        return lookup

    def _script_keys(self, center: Cell) -> list[str]:
        return [self._keys.generation, self._keys.off, self._keys.hits(center)]

    def _script_args(self, query: NearbyQuery, cells: list[Cell]) -> list[Any]:
        p = self._policy
        args: list[Any] = [
            self._keys.prefix, p.hit_window_s, p.hot_hits, repr(query.lon), repr(query.lat),
            repr((query.radius + 2 * _ERROR_M) * _SCALE), query.limit + _COUNT_SLACK,
            f":{query.category}" if query.category else "", query.category or "all",
            repr(2 * _ERROR_M * _SCALE), query.limit, repr(cells[0].area_m2()),
        ]
        for cell in cells:
            args += [cell.key, repr(cell.min_distance_m(query.lat, query.lon) * _SCALE)]
        return args

    def _answer(self, query: NearbyQuery, cells: list[Cell], reply: list[bytes]) -> CacheLookup:
        if len(reply) == 1:  # off, or cold with nothing loaded
            return MISS
        hot = reply[0] == b"hot"
        generation, bound_raw, n_missing = reply[1].decode(), reply[2], int(reply[3])
        by_key = {cell.key.encode(): cell for cell in cells}
        missing = tuple(by_key[key] for key in reply[4:4 + n_missing])
        if not bound_raw:
            return CacheLookup(hot=hot, generation=generation, missing=missing)
        # Below `bound` (our metres) every POI of the circle is among the members.
        bound = float(bound_raw) / _SCALE - _ERROR_M
        found = _candidates(query, reply[4 + n_missing:])
        limit = query.limit
        complete = bound > query.radius or (len(found) >= limit and found[limit - 1][0] < bound)
        pois = [_nearby_poi(c) for c in found[:limit]] if complete else None
        return CacheLookup(pois, hot, generation, missing)

    # --- loading -----------------------------------------------------------------

    def warm(self, query: NearbyQuery, lookup: CacheLookup, reach_m: float) -> None:
        cells = [cell for cell in lookup.missing if cell.min_distance_m(query.lat, query.lon) <= reach_m + 2.0]
        if not cells:
            return
        task = asyncio.create_task(self._load(lookup.generation, cells), name="geo-cache-load")
        self._loads.add(task)
        task.add_done_callback(self._loads.discard)

    async def _load(self, generation: str, cells: Sequence[Cell]) -> None:
        try:
            mine = await self._lock(generation, cells)
            if mine:
                pois = await self._source.in_cells(mine)
                await self._store(generation, pois)
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: hot cells not loaded", error=str(exc))
        except Exception:
            log.exception("loading hot cells failed", cells=[c.key for c in cells])

    async def _lock(self, generation: str, cells: Sequence[Cell]) -> list[Cell]:
        """The cells this process is to load: those it locked that nobody has loaded
        meanwhile (reloading a cell with a marker would expose it half-written). The
        lock outlives any sane load and is released when the cell is stored."""
        pipe = self._redis.pipeline(transaction=False)
        for cell in cells:
            pipe.set(self._keys.lock(generation, cell), b"1", nx=True, ex=60)
            pipe.exists(self._keys.marker(generation, cell))
        replies = await pipe.execute()
        mine: list[Cell] = []
        done: list[Cell] = []
        for cell, locked, loaded in zip(cells, replies[::2], replies[1::2], strict=True):
            if locked:
                (done if loaded else mine).append(cell)
        if done:
            await self._redis.delete(*(self._keys.lock(generation, cell) for cell in done))
        return mine

    async def _store(self, generation: str, by_cell: dict[Cell, list[Poi]]) -> None:
        ttl = self._policy.ttl_s
        pipe = self._redis.pipeline(transaction=False)
        for cell, pois in by_cell.items():
            all_key = self._keys.members(generation, cell)
            # Leftovers of an earlier load of this cell whose marker expired first.
            pipe.delete(all_key, *(self._keys.members(generation, cell, c) for c in POI_CATEGORIES))
            per_category: dict[str, list[Any]] = {}
            everything: list[Any] = []
            for poi in pois:
                triple = (poi.lon, poi.lat, _member(poi))
                everything += triple
                per_category.setdefault(poi.category, []).extend(triple)
            for key, values in ((all_key, everything), *(
                    (self._keys.members(generation, cell, c), v) for c, v in per_category.items())):
                if values:
                    pipe.geoadd(key, values)
                    pipe.expire(key, ttl)
            # The marker goes last and expires first: a lookup that sees it sees the data.
            marker = self._keys.marker(generation, cell)
            counts: dict[str, int] = {"all": len(pois), **Counter(poi.category for poi in pois)}
            pipe.hset(marker, mapping=counts)  # type: ignore[arg-type]
            pipe.expire(marker, max(1, ttl - 60))
            pipe.delete(self._keys.lock(generation, cell))
        await pipe.execute()

    async def drain(self) -> None:
        """Wait for the loads in flight (tests; a graceful stop)."""
        await asyncio.gather(*self._loads, return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._loads):
            task.cancel()
        await asyncio.gather(*self._loads, return_exceptions=True)


def invalidate(redis_url: str, keys: CacheKeys | None = None) -> None:
    """Forget every cached cell (call after POIs were loaded or changed). Synchronous:
    loaders run outside the service."""
    keys = keys or CacheKeys()
    client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
    try:
        current = int(client.incr(keys.generation))
        doomed = []
        for key in client.scan_iter(match=keys.generations_pattern, count=1000):
            generation = key.decode().removeprefix(f"{keys.prefix}:g").split(":", 1)[0]
            if generation.isdigit() and int(generation) < current:
                doomed.append(key)
            if len(doomed) >= 1000:
                client.unlink(*doomed)
                doomed.clear()
        if doomed:
            client.unlink(*doomed)
    finally:
        client.close()

