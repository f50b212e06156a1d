"""recommendation-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.object_storage import S3Settings
from services.runtime.settings import ServiceSettings


class RecommendationSettings(ServiceSettings):
    service_name: str = "recommendation"
    actions_per_minute: int = 600  # per user, reported by the apps
    catalog_poll_seconds: float = 1.0  # how often the catalog copy is checked for changes
    catalog_rebuild_seconds: float = 30.0  # popularity and "starts after now" are refreshed this often
    model_poll_seconds: float = 2.0  # other replicas' activations are seen within this
    training_days: int = 90  # the log the nightly model learns from
    nightly_retrain: bool = True

    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "kulturago"

    def s3(self) -> S3Settings:
        return S3Settings(endpoint=self.s3_endpoint, access_key=self.s3_access_key, secret_key=self.s3_secret_key,
                          bucket=self.s3_bucket)
