"""S3 through the `minio` client (works with any S3: SeaweedFS locally)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlparse

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

    def presigned_put(self, key: str, ttl: timedelta, *, acl: str = "private") -> str:
        """A PUT URL the client uploads with, sending the header `x-amz-acl: <acl>`.

        The header is signed into the URL: S3 rejects (403 SignatureDoesNotMatch) an
        x-amz-* header that the signature does not cover, and a client cannot pick
        another ACL. minio's presigner signs `host` only, hence our own SigV4.
        """
        return presign_v4(
            "PUT", self._s.public_endpoint or self._s.endpoint, f"{self._s.bucket}/{key}", ttl,
            access_key=self._s.access_key, secret_key=self._s.secret_key, region=self._s.region,
            headers={"x-amz-acl": acl},
        )

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


def _uri_encode(value: str, *, keep_slash: bool = False) -> str:
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def presign_v4(method: str, endpoint: str, path: str, ttl: timedelta, *, access_key: str, secret_key: str,
               region: str, headers: dict[str, str], now: datetime | None = None) -> str:
    """AWS Signature V4 query-string presigning (UNSIGNED-PAYLOAD) that also signs
    `headers`; the client must then send exactly these header values."""
    url = urlparse(endpoint)
    # The Host header a client sends: no port when it is the scheme's default.
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    host = (url.hostname or "") if url.port in (None, default_port) else f"{url.hostname}:{url.port}"
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{stamp[:8]}/{region}/s3/aws4_request"
    signed = {"host": host, **{name.lower(): value.strip() for name, value in headers.items()}}
    signed_names = ";".join(sorted(signed))
    query = "&".join(f"{_uri_encode(k)}={_uri_encode(v)}" for k, v in sorted({
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{access_key}/{scope}",
        "X-Amz-Date": stamp, "X-Amz-Expires": str(int(ttl.total_seconds())), "X-Amz-SignedHeaders": signed_names,
    }.items()))
    canonical_path = "/" + _uri_encode(path, keep_slash=True)
    canonical_request = "\n".join([
        method, canonical_path, query, "".join(f"{k}:{signed[k]}\n" for k in sorted(signed)), signed_names,
        "UNSIGNED-PAYLOAD",
    ])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = f"AWS4{secret_key}".encode()
    for part in (stamp[:8], region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{url.scheme}://{url.netloc}{canonical_path}?{query}&X-Amz-Signature={signature}"
