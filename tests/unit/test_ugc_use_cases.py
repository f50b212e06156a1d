"""ReviewBook with fakes of ugc-service's own ports: the order of refusals, and that a
refused photo or text, or moderation that cannot answer, leaves nothing stored."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import pytest
from google.protobuf.message import Message

from services.runtime.errors import (
    AlreadyExists,
    DependencyUnavailable,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from services.runtime.uploads import UploadRejected
from services.ugc.domain.model import EventFacts, Photo, Review
from services.ugc.domain.moderation import Likelihood, SafeSearch
from services.ugc.service_layer.ports import PreparedPhoto
from services.ugc.service_layer.reviews import NewReview, ReviewBook, ReviewChange

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)


@dataclass
class Store:
    reviews: dict[str, Review] = field(default_factory=dict)
    events: dict[str, EventFacts] = field(default_factory=dict)
    tickets: set[tuple[str, str]] = field(default_factory=set)
    uploads: dict[str, str] = field(default_factory=dict)
    outbox: list[tuple[str, str, Message]] = field(default_factory=list)
    votes: set[tuple[str, str]] = field(default_factory=set)


class FakeReviews:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, review: Review) -> bool:
        if any(r.event_slug == review.event_slug and r.user_id == review.user_id for r in self.s.reviews.values()):
            return False
        self.s.reviews[review.id] = review
        return True

    async def get(self, review_id: str) -> Review | None:
        return self.s.reviews.get(review_id)

    async def exists(self, event_slug: str, user_id: str) -> bool:
        return any(r.event_slug == event_slug and r.user_id == user_id for r in self.s.reviews.values())

    async def save(self, review: Review, hide_reason: str = "") -> None:
        self.s.reviews[review.id] = review

    async def delete(self, review_id: str) -> None:
        self.s.reviews.pop(review_id, None)

    async def vote_helpful(self, review_id: str, user_id: str, at: datetime) -> int:
        self.s.votes.add((review_id, user_id))
        count = sum(1 for r, _ in self.s.votes if r == review_id)
        self.s.reviews[review_id] = replace(self.s.reviews[review_id], helpful_count=count)
        return count

    async def page(self, event_slug: str, order: str, size: int,
                   after: tuple[datetime, int, str] | None) -> list[Review]:
        found = sorted((r for r in self.s.reviews.values() if r.event_slug == event_slug and not r.hidden),
                       key=lambda r: (r.create_time, r.id), reverse=True)
        if after:
            found = [r for r in found if (r.create_time, r.id) < (after[0], after[2])]
        return found[:size]


class FakeFacts:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def event(self, slug: str) -> EventFacts | None:
        return self.s.events.get(slug)

    async def has_paid_ticket(self, user_id: str, event_slug: str) -> bool:
        return (user_id, event_slug) in self.s.tickets

    async def remember_event(self, facts: EventFacts, version: int) -> None:
        self.s.events[facts.slug] = facts

    async def remember_ticket(self, user_id: str, event_slug: str, order_id: str) -> None:
        self.s.tickets.add((user_id, event_slug))


class FakeUploads:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def add(self, object_key: str, user_id: str, at: datetime) -> None:
        self.s.uploads[object_key] = user_id

    async def owner(self, object_key: str) -> str | None:
        return self.s.uploads.get(object_key)

    async def consume(self, object_key: str) -> None:
        self.s.uploads.pop(object_key, None)


class FakeUow:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.reviews = FakeReviews(store)
        self.facts = FakeFacts(store)
        self.uploads = FakeUploads(store)
        self._staged: list[tuple[str, str, Message]] = []

    async def __aenter__(self) -> Self:
        self._staged = []
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> bool | None:
        if exc is None:
            self.store.outbox += self._staged
        return None

    async def add_event(self, topic: str, key: str, message: Message) -> str:
        self._staged.append((topic, key, message))
        return "ce"


class FakePhotos:
    def __init__(self) -> None:
        self.pending: dict[str, bytes] = {}
        self.published: list[str] = []

    def presign(self, object_key: str, content_type: str) -> dict[str, object]:
        return {"url": "http://s3", "content_type": content_type}

    async def prepare(self, object_key: str) -> PreparedPhoto:
        data = self.pending.get(object_key)
        if data is None:
            raise UploadRejected("UPLOAD_MISSING", "nothing uploaded")
        return PreparedPhoto(data, data[:1], Photo(f"{object_key}.jpg", f"thumbs/{object_key}.jpg", 10, 10))

    async def publish(self, prepared: PreparedPhoto) -> None:
        self.published.append(prepared.photo.name)

    async def discard(self, object_key: str) -> None:
        self.pending.pop(object_key, None)

    def view_url(self, name: str) -> str:
        return "http://media/" + name


class FakeModerator:
    def __init__(self) -> None:
        self.down = False

    async def safe_search(self, image: bytes) -> SafeSearch:
        if self.down:
            raise DependencyUnavailable("vision down")
        return SafeSearch(adult=Likelihood.VERY_LIKELY) if image == b"nsfw" else SafeSearch()


@pytest.fixture
def world() -> tuple[Store, FakePhotos, FakeModerator, ReviewBook]:
    store = Store(events={"started": EventFacts("started", (NOW - timedelta(hours=1),)),
                          "later": EventFacts("later", (NOW + timedelta(days=1),))})
    photos, moderator = FakePhotos(), FakeModerator()
    return store, photos, moderator, ReviewBook(lambda: FakeUow(store), photos, moderator, clock=lambda: NOW)


World = tuple[Store, FakePhotos, FakeModerator, ReviewBook]


def new(user: str = "u1", slug: str = "started", photos: tuple[str, ...] = (), text: str = "",
        rating: int = 4) -> NewReview:
    return NewReview(user_id=user, event_slug=slug, rating=rating, text=text, photos=photos)


async def test_a_review_publishes_ugc_created_and_a_user_action(world: World) -> None:
    store, photos, _, book = world
    store.uploads["k1"] = "u1"
    photos.pending["k1"] = b"clean"
    review = await book.create(new(photos=("k1",)))
    assert [t for t, _, _ in store.outbox] == ["ugc.created", "user.action"]
    assert photos.published == ["k1.jpg"] and "k1" not in photos.pending and "k1" not in store.uploads
    assert review.photos[0].name == "k1.jpg"


async def test_a_second_review_of_the_event_already_exists_before_its_photos_are_published(world: World) -> None:
    store, photos, _, book = world
    await book.create(new())
    store.uploads["a"] = "u1"
    photos.pending["a"] = b"clean"
    with pytest.raises(AlreadyExists):
        await book.create(new(rating=1, photos=("a",)))
    assert not photos.published


async def test_too_early_without_a_ticket_and_fine_with_one(world: World) -> None:
    store, _, _, book = world
    with pytest.raises(FailedPrecondition):
        await book.create(new(slug="later"))
    store.tickets.add(("u1", "later"))
    assert (await book.create(new(slug="later"))).event_slug == "later"
    with pytest.raises(NotFound):
        await book.create(new(slug="unknown"))


async def test_a_flagged_photo_is_refused_by_index_and_nothing_is_stored(world: World) -> None:
    store, photos, _, book = world
    store.uploads.update({"a": "u1", "b": "u1"})
    photos.pending.update({"a": b"clean", "b": b"nsfw"})
    with pytest.raises(InvalidArgument) as refused:
        await book.create(new(photos=("a", "b")))
    assert refused.value.reason == "UNACCEPTABLE_IMAGE"
    assert [v.field for v in refused.value.violations] == ["photos[1]"]
    assert not store.reviews and not store.outbox and not photos.published and not photos.pending


async def test_moderation_down_is_unavailable_and_keeps_the_uploads(world: World) -> None:
    store, photos, moderator, book = world
    store.uploads["a"] = "u1"
    photos.pending["a"] = b"clean"
    moderator.down = True
    with pytest.raises(Unavailable):
        await book.create(new(photos=("a",)))
    assert not store.reviews and not store.outbox and not photos.published and "a" in photos.pending


async def test_someone_elses_upload_is_not_mine_to_use(world: World) -> None:
    store, photos, _, book = world
    store.uploads["a"] = "u2"
    photos.pending["a"] = b"clean"
    with pytest.raises(InvalidArgument) as refused:
        await book.create(new(photos=("a",)))
    assert refused.value.violations[0].field == "photos[0]"


async def test_abusive_text_is_refused_before_any_image_is_read(world: World) -> None:
    store, photos, _, book = world
    store.uploads["a"] = "u1"
    photos.pending["a"] = b"nsfw"
    with pytest.raises(InvalidArgument) as refused:
        await book.create(new(photos=("a",), text="Полная хуйня"))
    assert refused.value.reason == "UNACCEPTABLE_TEXT" and refused.value.violations[0].field == "text"
    with pytest.raises(InvalidArgument):
        await book.update("u1", "any", ReviewChange(text="fucking awful"))


async def test_edit_delete_and_hide_publish_with_growing_versions(world: World) -> None:
    store, _, _, book = world
    review = await book.create(new())
    other = await book.create(new(user="u2"))
    changed = await book.update("u1", review.id, ReviewChange(rating=2))
    assert changed.rating == 2 and changed.version == 2
    with pytest.raises(NotFound):
        await book.delete("u2", review.id)  # not theirs
    await book.delete("u1", review.id)
    hidden = await book.hide(other.id)
    assert hidden.hidden
    versions: list[Any] = [(t, m.review_id, m.version) for t, _, m in store.outbox if t.startswith("ugc.")]
    assert versions == [("ugc.created", review.id, 1), ("ugc.created", other.id, 1), ("ugc.created", review.id, 2),
                        ("ugc.deleted", review.id, 3), ("ugc.deleted", other.id, 2)]
    assert (await book.page("started", "newest", 10, "")).reviews == []


async def test_pages_do_not_repeat_or_skip(world: World) -> None:
    store, _, _, book = world
    for i in range(5):
        store.reviews[f"r{i}"] = Review(f"r{i}", "started", f"u{i}", 3, "", create_time=NOW - timedelta(minutes=i))
    seen: list[str] = []
    token = ""
    while True:
        page = await book.page("started", "newest", 2, token)
        seen += [r.id for r in page.reviews]
        token = page.next_page_token
        if not token:
            break
    assert seen == ["r0", "r1", "r2", "r3", "r4"]
    with pytest.raises(InvalidArgument):
        await book.page("other", "newest", 2, (await book.page("started", "newest", 2, "")).next_page_token)


async def test_helpful_once_per_user_and_never_my_own(world: World) -> None:
    _, _, _, book = world
    review = await book.create(new())
    assert (await book.mark_helpful("u2", review.id)).helpful_count == 1
    assert (await book.mark_helpful("u2", review.id)).helpful_count == 1
    assert (await book.mark_helpful("u3", review.id)).helpful_count == 2
    with pytest.raises(FailedPrecondition):
        await book.mark_helpful("u1", review.id)
