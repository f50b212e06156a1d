"""Unit tests for the SigV4 presigner in services/runtime/object_storage.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from services.runtime.object_storage import ObjectStorage, S3Settings, presign_v4

AWS_EXAMPLE = {"access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
               "region": "us-east-1"}


def test_matches_the_aws_documentation_example() -> None:
    # "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", example GET.
    url = presign_v4("GET", "https://examplebucket.s3.amazonaws.com", "test.txt", timedelta(hours=24),
                     headers={}, now=datetime(2013, 5, 24, tzinfo=UTC), **AWS_EXAMPLE)
    assert url == (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_avatar_upload_url_signs_the_acl_header_and_uses_the_public_endpoint() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://s3.internal:9000", public_endpoint="https://cdn.example.ru",
                                       access_key="ak", secret_key="sk", bucket="kulturago"))
    url = urlparse(storage.presigned_put("avatars/abc.jpg", timedelta(minutes=15)))
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "cdn.example.ru", "/kulturago/avatars/abc.jpg")
    assert query["X-Amz-SignedHeaders"] == ["host;x-amz-acl"]
    assert query["X-Amz-Expires"] == ["900"]


def test_signature_depends_on_the_signed_header_value() -> None:
    def sign(acl: str) -> str:
        return presign_v4("PUT", "http://127.0.0.1:18333", "b/k.jpg", timedelta(minutes=1),
                          headers={"x-amz-acl": acl}, now=datetime(2025, 1, 1, tzinfo=UTC), **AWS_EXAMPLE)

    assert sign("private") != sign("public-read")
