"""Client uploads of images straight to S3 (avatars today, review photos later), safely.

1. `presign`: an S3 POST policy binds the pending key, the Content-Type and the size
   range (default 1 KiB..5 MiB) into the signature; S3 refuses anything else.
2. The client uploads to the pending key. A policy can be used again until it expires,
   so the caller keeps a single-use record of the pending key (auth: `pending:{uid}`)
   and consumes it when it saves.
3. `accept`: the pending object is read (bounded), checked (size; JPEG/PNG/WebP magic
   bytes; Pillow decodes it whole; sane dimensions), written to its final immutable,
   content-addressed key with the Content-Type the check found, and deleted.
   The bytes checked are the bytes written: a re-upload to the pending key meanwhile
   cannot slip in.
4. `view_url`: a presigned GET that serves the final object with its checked type
   (response-content-type). S3 cannot add `X-Content-Type-Options: nosniff` to a
   presigned GET (neither AWS nor SeaweedFS stores or overrides that header): where
   it is required, point the public endpoint of views at a front (CDN, gateway route)
   that adds it.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.runtime.object_storage import ObjectStorage
from services.runtime.timestamps import to_timestamp

# What we accept, by the first bytes: (content type, file extension, Pillow's format name).
_JPEG = ("image/jpeg", "jpg", "JPEG")
_PNG = ("image/png", "png", "PNG")
_WEBP = ("image/webp", "webp", "WEBP")
CONTENT_TYPES = {t[0]: t for t in (_JPEG, _PNG, _WEBP)}
_BY_EXTENSION = {t[1]: t[0] for t in (_JPEG, _PNG, _WEBP)}
IMMUTABLE = "public, max-age=31536000, immutable"  # content-addressed: the bytes of a key never change


@dataclass(frozen=True, slots=True)
class ImageRules:
    min_bytes: int = 1024
    max_bytes: int = 5 * 1024 * 1024
    min_side: int = 16
    max_side: int = 4096
    max_pixels: int = 4096 * 4096  # decoded size bounded: no decompression bombs
    content_types: frozenset[str] = field(default_factory=lambda: frozenset(CONTENT_TYPES))


class UploadRejected(Exception):
    """The upload is missing or is not an acceptable image; `reason` is UPPER_SNAKE."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description


@dataclass(frozen=True, slots=True)
class CheckedImage:
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str

    @property
    def name(self) -> str:
        """The content-addressed file name: the same bytes, the same name."""
        return f"{self.sha256}.{self.extension}"


def _sniff(data: bytes) -> tuple[str, str, str] | None:
    if data.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    return None


def check_image(data: bytes, rules: ImageRules) -> CheckedImage:
    """The image `data` is, or UploadRejected. Pure (Pillow, no I/O); CPU-bound."""
    from PIL import Image, UnidentifiedImageError  # imported where images are checked, not by every service

    if len(data) < rules.min_bytes or len(data) > rules.max_bytes:
        raise UploadRejected("UPLOAD_SIZE", f"must be {rules.min_bytes}..{rules.max_bytes} bytes, not {len(data)}")
    kind = _sniff(data)
    if kind is None or kind[0] not in rules.content_types:
        allowed = ", ".join(sorted(rules.content_types))
        raise UploadRejected("UPLOAD_NOT_AN_IMAGE", f"not an image of an accepted type ({allowed})")
    content_type, extension, pil_format = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
                width, height = image.size
                if not (rules.min_side <= width <= rules.max_side and rules.min_side <= height <= rules.max_side) \
                        or width * height > rules.max_pixels:
                    raise UploadRejected("UPLOAD_DIMENSIONS", f"{width}x{height} pixels: each side must be "
                                                              f"{rules.min_side}..{rules.max_side}")
                image.load()  # decodes every pixel: a truncated or corrupt image fails here
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected("UPLOAD_DIMENSIONS", f"too many pixels: each side must be "
                                                  f"{rules.min_side}..{rules.max_side}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UploadRejected("UPLOAD_NOT_AN_IMAGE", f"the {pil_format} image does not decode") from exc
    return CheckedImage(content_type, extension, width, height, hashlib.sha256(data).hexdigest())


def content_type_of(name: str) -> str | None:
    """The type a stored name was checked to have, by its extension."""
    return _BY_EXTENSION.get(name.rpartition(".")[2].lower())


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    url: str  # POST here: multipart/form-data, every field of `fields`, then the file as `file`
    fields: dict[str, str]
    content_type: str
    min_bytes: int
    max_bytes: int
    expires: datetime
    # The HTTP headers the upload must carry, exactly as given, beside the multipart
    # Content-Type (with its boundary) and Content-Length that the client's form encoder
    # sets. None for a POST policy: everything it signs is a form field of `fields`. An
    # upload signed another way (a presigned PUT signs Content-Type, x-amz-acl, ...) lists
    # its signed headers here, and S3 refuses a request without them.
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"

    def reply_fields(self) -> dict[str, Any]:
        """The fields every presign reply of our contracts has (PresignAvatarResponse; review
        photos next), by their proto names: built from these, a reply names everything the
        upload must send (its form fields and its headers)."""
        return {"url": self.url, "method": self.method, "fields": dict(self.fields), "headers": dict(self.headers),
                "content_type": self.content_type, "min_size_bytes": self.min_bytes,
                "max_size_bytes": self.max_bytes, "expires": to_timestamp(self.expires)}


class ImageUploads:
    """Presigned uploads to `pending_prefix`, accepted into `final_prefix` (both end in '/')."""

    def __init__(self, storage: ObjectStorage, *, pending_prefix: str, final_prefix: str,
                 rules: ImageRules | None = None) -> None:
        self._storage = storage
        self._pending = pending_prefix
        self._final = final_prefix
        self.rules = rules or ImageRules()

    def presign(self, name: str, content_type: str, ttl: timedelta) -> PresignedUpload:
        if content_type not in self.rules.content_types:
            raise ValueError(f"not an accepted content type: {content_type}")
        url, fields = self._storage.presigned_post(self._pending + name, ttl, content_type=content_type,
                                                   min_bytes=self.rules.min_bytes, max_bytes=self.rules.max_bytes)
        return PresignedUpload(url, fields, content_type, self.rules.min_bytes, self.rules.max_bytes,
                               datetime.now(UTC) + ttl)

    async def accept(self, name: str) -> CheckedImage:
        """Check the pending upload `name` and move it to its final key (returned as the
        image's `name`); UploadRejected("UPLOAD_MISSING") when nothing was uploaded, other
        reasons (and the pending object deleted) when it is not an acceptable image."""
        pending = self._pending + name
        size = await self._storage.size(pending)
        if size is None:
            raise UploadRejected("UPLOAD_MISSING", "nothing has been uploaded with this key yet")
        try:
            if not self.rules.min_bytes <= size <= self.rules.max_bytes:
                raise UploadRejected("UPLOAD_SIZE", f"must be {self.rules.min_bytes}..{self.rules.max_bytes} "
                                                    f"bytes, not {size}")
            data = await self._storage.read(pending, self.rules.max_bytes + 1)
            checked = await asyncio.to_thread(check_image, data, self.rules)
        except UploadRejected:
            await self._storage.delete(pending)
            raise
        final = self._final + checked.name
        if await self._storage.size(final) is None:  # content-addressed: the same bytes are there already
            await self._storage.write(final, data, content_type=checked.content_type, cache_control=IMMUTABLE)
        await self._storage.delete(pending)
        return checked

    def view_url(self, name: str, ttl: timedelta) -> str:
        return self._storage.presigned_get(self._final + name, ttl, content_type=content_type_of(name),
                                           content_disposition="inline")
