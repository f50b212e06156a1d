"""S3 through the `minio` client (works with any S3: SeaweedFS locally)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlparse

from minio import Minio
from minio.error import S3Error
from pydantic import BaseModel


class S3Settings(BaseModel):
    endpoint: str = "http://127.0.0.1:9000"  # what the service talks to
    public_endpoint: str = ""  # what clients use in presigned URLs (default: endpoint)
    access_key: str = ""
    secret_key: str = ""
    region: str = "us-east-1"
    bucket: str = "kulturago"


def _client(endpoint: str, s: S3Settings) -> Minio:
    url = urlparse(endpoint)
    # region given explicitly: presigning is then pure computation, no round trip.
    return Minio(url.netloc, access_key=s.access_key, secret_key=s.secret_key,
                 secure=url.scheme == "https", region=s.region)


class ObjectStorage:
    def __init__(self, settings: S3Settings) -> None:
        self._s = settings
        self._client = _client(settings.endpoint, settings)
        self._signer = _client(settings.public_endpoint or settings.endpoint, settings)

    @property
    def bucket(self) -> str:
        return self._s.bucket

    def presigned_put(self, key: str, ttl: timedelta) -> str:
        return self._signer.presigned_put_object(self._s.bucket, key, expires=ttl)

    def presigned_get(self, key: str, ttl: timedelta) -> str:
        return self._signer.presigned_get_object(self._s.bucket, key, expires=ttl)

    async def exists(self, key: str) -> bool:
        def stat() -> bool:
            try:
                self._client.stat_object(self._s.bucket, key)
                return True
            except S3Error as exc:
                if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                    return False
                raise
        return await asyncio.to_thread(stat)

    async def ensure_bucket(self) -> None:
        def make() -> None:
            if not self._client.bucket_exists(self._s.bucket):
                self._client.make_bucket(self._s.bucket)
        await asyncio.to_thread(make)
