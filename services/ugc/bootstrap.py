"""Composition root of ugc-service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import grpc

from kulturago.ugc.v1 import ugc_service_pb2, ugc_service_pb2_grpc
from services.runtime.db import open_pool, require_schema
from services.runtime.logging import get_logger
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.object_storage import ObjectStorage
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker
from services.ugc.adapters.photos import S3PhotoStore
from services.ugc.adapters.unit_of_work import UgcUnitOfWork
from services.ugc.adapters.vision import VisionSafeSearch
from services.ugc.config import UgcSettings
from services.ugc.entrypoints.grpc_api import UgcServicer
from services.ugc.entrypoints.kafka_handlers import CONSUMER, TOPICS, handle
from services.ugc.service_layer.reviews import ReviewBook

log = get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICE = ugc_service_pb2.DESCRIPTOR.services_by_name["UgcService"]
# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(_SERVICE)


async def build_app(settings: UgcSettings | None = None) -> ServiceApp:
    s = settings or UgcSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)
    if not s.vision_api_key:
        log.warning("no Cloud Vision key (KGO_VISION_API_KEY): reviews with photos are refused as unavailable")
    photos = S3PhotoStore(ObjectStorage(s.s3()), upload_ttl=timedelta(seconds=s.photo_upload_ttl_seconds),
                          view_ttl=timedelta(seconds=s.photo_view_ttl_seconds))
    vision = VisionSafeSearch(base_url=s.vision_base_url, api_key=s.vision_api_key,
                              timeout_seconds=s.vision_timeout_seconds)

    def unit_of_work() -> UgcUnitOfWork:
        return UgcUnitOfWork(pool)

    book = ReviewBook(unit_of_work, photos, vision)
    facts = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id=CONSUMER, topics=list(TOPICS),
                          handler=handle)
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "ugc-outbox")

    def register(server: grpc.aio.Server) -> None:
        ugc_service_pb2_grpc.add_UgcServiceServicer_to_server(UgcServicer(book, photos), server)

    async def close() -> None:
        await relay.close()
        await vision.close()
        await pool.close()

    return ServiceApp(settings=s, error_domain="ugc.kulturago.ru", service_names=[_SERVICE.full_name],
                      register=register, policy=POLICY, workers=[
                          Worker("ugc-facts-consumer", facts.run),
                          Worker("ugc-outbox-relay", relay.run)],
                      shutdown=[close])
