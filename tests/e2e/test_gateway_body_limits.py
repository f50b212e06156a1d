"""Request bodies above an RPC's limit are refused by the gateway with a 413 naming the
limit (kgo/gateway.py: 64 KiB by default, 1 MiB to publish an event), counted in the
bytes the client sends, before anything is transcoded or reaches a service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from auth_support import Account
from catalog_support import event_body

from kgo import gateway

MIB = 1024 * 1024


def _padded(body: dict[str, Any], size: int) -> bytes:
    # An unknown field: the transcoder ignores it, so only the size differs from a valid body.
    raw = json.dumps({**body, "padding": ""}).encode()
    return json.dumps({**body, "padding": "x" * (size - len(raw))}).encode()


def _assert_too_large(reply: httpx.Response, limit: str) -> None:
    assert reply.status_code == 413, reply.text[:300]
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["code"] == 3
    assert limit in reply.json()["message"], reply.text


def test_ten_megabytes_to_the_profile_is_413(http: httpx.Client, account: Account) -> None:
    reply = http.put("/api/v1/profile", content=_padded({"city": "Москва"}, 10 * MIB), headers=account.headers)
    _assert_too_large(reply, "64 KiB")
    assert http.get("/api/v1/profile", headers=account.headers).json()["city"] != "Москва"


def test_ten_megabytes_to_sign_in_is_413_not_a_grpc_size_error(http: httpx.Client) -> None:
    reply = http.post("/api/v1/auth/signin", content=_padded({"login": "x" * 100, "password": "y"}, 10 * MIB))
    _assert_too_large(reply, "64 KiB")


def test_a_body_just_under_the_limit_reaches_the_service(http: httpx.Client, account: Account) -> None:
    limit = gateway.DEFAULT_BODY_LIMIT
    reply = http.put("/api/v1/profile", content=_padded({"city": "Казань"}, limit - 100), headers=account.headers)
    assert reply.status_code == 200, reply.text[:300]
    assert reply.json()["city"] == "Казань"
    over = http.put("/api/v1/profile", content=_padded({"city": "Тверь"}, limit + 1), headers=account.headers)
    _assert_too_large(over, "64 KiB")


def test_a_chunked_body_without_a_length_is_limited_too(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        body = _padded({"login": "x", "password": "y"}, 200 * 1024)
        for i in range(0, len(body), 16 * 1024):
            yield body[i:i + 16 * 1024]

    reply = http.post("/api/v1/auth/signin", content=chunks())
    _assert_too_large(reply, "64 KiB")


def test_publishing_an_event_takes_up_to_one_mebibyte(http: httpx.Client, admin: Account) -> None:
    body = event_body()
    reply = http.post("/api/v1/events", content=_padded(body, 512 * 1024), headers=admin.headers)
    assert reply.status_code == 200, reply.text[:300]  # over the default limit, within its own
    assert reply.json()["slug"] == body["slug"]
    too_large = http.post("/api/v1/events", content=_padded(event_body(), 2 * MIB), headers=admin.headers)
    _assert_too_large(too_large, "1 MiB")
