"""gamification-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.settings import ServiceSettings


class GamificationSettings(ServiceSettings):
    service_name: str = "gamification"
    # The leaderboard projector: ledger rows per batch, and how often it looks for new ones.
    project_batch: int = 1000
    project_every_seconds: float = 0.2
    # Redis timeout of the projector and the rebuild (requests keep the runtime's short one).
    redis_write_timeout_seconds: float = 30.0
    # Inbox consumer: messages taken at once, and handled at once (one user's stay in order by
    # key). Each fact is a few short statements: latency-bound, so more at once pays.
    consumer_batch: int = 200
    consumer_concurrency: int = 16
