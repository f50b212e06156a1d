"""Unit tests for the presigned upload URLs of services/runtime/object_storage.py."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from services.runtime.object_storage import ObjectStorage, S3Settings


def test_avatar_upload_url_signs_the_acl_header_and_uses_the_public_endpoint() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://s3.internal:9000", public_endpoint="https://cdn.example.ru",
                                       access_key="ak", secret_key="sk", bucket="kulturago"))
    url = urlparse(storage.presigned_put("avatars/abc.jpg", timedelta(minutes=15)))
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "cdn.example.ru", "/kulturago/avatars/abc.jpg")
    assert query["X-Amz-SignedHeaders"] == ["host;x-amz-acl"]
    assert query["X-Amz-Expires"] == ["900"]


def test_signature_depends_on_the_signed_header_value() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://127.0.0.1:18333", access_key="ak", secret_key="sk"))

    def signature(acl: str) -> str:
        url = storage.presigned_put("b/k.jpg", timedelta(minutes=1), acl=acl)
        return parse_qs(urlparse(url).query)["X-Amz-Signature"][0]

    assert signature("private") != signature("public-read")
