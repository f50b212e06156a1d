"""event-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.settings import ServiceSettings


class EventSettings(ServiceSettings):
    service_name: str = "event"
    list_cache_ttl_seconds: int = 60  # also bounded by invalidation on every publish
    default_radius_meters: float = 5000.0  # when lat/lon come without radius
