"""geo-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.geo.adapters.geo_cache import CachePolicy
from services.runtime.settings import ServiceSettings


class GeoSettings(ServiceSettings):
    service_name: str = "geo"
    geo_cache_enabled: bool = True
    geo_cache_hot_hits: int = 3  # lookups of a map cell per window that make it hot
    geo_cache_hit_window_seconds: int = 60
    geo_cache_ttl_seconds: int = 900
    geo_cache_max_radius_meters: float = 2000.0
    geo_cache_key_prefix: str = "geo"
    route_snap_meters: float = 500.0  # endpoints farther from the road graph get a geodesic estimate

    def cache_policy(self) -> CachePolicy:
        return CachePolicy(hot_hits=self.geo_cache_hot_hits, hit_window_s=self.geo_cache_hit_window_seconds,
                           ttl_s=self.geo_cache_ttl_seconds, max_radius_m=self.geo_cache_max_radius_meters)
