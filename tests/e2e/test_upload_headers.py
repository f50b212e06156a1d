"""A presign reply names everything its upload must send: the form fields (`fields`) and the
HTTP headers (`headers`, filled by services/runtime/uploads.py for every presign reply).
An upload that sends exactly those, and the file, is taken by S3 (SeaweedFS); one that
leaves out any of them is refused, so the reply is both complete and exact."""

from __future__ import annotations

import io
import os
from typing import Any

import httpx
import pytest
from auth_support import Account, error_reason
from PIL import Image


def _presign(http: httpx.Client, account: Account) -> dict[str, Any]:
    reply = http.get("/api/v1/avatar/presign", headers=account.headers, params={"contentType": "image/png"})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def _png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(out, "PNG")  # noise: over 1 KiB
    return out.getvalue()


def _upload(reply: dict[str, Any], *, without: str | None = None) -> httpx.Response:
    """What an SDK's upload helper does with the reply: the reply's method and URL, its
    headers, its fields as form fields, then the file as the last part, named `file`."""
    fields = {name: value for name, value in reply["fields"].items() if name != without}
    headers = {name: value for name, value in reply["headers"].items() if name != without}
    return httpx.request(reply["method"], reply["url"], headers=headers, data=fields,
                         files={"file": ("avatar.png", _png(), reply["contentType"])}, timeout=30)


def test_the_reply_names_the_headers_and_fields_of_the_upload(http: httpx.Client, account: Account) -> None:
    reply = _presign(http, account)
    assert reply["method"] == "POST"
    assert isinstance(reply["headers"], dict)  # always there (empty: a POST policy signs form fields only)
    assert all(isinstance(v, str) for v in [*reply["headers"].values(), *reply["fields"].values()])
    assert {"key", "Content-Type", "policy", "x-amz-signature"} <= set(reply["fields"])


def test_an_upload_with_exactly_what_the_reply_names_is_taken(http: httpx.Client, account: Account) -> None:
    reply = _presign(http, account)
    uploaded = _upload(reply)
    assert uploaded.status_code == 204, uploaded.text
    saved = http.put("/api/v1/profile", headers=account.headers, json={"avatar": reply["objectKey"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["avatar"].endswith(".png")


@pytest.mark.parametrize("part", ["key", "Content-Type", "policy", "x-amz-algorithm", "x-amz-credential",
                                  "x-amz-date", "x-amz-signature"])
def test_an_upload_without_any_signed_part_is_refused(http: httpx.Client, account: Account, part: str) -> None:
    reply = _presign(http, account)
    assert part in {**reply["fields"], **reply["headers"]}, f"the reply no longer names {part}"
    refused = _upload(reply, without=part)
    assert refused.status_code in (400, 403), (part, refused.status_code, refused.text)
    saved = http.put("/api/v1/profile", headers=account.headers, json={"avatar": reply["objectKey"]})
    assert error_reason(saved) == "AVATAR_NOT_UPLOADED"  # nothing reached the pending key


def test_every_header_the_reply_names_is_needed(http: httpx.Client, account: Account) -> None:
    reply = _presign(http, account)
    for name in reply["headers"]:  # none for today's POST policy; each one a presigned PUT signs
        assert _upload(reply, without=name).status_code in (400, 403), name
