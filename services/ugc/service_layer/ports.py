"""What ugc-service's use cases need from the outside: storage of reviews and of what it
learns from other services (a unit of work), photos (S3), image moderation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from google.protobuf.message import Message

from services.ugc.domain.model import EventFacts, Photo, Review
from services.ugc.domain.moderation import SafeSearch


class Reviews(Protocol):
    async def add(self, review: Review) -> bool:
        """False when the user has reviewed the event already."""

    async def get(self, review_id: str) -> Review | None: ...

    async def exists(self, event_slug: str, user_id: str) -> bool: ...

    async def save(self, review: Review, hide_reason: str = "") -> None: ...

    async def delete(self, review_id: str) -> None: ...

    async def vote_helpful(self, review_id: str, user_id: str, at: datetime) -> int:
        """Count the user's vote once; the review's helpful_count after it."""

    async def page(self, event_slug: str, order: str, size: int,
                   after: tuple[datetime, int, str] | None) -> list[Review]:
        """Visible reviews in `order` (newest: create_time desc; helpful: helpful_count desc,
        then newest), after the cursor (create_time, helpful_count, id) of the last one."""


class Facts(Protocol):
    """What the service learns from event.published and ticket.paid."""

    async def event(self, slug: str) -> EventFacts | None: ...

    async def has_paid_ticket(self, user_id: str, event_slug: str) -> bool: ...

    async def remember_event(self, facts: EventFacts, version: int) -> None: ...

    async def remember_ticket(self, user_id: str, event_slug: str, order_id: str) -> None: ...


class PendingUploads(Protocol):
    """Who asked for which photo upload (a pending key is its uploader's only)."""

    async def add(self, object_key: str, user_id: str, at: datetime) -> None: ...

    async def owner(self, object_key: str) -> str | None: ...

    async def consume(self, object_key: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: `async with` commits on success and rolls back on error."""

    @property
    def reviews(self) -> Reviews: ...

    @property
    def facts(self) -> Facts: ...

    @property
    def uploads(self) -> PendingUploads: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None: ...

    async def add_event(self, topic: str, key: str, message: Message) -> str: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """A photo checked and re-encoded (metadata gone), with its thumbnail, not yet stored."""

    image: bytes
    thumbnail: bytes
    photo: Photo


class PhotoStore(Protocol):
    def presign(self, object_key: str, content_type: str) -> dict[str, object]:
        """The reply fields of a presigned upload to the pending key (PresignedUpload.reply_fields)."""

    async def prepare(self, object_key: str) -> PreparedPhoto:
        """The pending upload checked (magic bytes, decodes), re-encoded without metadata and
        thumbnailed; services.runtime.uploads.UploadRejected when it is missing or no image."""

    async def publish(self, prepared: PreparedPhoto) -> None:
        """Write the re-encoded image and its thumbnail under their immutable keys."""

    async def discard(self, object_key: str) -> None:
        """Delete the pending upload."""

    def view_url(self, name: str) -> str: ...


class ImageModerator(Protocol):
    async def safe_search(self, image: bytes) -> SafeSearch:
        """The verdict on `image`; services.runtime.errors.DependencyUnavailable when the
        moderation provider cannot answer (a photo is then not accepted)."""
