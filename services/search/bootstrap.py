"""Composition root of search-service: settings -> adapters -> use cases -> servicer + indexer."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

import grpc

from kulturago.search.v1 import search_service_pb2, search_service_pb2_grpc
from services.runtime.db import open_pool, require_schema
from services.runtime.faults import FaultPoints
from services.runtime.invalidation import InvalidatedCache, follow, pg_notifications
from services.runtime.messaging.consumer import InboxConsumer
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.rpc.preserialized import PreserializedServer
from services.runtime.supervision import Worker
from services.search.adapters.pg_index import CHANGES_CHANNEL, PostgresSearchIndex
from services.search.config import SearchSettings
from services.search.entrypoints.grpc_api import SearchServicer
from services.search.entrypoints.indexer import TOPIC, event_handler
from services.search.service_layer.refreshing import refresh_forever
from services.search.service_layer.searching import Searcher

MIGRATIONS = Path(__file__).parent / "migrations"
VOCABULARY_TTL_SECONDS = 600.0
_SERVICE = search_service_pb2.DESCRIPTOR.services_by_name["SearchService"].full_name

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(search_service_pb2.DESCRIPTOR.services_by_name["SearchService"])


async def build_app(settings: SearchSettings | None = None) -> ServiceApp:
    s = settings or SearchSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url, max_size=s.pool_max_size)
    # Both caches are emptied by every committed index change (each follows the NOTIFYs);
    # the vocabulary does not age, the TTL only bounds a missed notification.
    vocabulary = InvalidatedCache(max_entries=s.vocabulary_cache_entries, ttl_seconds=VOCABULARY_TTL_SECONDS)
    index = PostgresSearchIndex(pool, vocabulary=vocabulary)
    cache = InvalidatedCache(max_entries=s.result_cache_entries, ttl_seconds=s.result_cache_ttl_seconds)
    searcher = Searcher(index, cache)
    indexer = InboxConsumer(pool=pool, bootstrap=s.kafka_bootstrap, group_id=s.indexer_group, topics=[TOPIC],
                            handler=event_handler(index.using), faults=FaultPoints(s.faults_dir),
                            retention=timedelta(days=s.messaging_retention_days))
    index_changes = pg_notifications(s.database_url, CHANGES_CHANNEL)

    def register(server: grpc.aio.Server) -> None:
        # Answers are returned as serialized bytes (cache hits as cached): PreserializedServer.
        search_service_pb2_grpc.add_SearchServiceServicer_to_server(
            SearchServicer(searcher), PreserializedServer(server))

    return ServiceApp(
        settings=s, error_domain="search.kulturago.ru", service_names=[_SERVICE], register=register,
        policy=POLICY, shutdown=[pool.close],
        workers=[
            Worker("search-indexer", indexer.run),  # required: without it the index goes stale
            Worker("search-result-cache", partial(follow, cache, index_changes), required=False),
            Worker("search-vocabulary-cache", partial(follow, vocabulary, index_changes), required=False),
            Worker("search-next-sessions", partial(refresh_forever, index), required=False),
        ],
    )
