"""Composition root of gamification-service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import grpc
import redis.asyncio as aioredis

from kulturago.gamification.v1 import gamification_service_pb2, gamification_service_pb2_grpc
from services.gamification.adapters.projection import PostgresProjection
from services.gamification.adapters.redis_boards import RedisLeaderboards
from services.gamification.adapters.unit_of_work import GamificationUnitOfWork
from services.gamification.config import GamificationSettings
from services.gamification.domain.districts import DistrictMap
from services.gamification.entrypoints.grpc_api import GamificationServicer
from services.gamification.entrypoints.kafka_handlers import CONSUMER, TOPICS, handler
from services.gamification.service_layer.leaderboards import LeaderboardReader, Projector
from services.gamification.service_layer.players import Players
from services.runtime.cache import open_redis
from services.runtime.db import open_pool, require_schema
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker, worker_healthy

MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICE = gamification_service_pb2.DESCRIPTOR.services_by_name["GamificationService"]
POLICY = policy_for(_SERVICE)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def build_app(settings: GamificationSettings | None = None,
                    clock: Callable[[], datetime] = utc_now) -> ServiceApp:
    s = settings or GamificationSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url, max_size=20)
    redis = open_redis(s.redis_url)
    writer = aioredis.Redis.from_url(s.redis_url, socket_timeout=s.redis_write_timeout_seconds,
                                     socket_connect_timeout=2.0)
    boards = RedisLeaderboards(redis, writer)
    districts = DistrictMap.load()

    def unit_of_work() -> GamificationUnitOfWork:
        return GamificationUnitOfWork(pool)

    projector = Projector(PostgresProjection(pool), boards, batch=s.project_batch)
    events = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id=CONSUMER, topics=list(TOPICS),
                           handler=handler(lambda conn: GamificationUnitOfWork(pool).on_transaction(conn),
                                           districts, clock),
                           batch=s.consumer_batch, concurrency=s.consumer_concurrency)
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "gamification-outbox")

    async def project() -> None:
        while True:
            moved = await projector.step()
            worker_healthy()
            if not moved:
                await asyncio.sleep(s.project_every_seconds)

    def register(server: grpc.aio.Server) -> None:
        gamification_service_pb2_grpc.add_GamificationServiceServicer_to_server(GamificationServicer(
            Players(unit_of_work, clock), LeaderboardReader(unit_of_work, boards, clock), projector), server)

    async def close() -> None:
        await relay.close()
        await redis.aclose()
        await writer.aclose()
        await pool.close()

    return ServiceApp(settings=s, error_domain="gamification.kulturago.ru", service_names=[_SERVICE.full_name],
                      register=register, policy=POLICY, workers=[
                          Worker("gamification-events-consumer", events.run),
                          Worker("gamification-projector", project),
                          Worker("gamification-outbox-relay", relay.run)],
                      shutdown=[close])
