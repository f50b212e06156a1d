"""Unit tests for the presigned upload policy of services/runtime/object_storage.py:
what the signature binds is what S3 will enforce (tests/e2e/test_auth_avatar.py proves
SeaweedFS does)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from services.runtime.object_storage import ObjectStorage, S3Settings


def test_the_post_policy_binds_key_type_and_size_and_uses_the_public_endpoint() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://s3.internal:9000", public_endpoint="https://cdn.example.ru",
                                       access_key="ak", secret_key="sk", bucket="kulturago"))
    url, fields = storage.presigned_post("avatars/pending/abc", timedelta(minutes=15), content_type="image/png",
                                         min_bytes=1024, max_bytes=5 << 20)
    assert url == "https://cdn.example.ru/kulturago"
    assert (fields["key"], fields["Content-Type"]) == ("avatars/pending/abc", "image/png")
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["eq", "$key", "avatars/pending/abc"] in conditions
    assert ["eq", "$Content-Type", "image/png"] in conditions
    assert ["content-length-range", 1024, 5 << 20] in conditions
    assert fields["x-amz-signature"] and fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


def test_the_signature_changes_with_the_bound_content_type() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://127.0.0.1:18333", access_key="ak", secret_key="sk"))

    def signature(content_type: str) -> str:
        _, fields = storage.presigned_post("k", timedelta(minutes=1), content_type=content_type,
                                           min_bytes=1, max_bytes=10)
        return fields["x-amz-signature"]

    assert signature("image/png") != signature("text/html")
