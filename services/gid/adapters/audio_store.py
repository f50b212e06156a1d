"""Where synthesised speech lives: S3 (`tts/<hash>.ogg`, `.mp3`, and `.json` written
last, whose presence means the audio is complete), an in-process cache of recent audio
in front of it (many listeners of one tour hear the same pieces), and a Redis index of
what is stored (`tts:audio:<hash>`) for one round trip instead of an S3 miss."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import redis.asyncio as aioredis
from minio.error import S3Error

from services.gid.domain.speech import FORMATS, AudioFormat, StoredSpeech, meta_key, object_key
from services.runtime.cache import CACHE_ERRORS, SizedLru
from services.runtime.logging import get_logger
from services.runtime.object_storage import ObjectStorage

log = get_logger(__name__)

MAX_AUDIO_BYTES = 64 * 1024 * 1024  # one piece: far more than 5,000 characters make
_IMMUTABLE = "public, max-age=31536000, immutable"


def _missing(exc: S3Error) -> bool:
    return exc.code in ("NoSuchKey", "NoSuchObject", "NotFound")


class S3AudioStore:
    def __init__(self, storage: ObjectStorage, *, cache_bytes: int = 64 * 1024 * 1024) -> None:
        self._storage = storage
        self._cache = SizedLru[str, bytes](cache_bytes)
        self._reading: dict[str, asyncio.Future[bytes]] = {}  # one S3 read per key at a time

    async def read(self, content_hash: str, fmt: AudioFormat) -> bytes:
        key = object_key(content_hash, fmt)
        if (cached := self._cache.get(key)) is not None:
            return cached
        if (reading := self._reading.get(key)) is not None:
            return await asyncio.shield(reading)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._reading[key] = future
        try:
            data = await self._storage.read(key, MAX_AUDIO_BYTES)
            self._cache.put(key, data, len(data))
            future.set_result(data)
            return data
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        finally:
            del self._reading[key]

    async def read_object(self, key: str, max_bytes: int) -> bytes | None:
        try:
            return await self._storage.read(key, max_bytes)
        except S3Error as exc:
            if _missing(exc):
                return None
            raise

    async def put(self, content_hash: str, encoded: dict[str, bytes], speech: StoredSpeech) -> None:
        """Every format, then the metadata that says they are all there."""
        await asyncio.gather(*(
            self._storage.write(object_key(content_hash, FORMATS[name]), data,
                                content_type=FORMATS[name].content_type, cache_control=_IMMUTABLE)
            for name, data in encoded.items()))
        for name, data in encoded.items():
            self._cache.put(object_key(content_hash, FORMATS[name]), data, len(data))
        await self._storage.write(meta_key(content_hash), speech.to_json().encode(), content_type="application/json")

    async def meta(self, content_hash: str) -> StoredSpeech | None:
        data = await self.read_object(meta_key(content_hash), 64 * 1024)
        return None if data is None else StoredSpeech.from_json(data)


class RedisSpeechCatalog:
    """What is stored, by content hash: in process (stored speech never changes), then
    Redis. S3's metadata object is the record: `find_stored` (the workers', before they
    synthesise) also looks there, in case Redis was emptied; requests do not, to keep an
    S3 round trip off the path to a first byte (a job for speech S3 has is cheap)."""

    def __init__(self, redis: aioredis.Redis, store: S3AudioStore, *, prefix: str = "tts",
                 max_entries: int = 100_000) -> None:
        self._redis = redis
        self._store = store
        self._prefix = prefix
        self._known: OrderedDict[str, StoredSpeech] = OrderedDict()
        self._max = max_entries

    def _key(self, content_hash: str) -> str:
        return f"{self._prefix}:audio:{content_hash}"

    def _remember(self, speech: StoredSpeech) -> None:
        self._known[speech.hash] = speech
        if len(self._known) > self._max:
            self._known.popitem(last=False)

    async def find(self, content_hash: str) -> StoredSpeech | None:
        if (known := self._known.get(content_hash)) is not None:
            return known
        try:
            raw = await self._redis.get(self._key(content_hash))
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: speech index skipped", error=str(exc))
            return None
        if raw is None:
            return None
        speech = StoredSpeech.from_json(raw)
        self._remember(speech)
        return speech

    async def find_stored(self, content_hash: str) -> StoredSpeech | None:
        found = await self.find(content_hash)
        if found is None and (found := await self._store.meta(content_hash)) is not None:
            await self.record(found)
        return found

    async def record(self, speech: StoredSpeech) -> None:
        self._remember(speech)
        try:
            await self._redis.set(self._key(speech.hash), speech.to_json())
        except CACHE_ERRORS as exc:
            log.warning("redis unavailable: speech not indexed (S3 still has it)", error=str(exc))
