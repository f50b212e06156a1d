"""Composition root of recommendation-service."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import grpc
from psycopg.rows import dict_row

from kulturago.recommendation.v1 import recommendation_service_pb2, recommendation_service_pb2_grpc
from services.recommendation.adapters import onnx_model, repository
from services.recommendation.adapters.model_store import ModelStore
from services.recommendation.adapters.profiles import RedisProfiles
from services.recommendation.adapters.rate_limit import MinuteBudget
from services.recommendation.adapters.repository import CatalogReader, TrainingData, training_data
from services.recommendation.adapters.training_job import TrainResult, train_version
from services.recommendation.adapters.unit_of_work import RecommendationUnitOfWork
from services.recommendation.config import RecommendationSettings
from services.recommendation.domain.als import AlsParams
from services.recommendation.entrypoints.grpc_api import RecommendationServicer
from services.recommendation.entrypoints.kafka_handlers import (
    ACTION_TOPICS,
    CATALOG_TOPICS,
    actions_handler,
    on_catalog,
)
from services.recommendation.service_layer.actions import Actions
from services.recommendation.service_layer.models import ModelKeeper
from services.recommendation.service_layer.recommending import Recommender
from services.recommendation.service_layer.refreshing import follow_models, refresh_catalog
from services.runtime.cache import open_redis
from services.runtime.db import open_pool, require_schema
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.object_storage import ObjectStorage
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker

MIGRATIONS = Path(__file__).parent / "migrations"
_DESCRIPTOR = recommendation_service_pb2.DESCRIPTOR.services_by_name["RecommendationService"]
POLICY = policy_for(_DESCRIPTOR)
_NIGHTLY_LOCK = 0x5EC0  # pg advisory lock: one replica trains


def _now() -> datetime:
    return datetime.now(UTC)


async def build_app(settings: RecommendationSettings | None = None) -> ServiceApp:
    s = settings or RecommendationSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)
    redis = open_redis(s.redis_url)
    storage = ObjectStorage(s.s3())
    profiles = RedisProfiles(redis)
    reader = CatalogReader(pool)
    stated_profiles = repository.Profiles()

    async def stated(user_id: str) -> tuple[str, tuple[str, ...]]:
        return await stated_profiles.stated(pool, user_id)

    recommender = Recommender(profiles=profiles, stated=stated, clock=_now)
    # Training is CPU-bound for seconds to minutes: a process of its own (spawned: no
    # copy of our event loop, sockets or threads), so requests keep being answered.
    trainer = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    async def train(data: TrainingData, params: AlsParams, version: str) -> TrainResult:
        return await asyncio.get_running_loop().run_in_executor(trainer, train_version, data, params, version)

    async def data() -> TrainingData:
        return await training_data(pool, _now() - timedelta(days=s.training_days))

    keeper = ModelKeeper(registry=ModelStore(pool, storage), recommender=recommender, load=onnx_model.load,
                         train=train, data=data, clock=_now)
    actions = Actions(unit_of_work=lambda: RecommendationUnitOfWork(pool),
                      limiter=MinuteBudget(redis, s.actions_per_minute), clock=_now)
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "recommendation-outbox")
    catalog_consumer = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id="recommendation-catalog",
                                     topics=list(CATALOG_TOPICS), handler=on_catalog)
    action_consumer = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id="recommendation-actions",
                                    topics=list(ACTION_TOPICS), handler=actions_handler(lambda: profiles))

    @asynccontextmanager
    async def one_replica() -> AsyncIterator[bool]:
        async with pool.connection() as conn:
            got = await (await conn.cursor(row_factory=dict_row).execute(
                "SELECT pg_try_advisory_lock(%s) AS mine", (_NIGHTLY_LOCK,))).fetchone()
            mine = bool(got and got["mine"])
            try:
                yield mine
            finally:
                if mine:
                    await conn.execute("SELECT pg_advisory_unlock(%s)", (_NIGHTLY_LOCK,))

    def register(server: grpc.aio.Server) -> None:
        recommendation_service_pb2_grpc.add_RecommendationServiceServicer_to_server(
            RecommendationServicer(recommender, actions, keeper), server)

    async def close() -> None:
        trainer.shutdown(wait=False, cancel_futures=True)
        await relay.close()
        await redis.aclose()
        await pool.close()

    workers = [
        Worker("recommendation-outbox-relay", relay.run),
        Worker("recommendation-catalog-consumer", catalog_consumer.run),
        Worker("recommendation-actions-consumer", action_consumer.run),
        Worker("recommendation-catalog-state", partial(refresh_catalog, recommender, reader, keeper, _now,
                                                       every=s.catalog_poll_seconds,
                                                       rebuild_every=s.catalog_rebuild_seconds)),
        Worker("recommendation-model-follower", partial(follow_models, keeper, every=s.model_poll_seconds),
               required=False),
    ]
    if s.nightly_retrain:
        workers.append(Worker("recommendation-nightly-retrain", partial(keeper.nightly, exclusive=one_replica),
                              required=False))
    return ServiceApp(settings=s, error_domain="recommendation.kulturago.ru", service_names=[_DESCRIPTOR.full_name],
                      register=register, policy=POLICY, workers=workers, shutdown=[close],
                      startup=[storage.ensure_bucket])
