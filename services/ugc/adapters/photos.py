"""Review photos in S3: uploaded by the client to reviews/pending/<objectKey> with a
presigned POST policy (runtime uploads: type and size bound into the signature), then
checked (magic bytes, decoded whole), re-encoded as JPEG without any metadata (EXIF with
its GPS position, XMP, ICC comments: nothing of the original file survives but pixels,
turned upright first by its EXIF orientation), thumbnailed, and published under
content-addressed immutable keys reviews/<sha256>.jpg and reviews/thumbs/<sha256>.jpg."""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import timedelta

from services.runtime.object_storage import ObjectStorage
from services.runtime.uploads import IMMUTABLE, ImageRules, ImageUploads, UploadRejected, check_image
from services.ugc.domain.model import Photo
from services.ugc.service_layer.ports import PreparedPhoto

PREFIX = "reviews/"
PENDING = PREFIX + "pending/"
THUMBS = PREFIX + "thumbs/"
RULES = ImageRules(min_bytes=1024, max_bytes=10 * 1024 * 1024, max_side=8192, max_pixels=40_000_000)
MAX_SIDE = 2048  # published photos are at most this wide or high
THUMB_SIDE = 400


def _jpeg(image: object, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)  # type: ignore[attr-defined]
    return out.getvalue()


def reencode(data: bytes) -> tuple[bytes, bytes, int, int]:
    """(image, thumbnail, width, height): `data` decoded and written anew as JPEG with no
    metadata. Pure, CPU-bound. UploadRejected when it is not an acceptable image."""
    from PIL import Image, ImageOps

    check_image(data, RULES)
    with Image.open(io.BytesIO(data)) as original:
        upright = ImageOps.exif_transpose(original)
        rgba = upright.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))  # transparency onto white: JPEG has none
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = flat.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return _jpeg(flat, 88), _jpeg(thumb, 80), flat.width, flat.height


class S3PhotoStore:
    def __init__(self, storage: ObjectStorage, *, upload_ttl: timedelta, view_ttl: timedelta) -> None:
        self._storage = storage
        self._uploads = ImageUploads(storage, pending_prefix=PENDING, final_prefix=PREFIX, rules=RULES)
        self._upload_ttl = upload_ttl
        self._view_ttl = view_ttl

    def presign(self, object_key: str, content_type: str) -> dict[str, object]:
        return self._uploads.presign(object_key, content_type, self._upload_ttl).reply_fields()

    async def prepare(self, object_key: str) -> PreparedPhoto:
        size = await self._storage.size(PENDING + object_key)
        if size is None:
            raise UploadRejected("UPLOAD_MISSING", "nothing has been uploaded with this key yet")
        if not RULES.min_bytes <= size <= RULES.max_bytes:
            raise UploadRejected("UPLOAD_SIZE", f"must be {RULES.min_bytes}..{RULES.max_bytes} bytes, not {size}")
        data = await self._storage.read(PENDING + object_key, RULES.max_bytes + 1)
        image, thumb, width, height = await asyncio.to_thread(reencode, data)
        name = hashlib.sha256(image).hexdigest() + ".jpg"
        return PreparedPhoto(image, thumb, Photo(name=name, thumbnail="thumbs/" + name, width=width, height=height))

    async def publish(self, prepared: PreparedPhoto) -> None:
        for key, data in ((PREFIX + prepared.photo.name, prepared.image),
                          (PREFIX + prepared.photo.thumbnail, prepared.thumbnail)):
            if await self._storage.size(key) is None:  # content-addressed: the same bytes are there already
                await self._storage.write(key, data, content_type="image/jpeg", cache_control=IMMUTABLE)

    async def discard(self, object_key: str) -> None:
        await self._storage.delete(PENDING + object_key)

    def view_url(self, name: str) -> str:
        return self._uploads.view_url(name, self._view_ttl)
