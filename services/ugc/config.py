"""ugc-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.runtime.object_storage import S3Fields
from services.runtime.settings import ServiceSettings


class UgcSettings(ServiceSettings, S3Fields):
    service_name: str = "ugc"
    photo_upload_ttl_seconds: int = 900  # the presigned POST of a review photo
    photo_view_ttl_seconds: int = 3600  # presigned GET URLs of photos in reviews
    # Google Cloud Vision (SafeSearch) moderates review photos; the sandbox's locally.
    vision_base_url: str = "https://vision.googleapis.com"
    vision_api_key: str = ""
    vision_timeout_seconds: float = 10.0
