"""S3 through the `minio` client (works with any S3: SeaweedFS locally)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import quote, urlparse

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
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
        self._credentials = Credentials(settings.access_key, settings.secret_key)

    @property
    def bucket(self) -> str:
        return self._s.bucket

    def presigned_put(self, key: str, ttl: timedelta, *, acl: str = "private") -> str:
        """A PUT URL the client uploads with, sending the header `x-amz-acl: <acl>`.

        The header is signed into the URL: S3 rejects (403 SignatureDoesNotMatch) an
        x-amz-* header that the signature does not cover, and a client cannot pick
        another ACL. minio's presigner signs `host` only; botocore's SigV4 query signer
        signs the headers of the request too.
        """
        endpoint = (self._s.public_endpoint or self._s.endpoint).rstrip("/")
        request = AWSRequest(method="PUT", url=f"{endpoint}/{self._s.bucket}/{quote(key)}",
                             headers={"x-amz-acl": acl})
        S3SigV4QueryAuth(self._credentials, "s3", self._s.region, expires=int(ttl.total_seconds())).add_auth(request)
        return str(request.url)

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

