"""What gid-service's use cases need from the outside world; adapters/ implement it
(PostgreSQL, Redis, S3, geo-service, espeak-ng + ffmpeg) and bootstrap.py wires it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Protocol, Self

from services.gid.domain.events import TourPublished
from services.gid.domain.listening import Listening
from services.gid.domain.model import Cursor, LatLng, Leg, ListQuery, Page, Tour
from services.gid.domain.speech import AudioFormat, StoredSpeech, Utterance

# --- tours ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BundleRecord:
    """An offline bundle built for a tour version with an engine version."""

    tour_id: str
    version: int
    engine: str
    object_key: str
    etag: str
    size_bytes: int


class Tours(Protocol):
    """Tours and their bundles, in the unit of work's transaction."""

    async def upsert(self, tour: Tour) -> Tour:
        """Create or replace the tour with this id; returns it as stored (version 1 when
        new, the stored version + 1 when replaced)."""
        ...

    async def by_id(self, tour_id: str) -> Tour | None: ...

    async def list_page(self, query: ListQuery, after: Cursor | None) -> Page:
        """Items without stops and route; nearest first with `query.near`, else newest first."""
        ...

    async def bundle(self, tour_id: str, version: int, engine: str) -> BundleRecord | None: ...

    async def add_bundle(self, record: BundleRecord) -> None:
        """Keeps the first record of (tour, version, engine) when two builds race."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success, rolls back on error (staged
    events included: they are published only once committed)."""

    @property
    def tours(self) -> Tours: ...

    async def stage(self, event: TourPublished) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class RouteMeter(Protocol):
    async def walk(self, origin: LatLng, destination: LatLng) -> Leg:
        """Walking distance and time between two points (geo-service: along the road graph
        where one covers them, else its geodesic estimate). Unavailable when it cannot say."""
        ...


# --- speech ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SynthesizedAudio:
    """An engine's output: the same speech in every format, and how long it plays."""

    encoded: dict[str, bytes]  # format name -> bytes
    duration_ms: int


class SpeechEngine(Protocol):
    """Text to speech. `version` names the engine and every setting that changes its
    output: it is part of the content hash, so a new version synthesises anew."""

    @property
    def version(self) -> str: ...

    async def synthesize(self, utterance: Utterance) -> SynthesizedAudio: ...


class SpeechCatalog(Protocol):
    """What has been synthesised, by content hash."""

    async def find(self, content_hash: str) -> StoredSpeech | None: ...


class AudioStore(Protocol):
    """The audio of synthesised speech (S3, with an in-process cache in front)."""

    async def read(self, content_hash: str, fmt: AudioFormat) -> bytes: ...

    async def read_object(self, key: str, max_bytes: int) -> bytes | None:
        """Any object of the bucket (a stop's picture), None when there is none."""
        ...


@dataclass(frozen=True, slots=True)
class Completion:
    """A synthesis job's outcome, as the worker announced it."""

    content_hash: str
    speech: StoredSpeech | None  # None: it failed for good (dead-lettered)
    error: str = ""


class CompletionWaiter(Protocol):
    async def wait(self, seconds: float) -> Completion | None:
        """The outcome, or None when none was announced within `seconds`."""
        ...

    def close(self) -> None: ...


class Completions(Protocol):
    def expect(self, content_hash: str) -> CompletionWaiter:
        """Start listening for `content_hash` (before looking whether it is done, so that
        an announcement between the look and the wait is not missed)."""
        ...


class JobQueue(Protocol):
    async def submit(self, content_hash: str, utterance: Utterance, engine: str) -> bool:
        """Queue a synthesis job unless one for this hash is queued already (True: queued now)."""
        ...


# --- live tours and bundles ------------------------------------------------------

class ListeningStore(Protocol):
    """Live sessions between connections (a dropped one resumes on any replica)."""

    async def load(self, session: str) -> Listening | None: ...

    async def save(self, state: Listening) -> None: ...


class BundleStorage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    def download_url(self, key: str, ttl: timedelta, filename: str) -> str: ...


class BuildLock(Protocol):
    async def acquire(self, name: str, ttl_seconds: float) -> bool:
        """True when this caller may build `name` now (no one else is)."""
        ...

    async def release(self, name: str) -> None: ...
