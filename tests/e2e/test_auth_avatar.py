"""Avatar uploads: presign through the gateway, PUT straight to S3 (SeaweedFS) the way
the product spec tells clients to, then save the key with PUT /api/v1/profile."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import redis as redis_sync
from auth_support import Account, assert_bad_request, error_reason

from kgo import topology

KEY_RE = re.compile(r"^[0-9a-f]{64}\.jpg$")
# The smallest well-formed JPEG: SOI, a JFIF APP0 segment, EOI.
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
# What the spec (docs: avatar upload, step 4) says a client sends with the PUT.
UPLOAD_HEADERS = {"Content-Type": "image/jpeg", "x-amz-acl": "private"}


@dataclass(frozen=True)
class Presigned:
    url: str
    object_key: str
    expires: datetime


def presign(http: httpx.Client, account: Account) -> Presigned:
    reply = http.get("/api/v1/avatar/presign", headers=account.headers)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"url", "objectKey", "expires"}
    return Presigned(body["url"], body["objectKey"], datetime.fromisoformat(body["expires"]))


def upload(presigned: Presigned, data: bytes = JPEG, headers: dict[str, str] = UPLOAD_HEADERS) -> httpx.Response:
    return httpx.put(presigned.url, content=data, headers=headers, timeout=15)


def save_avatar(http: httpx.Client, account: Account, object_key: str) -> httpx.Response:
    return http.put("/api/v1/profile", headers=account.headers, json={"avatar": object_key})


def pending_key(redis_client: redis_sync.Redis, account: Account) -> str | None:
    raw = redis_client.get(f"pending:{account.id}")
    return raw.decode() if raw else None


def test_presign_gives_a_put_url_for_a_new_key(http: httpx.Client, account: Account,
                                               redis_client: redis_sync.Redis) -> None:
    asked_at = datetime.now(UTC)
    presigned = presign(http, account)
    assert KEY_RE.match(presigned.object_key)
    url = urlparse(presigned.url)
    query = parse_qs(url.query)
    assert url.netloc == f"127.0.0.1:{topology.S3_PORT}"
    assert url.path == f"/{topology.S3_BUCKET}/avatars/{presigned.object_key}"
    assert query["X-Amz-Expires"] == ["900"]
    assert "x-amz-acl" in query["X-Amz-SignedHeaders"][0].split(";")
    # expires = issue time + 15 min (the clock is this machine's for both sides).
    assert asked_at + timedelta(seconds=899) <= presigned.expires <= datetime.now(UTC) + timedelta(seconds=901)
    # The key waits in Redis (EX 600) for PUT /api/v1/profile.
    assert pending_key(redis_client, account) == presigned.object_key
    assert 0 < redis_client.ttl(f"pending:{account.id}") <= 600


def test_each_presign_replaces_the_pending_key(http: httpx.Client, account: Account,
                                              redis_client: redis_sync.Redis) -> None:
    first, second = presign(http, account), presign(http, account)
    assert first.object_key != second.object_key
    assert pending_key(redis_client, account) == second.object_key
    assert upload(first).status_code == 200
    assert error_reason(save_avatar(http, account, first.object_key)) == "AVATAR_KEY_UNKNOWN"


def test_presign_needs_an_access_token(http: httpx.Client) -> None:
    assert http.get("/api/v1/avatar/presign").status_code == 401


def test_full_avatar_flow(http: httpx.Client, account: Account, redis_client: redis_sync.Redis) -> None:
    presigned = presign(http, account)

    uploaded = upload(presigned)
    assert uploaded.status_code == 200, uploaded.text

    reply = save_avatar(http, account, presigned.object_key)
    assert reply.status_code == 200, reply.text
    profile = reply.json()
    assert profile["avatar"] == presigned.object_key
    assert pending_key(redis_client, account) is None  # one key, one use

    for avatar_url in (profile["avatarUrl"], http.get("/api/v1/me", headers=account.headers).json()["avatarUrl"]):
        download = httpx.get(avatar_url, timeout=15)
        assert download.status_code == 200, download.text
        assert download.content == JPEG
        assert download.headers["content-type"] == "image/jpeg"

    # The saved key cannot be replayed: its pending entry is gone.
    assert error_reason(save_avatar(http, account, presigned.object_key)) == "AVATAR_KEY_UNKNOWN"


def test_the_object_is_private(http: httpx.Client, account: Account) -> None:
    presigned = presign(http, account)
    assert upload(presigned).status_code == 200
    unsigned = presigned.url.split("?", 1)[0]
    assert httpx.get(unsigned, timeout=15).status_code == 403


def test_upload_with_another_acl_is_refused(http: httpx.Client, account: Account) -> None:
    # x-amz-acl is signed into the URL: a client cannot make its avatar public-read.
    presigned = presign(http, account)
    assert upload(presigned, headers={**UPLOAD_HEADERS, "x-amz-acl": "public-read"}).status_code == 403


def test_another_users_pending_key_is_refused(http: httpx.Client, account: Account,
                                              new_account: Callable[[], Account]) -> None:
    other = new_account()
    theirs = presign(http, other)
    assert upload(theirs).status_code == 200
    reply = save_avatar(http, account, theirs.object_key)
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "AVATAR_KEY_UNKNOWN"
    # ... and the owner can still use it.
    assert save_avatar(http, other, theirs.object_key).status_code == 200


def test_key_never_uploaded_is_refused(http: httpx.Client, account: Account,
                                       redis_client: redis_sync.Redis) -> None:
    presigned = presign(http, account)
    reply = save_avatar(http, account, presigned.object_key)
    assert_bad_request(reply, "avatar")
    assert error_reason(reply) == "AVATAR_NOT_UPLOADED"
    # The key stays pending: the client may still upload and retry.
    assert pending_key(redis_client, account) == presigned.object_key
    assert upload(presigned).status_code == 200
    assert save_avatar(http, account, presigned.object_key).status_code == 200


def test_expired_presign_is_refused(http: httpx.Client, account: Account, redis_client: redis_sync.Redis) -> None:
    presigned = presign(http, account)
    assert upload(presigned).status_code == 200
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
    assert upload(presigned).status_code == 200
    assert save_avatar(http, account, presigned.object_key).json()["avatar"] == presigned.object_key
    removed = save_avatar(http, account, "")
    assert removed.status_code == 200, removed.text
    assert removed.json()["avatar"] == "" and removed.json()["avatarUrl"] == ""
    assert http.get("/api/v1/me", headers=account.headers).json()["avatarUrl"] == ""
