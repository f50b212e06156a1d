"""Composition root of geo-service: settings -> adapters -> use cases -> servicer."""

from __future__ import annotations

import grpc

from kulturago.geo.v1 import geo_service_pb2, geo_service_pb2_grpc
from services.geo.adapters.geo_cache import CacheKeys, GeoCache
from services.geo.adapters.pois import PoiRepository
from services.geo.adapters.router import PgRouter
from services.geo.adapters.schema import MIGRATIONS
from services.geo.config import GeoSettings
from services.geo.entrypoints.grpc_api import GeoServicer
from services.geo.service_layer.eta import Travel
from services.geo.service_layer.nearby import Nearby, NearbyCache, NoCache
from services.runtime.cache import open_redis
from services.runtime.db import open_pool, require_schema
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for

_GEO = geo_service_pb2.DESCRIPTOR.services_by_name["GeoService"].full_name
# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(geo_service_pb2.DESCRIPTOR.services_by_name["GeoService"])


async def build_app(settings: GeoSettings | None = None) -> ServiceApp:
    s = settings or GeoSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)
    redis = open_redis(s.redis_url)
    repository = PoiRepository(pool)
    geo_cache = GeoCache(redis, repository, s.cache_policy(), CacheKeys(s.geo_cache_key_prefix))
    cache: NearbyCache = geo_cache if s.geo_cache_enabled else NoCache()
    servicer = GeoServicer(Nearby(repository, cache), Travel(PgRouter(pool, s.route_snap_meters)))

    def register(server: grpc.aio.Server) -> None:
        geo_service_pb2_grpc.add_GeoServiceServicer_to_server(servicer, server)

    async def close() -> None:
        await geo_cache.close()
        await redis.aclose()
        await pool.close()

    return ServiceApp(settings=s, error_domain="geo.kulturago.ru", service_names=[_GEO], register=register,
                      policy=POLICY, shutdown=[close])
