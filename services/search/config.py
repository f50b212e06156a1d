"""search-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.settings import ServiceSettings


class SearchSettings(ServiceSettings):
    service_name: str = "search"
    indexer_group: str = "search-indexer"  # Kafka consumer group of event.published
    result_cache_entries: int = 4096  # 0 disables the cache
    result_cache_ttl_seconds: float = 30.0  # also emptied on every index change
    vocabulary_cache_entries: int = 20_000  # words' token analysis; 0 disables the cache
    pool_max_size: int = 10
