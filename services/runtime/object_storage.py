"""S3 through the `minio` client (works with any S3: SeaweedFS locally)."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error
from pydantic import BaseModel


class S3Settings(BaseModel):
    endpoint: str = "http://127.0.0.1:9000"  # what the service talks to
    public_endpoint: str = ""  # what clients use in presigned URLs (default: endpoint)
    # Where clients fetch presigned views instead, when a front adds the headers S3 cannot
    # (nosniff): the gateway's /media route, which proxies to public_endpoint unchanged.
    view_endpoint: str = ""
    access_key: str = ""
    secret_key: str = ""
    region: str = "us-east-1"
    bucket: str = "kulturago"


class S3Fields(BaseModel):
    """A service's S3 settings as flat fields (KGO_S3_ENDPOINT, ...), like all its others:
    mix into its settings class and build the client from `s3()`."""

    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_public_endpoint: str = ""
    s3_view_endpoint: str = ""  # presigned views go through it (the gateway's /media adds nosniff)
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "kulturago"

    def s3(self) -> S3Settings:
        return S3Settings(endpoint=self.s3_endpoint, public_endpoint=self.s3_public_endpoint,
                          view_endpoint=self.s3_view_endpoint, access_key=self.s3_access_key,
                          secret_key=self.s3_secret_key, bucket=self.s3_bucket)


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

    def presigned_post(self, key: str, ttl: timedelta, *, content_type: str, min_bytes: int,
                       max_bytes: int) -> tuple[str, dict[str, str]]:
        """(URL, form fields) of an S3 POST upload (browser-based upload, SigV4 POST policy):
        the policy fixes the key, the Content-Type and the size range, and S3 refuses an
        upload that breaks any of them (403 AccessDenied, 400 EntityTooLarge/Small). The
        client sends every field as given, then the file as the last part, named `file`.
        The policy can be used again until it expires: single use is the saver's job."""
        policy = PostPolicy(self._s.bucket, datetime.now(UTC) + ttl)
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(min_bytes, max_bytes)
        fields = self._signer.presigned_post_policy(policy)
        endpoint = (self._s.public_endpoint or self._s.endpoint).rstrip("/")
        return f"{endpoint}/{self._s.bucket}", {"key": key, "Content-Type": content_type, **fields}

    def presigned_get(self, key: str, ttl: timedelta, *, content_type: str | None = None,
                      content_disposition: str | None = None) -> str:
        """A GET URL; `content_type`/`content_disposition` are signed into it as the
        response-* overrides, so the object is served with them whatever it was stored with."""
        wanted = (("response-content-type", content_type), ("response-content-disposition", content_disposition))
        overrides: dict[str, str | list[str] | tuple[str]] = {name: value for name, value in wanted if value}
        url = self._signer.presigned_get_object(self._s.bucket, key, expires=ttl, response_headers=overrides or None)
        if self._s.view_endpoint:
            # Signed for the S3 host and path; the front restores both before S3 checks them.
            signed_for = (self._s.public_endpoint or self._s.endpoint).rstrip("/")
            url = self._s.view_endpoint.rstrip("/") + url.removeprefix(signed_for)
        return url

    async def size(self, key: str) -> int | None:
        """The object's size, None when there is none."""
        def stat() -> int | None:
            try:
                return self._client.stat_object(self._s.bucket, key).size
            except S3Error as exc:
                if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                    return None
                raise
        return await asyncio.to_thread(stat)

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def read(self, key: str, max_bytes: int) -> bytes:
        """At most `max_bytes` of the object (a bound, whatever its size turned out to be)."""
        def get() -> bytes:
            response = self._client.get_object(self._s.bucket, key, length=max_bytes)
            try:
                return bytes(response.read(max_bytes))
            finally:
                response.close()
                response.release_conn()
        return await asyncio.to_thread(get)

    async def write(self, key: str, data: bytes, *, content_type: str, cache_control: str = "") -> None:
        metadata: dict[str, str | list[str] | tuple[str]] | None = (
            {"Cache-Control": cache_control} if cache_control else None)
        await asyncio.to_thread(self._client.put_object, self._s.bucket, key, io.BytesIO(data), len(data),
                                content_type=content_type, metadata=metadata)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.remove_object, self._s.bucket, key)

    async def ensure_bucket(self) -> None:
        def make() -> None:
            if not self._client.bucket_exists(self._s.bucket):
                self._client.make_bucket(self._s.bucket)
        await asyncio.to_thread(make)

