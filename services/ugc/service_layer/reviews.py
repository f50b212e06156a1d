"""Reviews: write (one per user per event, when allowed), change, list, delete, hide.

A new review's photos are checked, re-encoded and moderated before anything is
stored: a refused photo or text, or moderation that cannot answer, leaves no review and
no published image (the pending uploads are deleted when refused, kept when moderation
was down so the same request can be retried)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from kulturago.recommendation.v1 import events_pb2 as reco_events
from kulturago.ugc.v1 import events_pb2 as ugc_events
from services.runtime import page_tokens
from services.runtime.errors import (
    AlreadyExists,
    DependencyUnavailable,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from services.runtime.timestamps import to_timestamp
from services.runtime.uploads import UploadRejected
from services.ugc.domain.model import Review, may_review
from services.ugc.domain.moderation import refused_for
from services.ugc.domain.profanity import is_abusive
from services.ugc.service_layer.ports import ImageModerator, PhotoStore, PreparedPhoto, UnitOfWork, UnitOfWorkFactory

CREATED_TOPIC, DELETED_TOPIC, ACTION_TOPIC = "ugc.created", "ugc.deleted", "user.action"


@dataclass(frozen=True, slots=True)
class NewReview:
    user_id: str
    event_slug: str
    rating: int
    text: str
    photos: tuple[str, ...]  # pending object keys


@dataclass(frozen=True, slots=True)
class ReviewChange:
    rating: int | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    reviews: list[Review]
    next_page_token: str


def _check_text(text: str) -> None:
    if is_abusive(text):
        raise InvalidArgument.on_field("text", "the text contains abusive language", "UNACCEPTABLE_TEXT")


def _already_reviewed() -> AlreadyExists:
    return AlreadyExists("you have reviewed this event already: change it with PATCH", "REVIEW_EXISTS",
                         {"field": "eventSlug"})


class ReviewBook:
    def __init__(self, unit_of_work: UnitOfWorkFactory, photos: PhotoStore, moderator: ImageModerator, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._uow = unit_of_work
        self._photos = photos
        self._moderator = moderator
        self._clock = clock

    async def presign_photo(self, user_id: str, content_type: str) -> dict[str, object]:
        object_key = uuid.uuid4().hex
        reply = self._photos.presign(object_key, content_type)
        async with self._uow() as uow:
            await uow.uploads.add(object_key, user_id, self._clock())
        return {**reply, "object_key": object_key}

    async def create(self, new: NewReview) -> Review:
        now = self._clock()
        # The cheap refusals first, before any image is read.
        async with self._uow() as uow:
            event = await uow.facts.event(new.event_slug)
            if event is None:
                raise NotFound(f"no event {new.event_slug!r}", "EVENT_NOT_FOUND", {"field": "eventSlug"})
            if not may_review(event, await uow.facts.has_paid_ticket(new.user_id, new.event_slug), now):
                raise FailedPrecondition("an event can be reviewed once one of its sessions has started "
                                         "or with a paid ticket for it", "REVIEW_TOO_EARLY")
            if await uow.reviews.exists(new.event_slug, new.user_id):  # before any photo is published
                raise _already_reviewed()
            for i, key in enumerate(new.photos):
                if await uow.uploads.owner(key) != new.user_id:
                    raise InvalidArgument.on_field(f"photos[{i}]", "not an upload of yours (PresignReviewPhoto)",
                                                   "PHOTO_NOT_UPLOADED")
        _check_text(new.text)
        prepared = await self._prepare(new.photos)
        for p in prepared:
            await self._photos.publish(p)
        review = Review(id=str(uuid.uuid4()), event_slug=new.event_slug, user_id=new.user_id, rating=new.rating,
                        text=new.text, photos=tuple(p.photo for p in prepared), create_time=now, update_time=now)
        async with self._uow() as uow:
            if not await uow.reviews.add(review):  # a concurrent first review won
                raise _already_reviewed()
            for key in new.photos:
                await uow.uploads.consume(key)
            await self._publish_created(uow, review)
            action = reco_events.UserAction(
                user_id=review.user_id, action_id=f"review:{review.id}", kind=reco_events.ACTION_KIND_REVIEW,
                event_slug=review.event_slug, time=to_timestamp(now), receive_time=to_timestamp(now),
                source="ugc")
            await uow.add_event(ACTION_TOPIC, review.user_id, action)
        for key in new.photos:
            await self._photos.discard(key)
        return review

    async def _prepare(self, keys: tuple[str, ...]) -> list[PreparedPhoto]:
        prepared: list[PreparedPhoto] = []
        for i, key in enumerate(keys):
            name = f"photos[{i}]"
            try:
                photo = await self._photos.prepare(key)
            except UploadRejected as exc:
                if exc.reason != "UPLOAD_MISSING":  # not an acceptable image: nothing of it is kept
                    await self._photos.discard(key)
                raise InvalidArgument.on_field(name, exc.description, "PHOTO_" + exc.reason.removeprefix("UPLOAD_")
                                               ) from exc
            try:
                verdict = await self._moderator.safe_search(photo.image)
            except DependencyUnavailable as exc:
                raise Unavailable("image moderation is unavailable; try again later",
                                  "MODERATION_UNAVAILABLE") from exc
            refused = refused_for(verdict)
            if refused:
                for k in keys:
                    await self._photos.discard(k)
                raise InvalidArgument.on_field(name, f"Unacceptable image ({', '.join(refused)})",
                                               "UNACCEPTABLE_IMAGE")
            prepared.append(photo)
        return prepared

    async def _publish_created(self, uow: UnitOfWork, review: Review) -> None:
        created = ugc_events.UgcCreated(review_id=review.id, event_slug=review.event_slug, user_id=review.user_id,
                                        rating=review.rating, version=review.version,
                                        time=to_timestamp(review.update_time or self._clock()))
        await uow.add_event(CREATED_TOPIC, review.event_slug, created)

    async def _publish_deleted(self, uow: UnitOfWork, review: Review) -> None:
        deleted = ugc_events.UgcDeleted(review_id=review.id, event_slug=review.event_slug, user_id=review.user_id,
                                        version=review.version, time=to_timestamp(self._clock()))
        await uow.add_event(DELETED_TOPIC, review.event_slug, deleted)

    async def update(self, user_id: str, review_id: str, change: ReviewChange) -> Review:
        if change.text is not None:
            _check_text(change.text)
        async with self._uow() as uow:
            review = await uow.reviews.get(review_id)
            if review is None or review.user_id != user_id:
                raise NotFound("no such review of yours", "REVIEW_NOT_FOUND")
            changed = replace(review, rating=review.rating if change.rating is None else change.rating,
                              text=review.text if change.text is None else change.text,
                              update_time=self._clock(), version=review.version + 1)
            await uow.reviews.save(changed)
            if not changed.hidden:  # the rating may have changed: the catalog's average follows
                await self._publish_created(uow, changed)
        return changed

    async def delete(self, user_id: str, review_id: str) -> None:
        async with self._uow() as uow:
            review = await uow.reviews.get(review_id)
            if review is None or review.user_id != user_id:  # someone else's is not there for you
                raise NotFound("no such review of yours", "REVIEW_NOT_FOUND")
            await uow.reviews.delete(review_id)
            await self._publish_deleted(uow, replace(review, version=review.version + 1))

    async def mark_helpful(self, user_id: str, review_id: str) -> Review:
        async with self._uow() as uow:
            review = await uow.reviews.get(review_id)
            if review is None or review.hidden:
                raise NotFound("no such review", "REVIEW_NOT_FOUND")
            if review.user_id == user_id:
                raise FailedPrecondition("your own review cannot be marked helpful by you", "OWN_REVIEW")
            count = await uow.reviews.vote_helpful(review_id, user_id, self._clock())
        return replace(review, helpful_count=count)

    async def hide(self, review_id: str, reason: str = "") -> Review:
        async with self._uow() as uow:
            review = await uow.reviews.get(review_id)
            if review is None:
                raise NotFound("no such review", "REVIEW_NOT_FOUND")
            if review.hidden:
                return review
            hidden = replace(review, hidden=True, update_time=self._clock(), version=review.version + 1)
            await uow.reviews.save(hidden, hide_reason=reason or "hidden")
            await self._publish_deleted(uow, hidden)
        return hidden

    async def page(self, event_slug: str, order: str, size: int, token: str) -> Page:
        bound = f"reviews:{event_slug}:{order}"
        after: tuple[datetime, int, str] | None = None
        if token:
            at, key = page_tokens.decode(token, bound, mismatch="the page token belongs to another query")
            helpful, _, review_id = key.partition(":")
            after = (at, int(helpful) if helpful.isdigit() else 0, review_id)
        async with self._uow() as uow:
            found = await uow.reviews.page(event_slug, order, size + 1, after)
        more = len(found) > size
        found = found[:size]
        last = found[-1] if more and found else None
        next_token = page_tokens.encode(last.create_time or self._clock(), f"{last.helpful_count}:{last.id}", bound) \
            if last else ""
        return Page(found, next_token)
