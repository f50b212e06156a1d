"""Use case: a tour's offline bundle (the spec's Q4 offline mode), built once per tour
version and engine, stored in S3 and handed out as a presigned download.

The first request builds it (every narration synthesised, if it was not yet) while the
others wait for that build (a lock per version, across replicas); a request that has
waited `wait_seconds` is told to come back (202). The build is not tied to the request
that started it: it finishes even when that client goes away.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field
from datetime import timedelta

from services.gid.domain import bundles
from services.gid.domain.model import Tour
from services.gid.domain.speech import FORMATS, Utterance, narration_pieces
from services.gid.service_layer.ports import BuildLock, BundleRecord, BundleStorage, UnitOfWorkFactory
from services.gid.service_layer.speech import Speech
from services.gid.service_layer.tours import TourCatalog
from services.runtime.logging import get_logger

log = get_logger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class BundleReply:
    """`url` to fetch it from (None: not built yet, come back); `not_modified` when the
    client's copy (If-None-Match) is current."""

    etag: str
    url: str | None
    not_modified: bool = False
    size_bytes: int = 0


@dataclass
class Bundles:
    catalog: TourCatalog
    unit_of_work: UnitOfWorkFactory
    speech: Speech
    storage: BundleStorage
    lock: BuildLock
    wait_seconds: float = 25.0
    url_ttl: timedelta = timedelta(hours=1)
    synthesis_concurrency: int = 8
    _builds: dict[str, asyncio.Task[BundleRecord]] = field(default_factory=dict)

    async def get(self, tour_id: str, if_none_match: str = "") -> BundleReply:
        tour = await self.catalog.get(tour_id)
        record = await self._record(tour)
        if record is None:
            record = await self._wait_for_build(tour)
        if record is None:
            return BundleReply(etag="", url=None)
        if if_none_match and {record.etag, "*"} & _etags(if_none_match):
            return BundleReply(etag=record.etag, url=None, not_modified=True, size_bytes=record.size_bytes)
        url = self.storage.download_url(record.object_key, self.url_ttl, f"{tour.id}-v{tour.version}.zip")
        return BundleReply(etag=record.etag, url=url, size_bytes=record.size_bytes)

    async def _record(self, tour: Tour) -> BundleRecord | None:
        async with self.unit_of_work() as uow:
            return await uow.tours.bundle(tour.id, tour.version, self.speech.engine)

    async def _wait_for_build(self, tour: Tour) -> BundleRecord | None:
        name = f"{tour.id}:{tour.version}:{_engine_tag(self.speech.engine)}"
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            task = self._builds.get(name)
            if task is None and await self.lock.acquire(name, ttl_seconds=600):
                task = asyncio.create_task(self._build(tour, name), name=f"bundle:{name}")
                self._builds[name] = task
                task.add_done_callback(lambda _: self._builds.pop(name, None))
            if task is not None:
                done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - time.monotonic()))
                return task.result() if done else None
            await asyncio.sleep(0.25)  # another replica builds it
            if (record := await self._record(tour)) is not None:
                return record
        return None

    async def _build(self, tour: Tour, name: str) -> BundleRecord:
        started = time.monotonic()
        try:
            audio = await self._audio(tour)
            images = await self._images(tour)
            data = bundles.build(tour, self.speech.engine, audio, images)
            tag = bundles.etag(data)
            key = bundles.object_key(tour, _engine_tag(self.speech.engine), tag[:16])
            await self.storage.put(key, data)
            record = BundleRecord(tour.id, tour.version, self.speech.engine, key, tag, len(data))
            async with self.unit_of_work() as uow:
                await uow.tours.add_bundle(record)
            log.info("bundle built", tour=tour.id, version=tour.version, bytes=len(data), pieces=len(audio),
                     seconds=round(time.monotonic() - started, 2))
            return record
        finally:
            await self.lock.release(name)

    async def _audio(self, tour: Tour) -> list[bundles.PieceAudio]:
        wanted = [(i, n.language, k, u) for i, stop in enumerate(tour.stops) for n in stop.narrations
                  for k, u in enumerate(narration_pieces(n.text, n.language))]
        await self.speech.prefetch([u for *_, u in wanted])  # queued in order, synthesised by every worker
        limit = asyncio.Semaphore(self.synthesis_concurrency)

        async def one(stop: int, language: str, piece: int, utterance: Utterance) -> bundles.PieceAudio:
            async with limit:
                spoken = await self.speech.speak(utterance)
                encoded = {name: await self.speech.audio(spoken.speech, fmt) for name, fmt in FORMATS.items()}
            return bundles.PieceAudio(stop, language, piece, spoken.speech.duration_ms, encoded)

        return list(await asyncio.gather(*(one(*w) for w in wanted)))

    async def _images(self, tour: Tour) -> dict[int, tuple[str, bytes]]:
        found = {}
        for index, stop in enumerate(tour.stops):
            if stop.image:
                data = await self.speech.store.read_object(stop.image, MAX_IMAGE_BYTES)
                if data is not None:
                    found[index] = (stop.image, data)
                else:
                    log.warning("bundle: a stop's picture is missing", tour=tour.id, stop=stop.id, key=stop.image)
        return found


def _engine_tag(engine: str) -> str:
    return hashlib.sha256(engine.encode()).hexdigest()[:8]


def _etags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (`"a", W/"b"` or `*`)."""
    return {part.strip().removeprefix("W/").strip('"') for part in header.split(",")}
