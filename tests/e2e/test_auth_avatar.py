"""Avatar uploads: presign through the gateway, upload straight to S3 (SeaweedFS) with the
presigned POST policy, then save the key with PUT /api/v1/profile, which checks the
image, moves it to its final content-addressed key and uses the pending key up."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis as redis_sync
from auth_support import Account, assert_bad_request, error_reason
from conftest import GATEWAY
from minio import Minio
from PIL import Image

from kgo import provision, topology
from kgo.gateway import MEDIA_PREFIX

KEY_RE = re.compile(r"^[0-9a-f]{64}\.jpg$")
MAX_BYTES = 5 * 1024 * 1024
HTML = b"<html><body><script>fetch('/steal?c=' + document.cookie)</script></body></html>" + b" " * 2048


def image(fmt: str = "JPEG", size: tuple[int, int] = (96, 64)) -> bytes:
    """A real image of noise (above the 1 KiB minimum)."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, fmt)
    return out.getvalue()


@dataclass(frozen=True)
class Presigned:
    url: str
    fields: dict[str, str]
    object_key: str
    expires: datetime
    body: dict[str, Any]


def presign(http: httpx.Client, account: Account, content_type: str | None = None) -> Presigned:
    params = {"contentType": content_type} if content_type else None
    reply = http.get("/api/v1/avatar/presign", headers=account.headers, params=params)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return Presigned(body["url"], body["fields"], body["objectKey"], datetime.fromisoformat(body["expires"]), body)


def upload(presigned: Presigned, data: bytes, content_type: str | None = None,
           **field_overrides: str) -> httpx.Response:
    """What a client does with the reply: every field as given, then the file, last."""
    fields = {**presigned.fields, **field_overrides}
    if content_type:
        fields["Content-Type"] = content_type
    return httpx.post(presigned.url, data=fields, files={"file": ("avatar", data, fields["Content-Type"])},
                      timeout=30)


def save_avatar(http: httpx.Client, account: Account, object_key: str) -> httpx.Response:
    return http.put("/api/v1/profile", headers=account.headers, json={"avatar": object_key})


def pending_key(redis_client: redis_sync.Redis, account: Account) -> str | None:
    raw = redis_client.get(f"pending:{account.id}")
    return raw.decode() if raw else None


@pytest.fixture(scope="module")
def s3() -> Minio:
    access, secret = provision.s3_credentials()
    return Minio(f"127.0.0.1:{topology.S3_PORT}", access_key=access, secret_key=secret, secure=False,
                 region="us-east-1")


def stored(s3: Minio, key: str) -> bool:
    return any(True for _ in s3.list_objects(topology.S3_BUCKET, prefix=key))


def test_presign_gives_a_post_policy_for_a_new_key(http: httpx.Client, account: Account,
                                                   redis_client: redis_sync.Redis) -> None:
    asked_at = datetime.now(UTC)
    presigned = presign(http, account)
    assert KEY_RE.match(presigned.object_key)
    assert presigned.url == f"http://127.0.0.1:{topology.S3_PORT}/{topology.S3_BUCKET}"
    assert presigned.body["method"] == "POST" and presigned.body["contentType"] == "image/jpeg"
    assert (int(presigned.body["minSizeBytes"]), int(presigned.body["maxSizeBytes"])) == (1024, MAX_BYTES)
    assert presigned.fields["key"] == f"avatars/pending/{presigned.object_key}"
    assert presigned.fields["Content-Type"] == "image/jpeg"
    assert {"policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} <= set(presigned.fields)
    assert asked_at + timedelta(seconds=899) <= presigned.expires <= datetime.now(UTC) + timedelta(seconds=901)
    # The key waits in Redis (EX 600) for PUT /api/v1/profile.
    assert pending_key(redis_client, account) == presigned.object_key
    assert 0 < redis_client.ttl(f"pending:{account.id}") <= 600


def test_presign_for_another_image_type_and_only_image_types(http: httpx.Client, account: Account) -> None:
    assert presign(http, account, "image/png").fields["Content-Type"] == "image/png"
    assert presign(http, account, "image/webp").fields["Content-Type"] == "image/webp"
    reply = http.get("/api/v1/avatar/presign", headers=account.headers, params={"contentType": "text/html"})
    assert_bad_request(reply, "contentType")


def test_presign_needs_an_access_token(http: httpx.Client) -> None:
    assert http.get("/api/v1/avatar/presign").status_code == 401


@pytest.mark.parametrize(("fmt", "content_type", "extension"), [("PNG", "image/png", "png"),
                                                                ("JPEG", "image/jpeg", "jpg")])
def test_a_real_image_is_saved_under_its_content_and_served_with_its_type(
        http: httpx.Client, account: Account, redis_client: redis_sync.Redis, s3: Minio,
        fmt: str, content_type: str, extension: str) -> None:
    data = image(fmt)
    presigned = presign(http, account, content_type)
    uploaded = upload(presigned, data)
    assert uploaded.status_code == 204, uploaded.text

    reply = save_avatar(http, account, presigned.object_key)
    assert reply.status_code == 200, reply.text
    profile = reply.json()
    assert profile["avatar"] == f"{hashlib.sha256(data).hexdigest()}.{extension}"  # immutable, content-addressed
    assert pending_key(redis_client, account) is None  # one key, one use
    assert not stored(s3, presigned.fields["key"])  # the pending object is gone

    for avatar_url in (profile["avatarUrl"], http.get("/api/v1/me", headers=account.headers).json()["avatarUrl"]):
        download = httpx.get(avatar_url, timeout=15)
        assert download.status_code == 200, download.text
        assert download.content == data
        assert download.headers["content-type"] == content_type
        assert download.headers["content-disposition"] == "inline"
        # Fetched through the gateway's media route, which adds what S3 cannot.
        assert avatar_url.startswith(f"{GATEWAY}{MEDIA_PREFIX}/"), avatar_url
        assert download.headers["x-content-type-options"] == "nosniff"
    # Private: without the signature there is nothing to see.
    assert httpx.get(profile["avatarUrl"].split("?", 1)[0], timeout=15).status_code == 403


def test_html_is_refused_as_declared_and_as_an_image(http: httpx.Client, account: Account, s3: Minio) -> None:
    presigned = presign(http, account)
    declared = upload(presigned, HTML, "text/html")  # the policy binds the Content-Type
    assert declared.status_code == 403, declared.text
    assert not stored(s3, presigned.fields["key"])

    disguised = upload(presigned, HTML)  # declared image/jpeg: S3 cannot look inside ...
    assert disguised.status_code == 204, disguised.text
    reply = save_avatar(http, account, presigned.object_key)  # ... the save does
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "AVATAR_NOT_AN_IMAGE"
    assert http.get("/api/v1/profile", headers=account.headers).json()["avatar"] == ""
    assert not stored(s3, presigned.fields["key"])  # deleted, never served


def test_an_oversized_upload_is_refused_by_s3(http: httpx.Client, account: Account, s3: Minio) -> None:
    presigned = presign(http, account)
    too_big = upload(presigned, b"\xff\xd8\xff" + os.urandom(MAX_BYTES))
    assert too_big.status_code == 400 and "EntityTooLarge" in too_big.text
    too_small = upload(presigned, b"\xff\xd8\xff\xe0")
    assert too_small.status_code == 400 and "EntityTooSmall" in too_small.text
    assert not stored(s3, presigned.fields["key"])
    assert error_reason(save_avatar(http, account, presigned.object_key)) == "AVATAR_NOT_UPLOADED"


def test_the_policy_binds_the_key(http: httpx.Client, account: Account, s3: Minio) -> None:
    presigned = presign(http, account)
    elsewhere = "avatars/" + "0" * 64 + ".png"
    assert upload(presigned, image(), key=elsewhere).status_code == 403
    assert not stored(s3, elsewhere)


def test_a_pending_key_is_used_once(http: httpx.Client, account: Account) -> None:
    presigned = presign(http, account)
    assert upload(presigned, image()).status_code == 204
    first = save_avatar(http, account, presigned.object_key)
    assert first.status_code == 200, first.text
    # The policy is still valid for S3, which lets the same key be uploaded again ...
    assert upload(presigned, image()).status_code == 204
    again = save_avatar(http, account, presigned.object_key)  # ... but the save refuses it
    assert_bad_request(again, "avatar")
    assert error_reason(again) == "AVATAR_KEY_UNKNOWN"
    assert http.get("/api/v1/profile", headers=account.headers).json()["avatar"] == first.json()["avatar"]


def test_each_presign_replaces_the_pending_key(http: httpx.Client, account: Account,
                                               redis_client: redis_sync.Redis) -> None:
    first, second = presign(http, account), presign(http, account)
    assert first.object_key != second.object_key
    assert pending_key(redis_client, account) == second.object_key
    assert upload(first, image()).status_code == 204
    assert error_reason(save_avatar(http, account, first.object_key)) == "AVATAR_KEY_UNKNOWN"


def test_another_users_pending_key_is_refused(http: httpx.Client, account: Account,
                                              new_account: Callable[[], Account]) -> None:
    other = new_account()
    theirs = presign(http, other)
    assert upload(theirs, image()).status_code == 204
    reply = save_avatar(http, account, theirs.object_key)
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "AVATAR_KEY_UNKNOWN"
    # ... and the owner can still use it.
    assert save_avatar(http, other, theirs.object_key).status_code == 200


def test_key_never_uploaded_is_refused_and_stays_pending(http: httpx.Client, account: Account,
                                                        redis_client: redis_sync.Redis) -> None:
    presigned = presign(http, account)
    reply = save_avatar(http, account, presigned.object_key)
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "AVATAR_NOT_UPLOADED"
    # The key stays pending: the client may still upload and retry.
    assert pending_key(redis_client, account) == presigned.object_key
    assert upload(presigned, image()).status_code == 204
    assert save_avatar(http, account, presigned.object_key).status_code == 200


def test_expired_presign_is_refused(http: httpx.Client, account: Account, redis_client: redis_sync.Redis) -> None:
    presigned = presign(http, account)
    assert upload(presigned, image()).status_code == 204
    redis_client.delete(f"pending:{account.id}")  # what the 10-minute TTL does
    reply = save_avatar(http, account, presigned.object_key)
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "AVATAR_KEY_UNKNOWN"
    assert http.get("/api/v1/profile", headers=account.headers).json()["avatar"] == ""


@pytest.mark.parametrize("key", ["a" * 64 + ".png", "avatars/" + "a" * 64 + ".jpg", "A" * 64 + ".jpg"])
def test_malformed_key_fails_validation(http: httpx.Client, account: Account, key: str) -> None:
    reply = save_avatar(http, account, key)
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "INVALID_ARGUMENT"


def test_empty_key_removes_the_avatar(http: httpx.Client, account: Account) -> None:
    presigned = presign(http, account)
    assert upload(presigned, image()).status_code == 204
    assert save_avatar(http, account, presigned.object_key).json()["avatar"].endswith(".jpg")
    removed = save_avatar(http, account, "")
    assert removed.status_code == 200, removed.text
    assert removed.json()["avatar"] == "" and removed.json()["avatarUrl"] == ""
    assert http.get("/api/v1/me", headers=account.headers).json()["avatarUrl"] == ""
