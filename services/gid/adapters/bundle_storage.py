"""Bundles in S3, handed out as presigned downloads (through the gateway's /media route
locally, which adds nosniff; a CDN in a cluster)."""

from __future__ import annotations

from datetime import timedelta

from services.runtime.object_storage import ObjectStorage


class S3BundleStorage:
    def __init__(self, storage: ObjectStorage) -> None:
        self._storage = storage

    async def put(self, key: str, data: bytes) -> None:
        await self._storage.write(key, data, content_type="application/zip", cache_control="private, max-age=3600")

    def download_url(self, key: str, ttl: timedelta, filename: str) -> str:
        return self._storage.presigned_get(key, ttl, content_type="application/zip",
                                           content_disposition=f'attachment; filename="{filename}"')
