"""gid-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.object_storage import S3Fields
from services.runtime.settings import ServiceSettings


class GidSettings(ServiceSettings, S3Fields):
    service_name: str = "gid"
    http_host: str = "127.0.0.1"
    http_port: int = 17280  # WebSocket live tours and bundle downloads (the gateway's plain HTTP routes)
    geo_address: str = "127.0.0.1:17040"  # geo-service (gRPC), measures routes
    geo_timeout_seconds: float = 3.0

    # Speech synthesis: workers on the Redis stream `tts_stream`, consumer group `tts_group`.
    tts_workers: int = 2  # per replica
    tts_stream: str = "tts_jobs"
    tts_group: str = "tts"
    tts_claim_min_idle_ms: int = 5000  # a job silent this long is taken over from its (dead) worker
    tts_max_deliveries: int = 3  # then it goes to <tts_stream>.dlq
    tts_wait_seconds: float = 30.0  # Speak (and a narration) waits this long for a job
    tts_audio_cache_mb: int = 64  # recent audio kept in process
    redis_connections: int = 64  # at most, for sessions, the speech index and the queue

    # Live tours.
    live_window_kb: int = 96  # sent ahead of the listener's last acknowledgement
    bundle_wait_seconds: float = 25.0  # then 202 while the build goes on
