"""Composition root of gid-service: settings -> adapters -> use cases -> servicers, the
HTTP server (WebSocket, bundles) and the synthesis workers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import redis.asyncio as aioredis

from kulturago.gid.v1 import gid_service_pb2, gid_service_pb2_grpc
from services.gid.adapters.audio_store import RedisSpeechCatalog, S3AudioStore
from services.gid.adapters.bundle_storage import S3BundleStorage
from services.gid.adapters.geo_client import GrpcRouteMeter
from services.gid.adapters.sessions import RedisBuildLock, RedisListeningStore
from services.gid.adapters.speech_engine import EspeakEngine
from services.gid.adapters.tts_queue import QueueNames, RedisCompletions, RedisJobQueue, TtsWorker, WorkerTimings
from services.gid.adapters.unit_of_work import GidUnitOfWork
from services.gid.config import GidSettings
from services.gid.entrypoints.grpc_api import SpeechServicer, TourServicer
from services.gid.entrypoints.http_api import HttpApi
from services.gid.service_layer.bundles import Bundles
from services.gid.service_layer.live_tour import LiveTours
from services.gid.service_layer.speech import Speech
from services.gid.service_layer.tours import RecentTours, TourCatalog
from services.runtime.db import open_pool, require_schema
from services.runtime.faults import FaultPoints
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.object_storage import ObjectStorage
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker
from services.runtime.tokens import TokenVerifier
from services.runtime.web import web_worker

MIGRATIONS = Path(__file__).parent / "migrations"
_TOURS = gid_service_pb2.DESCRIPTOR.services_by_name["TourService"]
_SPEECH = gid_service_pb2.DESCRIPTOR.services_by_name["SpeechService"]

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(_TOURS, _SPEECH)


def blocking_redis(url: str) -> aioredis.Redis:
    """For waits that block on Redis (XREADGROUP BLOCK, a subscription): no read timeout."""
    return aioredis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=None, health_check_interval=30)


def pooled_redis(url: str, connections: int) -> aioredis.Redis:
    """For the many small commands of many listeners at once (sessions, the speech index,
    the queue): at most `connections`, a command waits its turn (2 s) rather than failing."""
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=connections, timeout=2.0,
                                                    socket_timeout=2.0, socket_connect_timeout=1.0,
                                                    health_check_interval=30)
    return aioredis.Redis(connection_pool=pool)


async def build_app(settings: GidSettings | None = None) -> ServiceApp:
    s = settings or GidSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)
    redis = pooled_redis(s.redis_url, s.redis_connections)
    waiting_redis = blocking_redis(s.redis_url)
    storage = ObjectStorage(s.s3())
    engine = EspeakEngine(spares=s.tts_workers)
    names = QueueNames(stream=s.tts_stream, group=s.tts_group)

    def unit_of_work() -> GidUnitOfWork:
        return GidUnitOfWork(pool)

    geo = GrpcRouteMeter(s.geo_address, s.geo_timeout_seconds)
    catalog = TourCatalog(unit_of_work, geo)
    store = S3AudioStore(storage, cache_bytes=s.tts_audio_cache_mb * 1024 * 1024)
    speech_catalog = RedisSpeechCatalog(redis, store, prefix=names.prefix)
    completions = RedisCompletions(waiting_redis, names)
    speech = Speech(engine.version, speech_catalog, RedisJobQueue(redis, names), completions, store,
                    wait_seconds=s.tts_wait_seconds)
    live = LiveTours(RecentTours(catalog), speech, RedisListeningStore(redis), window_bytes=s.live_window_kb * 1024)
    bundles = Bundles(catalog, unit_of_work, speech, S3BundleStorage(storage), RedisBuildLock(redis),
                      wait_seconds=s.bundle_wait_seconds)
    http = HttpApi(TokenVerifier.from_file(s.jwks_file, issuer=s.jwt_issuer, audience=s.jwt_audience), live, bundles)
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "gid-outbox")
    timings = WorkerTimings(min_idle_ms=s.tts_claim_min_idle_ms, max_deliveries=s.tts_max_deliveries)
    faults = FaultPoints(s.faults_dir)
    synthesis = [TtsWorker(waiting_redis, names, engine, store, speech_catalog, completions, index=i,
                           timings=timings, faults=faults) for i in range(s.tts_workers)]

    def register(server: grpc.aio.Server) -> None:
        gid_service_pb2_grpc.add_TourServiceServicer_to_server(TourServicer(catalog), server)
        gid_service_pb2_grpc.add_SpeechServiceServicer_to_server(SpeechServicer(speech), server)

    async def warm_up() -> None:
        await storage.ensure_bucket()
        await asyncio.to_thread(engine.warm_up)

    async def close() -> None:
        engine.close()
        await relay.close()
        await geo.close()
        await redis.aclose()
        await waiting_redis.aclose()
        await pool.close()

    return ServiceApp(settings=s, error_domain="gid.kulturago.ru", service_names=[_TOURS.full_name, _SPEECH.full_name],
                      register=register, policy=POLICY, startup=[warm_up], workers=[
                          Worker("gid-outbox-relay", relay.run),
                          Worker("gid-http", web_worker(http.app, s.http_host, s.http_port)),
                          Worker("gid-tts-completions", completions.follow),
                          *(Worker(f"gid-tts-worker-{i}", w.run) for i, w in enumerate(synthesis))],
                      shutdown=[close])
