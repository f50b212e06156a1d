"""The Python SDK's pure parts (sdk/python/src/kulturago_sdk/_core.py, errors.py): the
gateway address, when a refused call is worth a refresh, typed errors from a status,
and the avatar upload request built from a presign reply. The SDK against the real
gateway: tests/e2e/test_sdk_python.py."""

from __future__ import annotations

import base64
import json
import sys
import time
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from kgo import sdk_python

sys.path.insert(0, str(sdk_python.SDK / "src"))  # the package as the wheel ships it (no install needed)

from kulturago_sdk import _core, errors

from kulturago.auth.v1 import auth_service_pb2 as auth_pb


@pytest.mark.parametrize(("url", "address", "secure"), [
    ("http://127.0.0.1:8080", "127.0.0.1:8080", False),
    ("127.0.0.1:8080", "127.0.0.1:8080", False),
    ("https://api.kulturago.ru", "api.kulturago.ru:443", True),
    ("https://[::1]:8443/", "[::1]:8443", True),
])
def test_base_url(url: str, address: str, secure: bool) -> None:
    assert _core.parse_base_url(url) == _core.Target(address, secure)


@pytest.mark.parametrize("url", ["ftp://host:21", "http://host:8080/api/v1", "http://"])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        _core.parse_base_url(url)


def _token(exp: float) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"exp": exp}).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJFZERTQSJ9.{payload}.c2ln"


def _error(code: grpc.StatusCode, reason: str = "", violations: tuple[str, ...] = ()) -> errors.ApiError:
    details = [any_pb2.Any()]
    details[0].Pack(error_details_pb2.ErrorInfo(reason=reason, domain="gateway.kulturago.ru"))
    if violations:
        bad = any_pb2.Any()
        bad.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description="wrong") for f in violations]))
        details.append(bad)
    status = status_pb2.Status(code=code.value[0], message="refused", details=details)
    call: Any = SimpleNamespace(code=lambda: code, details=lambda: "refused",
                                trailing_metadata=lambda: [("grpc-status-details-bin", status.SerializeToString())])
    return errors.from_rpc_error(call)


def test_a_refresh_helps_only_an_expired_token() -> None:
    now = time.time()
    fresh, stale = _token(now + 600), _token(now - 5)
    assert _core.refresh_may_help(_error(grpc.StatusCode.UNAUTHENTICATED, "TOKEN_EXPIRED"), fresh, now)
    assert _core.refresh_may_help(_error(grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID"), stale, now)
    assert not _core.refresh_may_help(_error(grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID"), fresh, now)
    assert not _core.refresh_may_help(_error(grpc.StatusCode.PERMISSION_DENIED, "TOKEN_EXPIRED"), stale, now)
    assert _core.expired(_token(now + 10), now) and not _core.expired(_token(now + 60), now)
    assert not _core.expired("not-a-jwt", now)  # unknown: the server decides


def test_errors_are_typed_by_code_and_carry_the_details() -> None:
    error = _error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", ("email", "login"))
    assert isinstance(error, errors.InvalidArgument) and isinstance(error, grpc.RpcError)
    assert (error.reason, error.domain, error.fields) == ("INVALID_ARGUMENT", "gateway.kulturago.ru",
                                                          ["email", "login"])
    assert type(_error(grpc.StatusCode.DATA_LOSS)) is errors.ApiError
    assert _core.session_is_over(_error(grpc.StatusCode.UNAUTHENTICATED))
    assert not _core.session_is_over(_error(grpc.StatusCode.UNAVAILABLE))


def _parts(upload: _core.Upload) -> list[bytes]:
    boundary = upload.headers["content-type"].split("boundary=")[1].encode()
    return [p for p in upload.body.split(b"--" + boundary) if p.strip(b"-\r\n")]


def test_a_post_policy_upload_sends_the_fields_then_the_file() -> None:
    presign = auth_pb.PresignAvatarResponse(url="http://s3/bucket", method="POST", content_type="image/png",
                                            fields={"key": "avatars/pending/k", "policy": "p"})
    upload = _core.upload_request(presign, b"\x89PNG...")
    assert (upload.method, upload.url) == ("POST", "http://s3/bucket")
    parts = _parts(upload)
    assert [p.split(b'name="')[1].split(b'"')[0] for p in parts] == [b"key", b"policy", b"file"]
    assert b"Content-Type: image/png\r\n\r\n\x89PNG..." in parts[-1]


def test_a_put_upload_sends_the_headers_the_reply_names() -> None:
    reply = auth_pb.PresignAvatarResponse(url="http://s3/bucket/k?X-Amz-Signature=s", method="PUT",
                                          content_type="image/webp")
    if "headers" not in reply.DESCRIPTOR.fields_by_name:
        pytest.skip("the contract has no PresignAvatarResponse.headers yet")
    reply.headers.update({"x-amz-acl": "private", "Content-Type": "image/webp"})
    upload = _core.upload_request(reply, b"RIFF")
    assert (upload.method, upload.headers, upload.body) == ("PUT", {"x-amz-acl": "private",
                                                                    "Content-Type": "image/webp"}, b"RIFF")


def test_a_put_upload_from_an_older_server_sends_the_acl_and_the_type() -> None:
    older: Any = SimpleNamespace(url="http://s3/k", method="PUT", content_type="image/jpeg", fields={},
                                 DESCRIPTOR=SimpleNamespace(fields_by_name={}))
    assert _core.upload_request(older, b"jpg").headers == {"x-amz-acl": "private", "content-type": "image/jpeg"}
