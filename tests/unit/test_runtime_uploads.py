"""The image check of uploads (services/runtime/uploads.py) and the S3 POST policy it
presigns (services/runtime/object_storage.py): pure, no servers."""

from __future__ import annotations

import base64
import io
import json
import os
import zlib
from datetime import timedelta

import pytest
from PIL import Image

from services.runtime.object_storage import ObjectStorage, S3Settings
from services.runtime.uploads import ImageRules, ImageUploads, UploadRejected, check_image, content_type_of

RULES = ImageRules()


def image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    """A noisy image (noise does not compress: above the 1 KiB minimum)."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "content_type", "extension"), [
    ("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")])
def test_jpeg_png_and_webp_are_accepted_with_the_type_their_bytes_show(fmt: str, content_type: str,
                                                                      extension: str) -> None:
    data = image(fmt)
    checked = check_image(data, RULES)
    assert (checked.content_type, checked.extension, checked.width, checked.height) == (content_type, extension,
                                                                                         64, 48)
    assert checked.name == f"{checked.sha256}.{extension}" and len(checked.sha256) == 64
    assert content_type_of(checked.name) == content_type


@pytest.mark.parametrize(("data", "reason"), [
    (b"<html><script>alert(document.cookie)</script></html>" + b" " * 2000, "UPLOAD_NOT_AN_IMAGE"),
    (b"GIF89a" + b"\x00" * 2000, "UPLOAD_NOT_AN_IMAGE"),  # a real format, not an accepted one
    (b"\xff\xd8\xff\xe0" + b"\x00" * 2000, "UPLOAD_NOT_AN_IMAGE"),  # JPEG magic, then garbage
    (b"\x89PNG\r\n\x1a\n" + b"<svg onload=alert(1)>" * 100, "UPLOAD_NOT_AN_IMAGE"),
    (b"\xff\xd8\xff" + b"\x00" * 100, "UPLOAD_SIZE"),  # under 1 KiB
])
def test_anything_else_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(UploadRejected) as exc:
        check_image(data, RULES)
    assert exc.value.reason == reason and exc.value.description


def test_a_truncated_image_does_not_decode() -> None:
    data = image("PNG", (200, 200))
    with pytest.raises(UploadRejected) as exc:
        check_image(data[: len(data) // 2], RULES)
    assert exc.value.reason == "UPLOAD_NOT_AN_IMAGE"


def test_too_large_is_refused_before_decoding() -> None:
    with pytest.raises(UploadRejected) as exc:
        check_image(image("PNG") + b"\x00" * RULES.max_bytes, RULES)
    assert exc.value.reason == "UPLOAD_SIZE"


def png_of_size(width: int, height: int) -> bytes:
    """A valid PNG of any dimensions, tiny on disk (one grey, deflated): a decompression bomb
    when large."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    rows = zlib.compress((b"\x00" + b"\x80" * width) * height, 9)
    padding = chunk(b"tEXt", b"Comment\x00" + b"x" * 1200)  # above the 1 KiB minimum
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + padding + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(20000, 20000), (4097, 16), (8, 200)])
def test_insane_dimensions_are_refused_without_decoding(size: tuple[int, int]) -> None:
    data = png_of_size(*size)
    assert RULES.min_bytes <= len(data) <= RULES.max_bytes
    with pytest.raises(UploadRejected) as exc:
        check_image(data, RULES)
    assert exc.value.reason == "UPLOAD_DIMENSIONS"


def test_presigned_post_binds_key_type_and_size_into_the_signed_policy() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://s3.internal:9000", public_endpoint="https://cdn.example.ru",
                                       access_key="ak", secret_key="sk", bucket="kulturago"))
    uploads = ImageUploads(storage, pending_prefix="avatars/pending/", final_prefix="avatars/")
    upload = uploads.presign("abc.jpg", "image/png", timedelta(minutes=15))
    assert upload.url == "https://cdn.example.ru/kulturago"
    assert upload.fields["key"] == "avatars/pending/abc.jpg" and upload.fields["Content-Type"] == "image/png"
    assert {"policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} <= set(upload.fields)
    conditions = json.loads(base64.b64decode(upload.fields["policy"]))["conditions"]
    assert ["eq", "$key", "avatars/pending/abc.jpg"] in conditions
    assert ["eq", "$Content-Type", "image/png"] in conditions
    assert ["content-length-range", 1024, 5 * 1024 * 1024] in conditions
    with pytest.raises(ValueError):
        uploads.presign("abc.jpg", "text/html", timedelta(minutes=15))


def test_views_are_served_with_the_checked_type() -> None:
    storage = ObjectStorage(S3Settings(endpoint="http://127.0.0.1:18333", access_key="ak", secret_key="sk"))
    url = ImageUploads(storage, pending_prefix="p/", final_prefix="f/").view_url("ab.webp", timedelta(hours=1))
    assert "/kulturago/f/ab.webp?" in url and "response-content-type=image%2Fwebp" in url
    assert "response-content-disposition=inline" in url


def test_a_presign_reply_built_from_the_upload_names_everything_to_send() -> None:
    from kulturago.auth.v1 import auth_service_pb2

    storage = ObjectStorage(S3Settings(endpoint="http://127.0.0.1:18333", access_key="ak", secret_key="sk"))
    upload = ImageUploads(storage, pending_prefix="p/", final_prefix="f/").presign("k.jpg", "image/png",
                                                                                 timedelta(minutes=15))
    reply = auth_service_pb2.PresignAvatarResponse(object_key="k.jpg", **upload.reply_fields())
    # Every field of the contract's presign reply but the key is the upload's to fill.
    fields = {f.name for f in auth_service_pb2.PresignAvatarResponse.DESCRIPTOR.fields}
    assert set(upload.reply_fields()) == fields - {"object_key"}
    assert reply.method == "POST" and dict(reply.fields) == upload.fields
    assert dict(reply.headers) == {}  # a POST policy signs form fields, no header
    assert (reply.min_size_bytes, reply.max_size_bytes) == (1024, 5 * 1024 * 1024)
