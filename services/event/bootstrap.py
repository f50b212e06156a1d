"""Composition root of event-service."""

from __future__ import annotations

from pathlib import Path

import grpc

from kulturago.event.v1 import event_service_pb2, event_service_pb2_grpc
from services.event.adapters.card_views import BufferedCardViews
from services.event.adapters.list_cache import CatalogCache
from services.event.adapters.unit_of_work import EventUnitOfWork
from services.event.config import EventSettings
from services.event.entrypoints.grpc_api import EventServicer
from services.event.entrypoints.kafka_handlers import AVAILABILITY_TOPIC, on_availability
from services.event.entrypoints.ratings import RATING_TOPICS, RatingsFollower
from services.event.service_layer.catalog import Catalog
from services.runtime.cache import open_redis
from services.runtime.db import open_pool, require_schema
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.rpc.preserialized import PreserializedServer
from services.runtime.supervision import Worker

MIGRATIONS = Path(__file__).parent / "migrations"
_SERVICE = event_service_pb2.DESCRIPTOR.services_by_name["EventService"].full_name

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(event_service_pb2.DESCRIPTOR.services_by_name["EventService"])


async def build_app(settings: EventSettings | None = None) -> ServiceApp:
    s = settings or EventSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)
    redis = open_redis(s.redis_url)
    cache = CatalogCache(redis, s.list_cache_ttl_seconds)

    def unit_of_work() -> EventUnitOfWork:
        return EventUnitOfWork(pool)

    views = BufferedCardViews(pool)  # an authenticated GetEvent is a view (user.action)
    catalog = Catalog(unit_of_work, cache, views=views)
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "event-outbox")
    # Tickets left per tier, reported by ticketing; shown on cards (approximate).
    availability = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id="event-availability",
                                 topics=[AVAILABILITY_TOPIC], handler=on_availability)
    # Review ratings from ugc-service, kept on the cards.
    ratings = RatingsFollower(cache.invalidate)
    reviews = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id="event-ratings",
                            topics=list(RATING_TOPICS), handler=ratings.handle)

    def register(server: grpc.aio.Server) -> None:
        # Cached pages and cards are returned as the bytes they were cached as.
        event_service_pb2_grpc.add_EventServiceServicer_to_server(
            EventServicer(catalog, s.default_radius_meters), PreserializedServer(server))

    async def close() -> None:
        await relay.close()
        await redis.aclose()
        await pool.close()

    return ServiceApp(settings=s, error_domain="event.kulturago.ru", service_names=[_SERVICE],
                      register=register, policy=POLICY, workers=[
                          Worker("event-outbox-relay", relay.run),
                          Worker("event-card-views", views.run, required=False),
                          Worker("event-cache-invalidations", cache.follow_invalidations, required=False),
                          Worker("event-availability-consumer", availability.run, required=False),
                          Worker("event-ratings-consumer", reviews.run, required=False),
                          Worker("event-ratings-cache", ratings.run, required=False)],
                      shutdown=[close])
