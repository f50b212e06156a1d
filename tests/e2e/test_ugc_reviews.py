"""Reviews through the gateway: photos uploaded to S3 with a presigned POST, re-encoded
without EXIF and moderated by the Cloud Vision sandbox (its verdict is the colour of
the top-left pixel: pure red is VERY_LIKELY adult, see sandboxes/vision/app.py)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from auth_support import Account, assert_bad_request, error_reason, violated_fields
from catalog_support import at, event_body, publish
from channels_support import control, inject_fault, sandbox_url
from conftest import GATEWAY
from kafka_support import read_topic
from PIL import Image

from kgo.gateway import MEDIA_PREFIX
from kulturago.recommendation.v1 import events_pb2 as reco_events
from kulturago.ugc.v1 import events_pb2 as ugc_events

RED, GREEN = (255, 0, 0), (40, 160, 90)


def image(colour: tuple[int, int, int], *, gps: bool = False, size: tuple[int, int] = (320, 240)) -> bytes:
    """A JPEG filled with noise-free stripes (over 1 KiB) whose top-left pixel is `colour`."""
    img = Image.new("RGB", size, colour)
    for x in range(8, size[0], 16):
        for y in range(size[1]):
            img.putpixel((x, y), (x % 255, y % 255, 128))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}  # GPSInfo: Moscow
        exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def upload_photo(http: httpx.Client, account: Account, data: bytes) -> str:
    reply = http.post("/api/v1/reviews/photos:presign", headers=account.headers, json={"contentType": "image/jpeg"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    sent = httpx.post(body["url"], data=body["fields"], files={"file": ("photo.jpg", data, "image/jpeg")}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    return str(body["objectKey"])


def started_event(http: httpx.Client, admin: Account) -> str:
    """An event whose session began an hour ago (so anyone may review it)."""
    return str(publish(http, admin, event_body(starts=[at(hours=-1)], hours=3))["slug"])


def wait_for_event(http: httpx.Client, account: Account, slug: str) -> httpx.Response:
    """POST a review until ugc-service has seen event.published (it learns events from Kafka)."""
    deadline = time.monotonic() + 30
    while True:
        reply = http.post("/api/v1/reviews", headers=account.headers, json={"eventSlug": slug, "rating": 5})
        if reply.status_code != 404 or time.monotonic() > deadline:
            return reply
        time.sleep(0.3)


def review(http: httpx.Client, account: Account, slug: str, **fields: Any) -> httpx.Response:
    return http.post("/api/v1/reviews", headers=account.headers, json={"eventSlug": slug, **fields})


def listed(http: httpx.Client, slug: str, **params: Any) -> list[dict[str, Any]]:
    reply = http.get("/api/v1/reviews", params={"event": slug, **params})
    assert reply.status_code == 200, reply.text
    return list(reply.json().get("reviews", []))


@pytest.fixture
def event(http: httpx.Client, admin: Account, new_account: Callable[[], Account]) -> str:
    slug = started_event(http, admin)
    probe = new_account()
    first = wait_for_event(http, probe, slug)  # the probe's own review; the tests use other accounts
    assert first.status_code == 200, first.text
    return slug


@pytest.fixture
def vision() -> Iterator[str]:
    base = sandbox_url("vision")
    yield base
    with control(base) as c:
        c.delete("/sandbox/faults")


def test_a_review_with_a_clean_photo_is_stored_listed_and_stripped_of_exif(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    key = upload_photo(http, me, image(GREEN, gps=True))
    reply = review(http, me, event, rating=4, text="Прекрасный вечер, great acoustics", photos=[key])
    assert reply.status_code == 200, reply.text  # Envoy's transcoder answers 200 for a created review
    created = reply.json()
    assert created["rating"] == 4 and created["userId"] == me.id and created["eventSlug"] == event
    [photo] = created["photos"]
    assert photo["url"].startswith(f"{GATEWAY}{MEDIA_PREFIX}/")
    served = httpx.get(photo["url"], timeout=30)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as published:
        assert not published.getexif(), "EXIF (GPS) must not survive"
        assert published.info.get("exif") is None
    thumb = httpx.get(photo["thumbnailUrl"], timeout=30)
    assert thumb.status_code == 200
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert max(small.size) <= 400
    assert created["id"] in [r["id"] for r in listed(http, event)]


def test_a_review_is_published_as_ugc_created_and_a_user_action(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    rid = review(http, me, event, rating=3).json()["id"]
    created = [ugc_events.UgcCreated.FromString(r.value) for r in read_topic(
        "ugc.created", key=event, until=lambda rs: any(rid.encode() in r.value for r in rs))]
    assert [(c.user_id, c.rating) for c in created if c.review_id == rid] == [(me.id, 3)]
    actions = [reco_events.UserAction.FromString(r.value) for r in read_topic(
        "user.action", key=me.id, until=lambda rs: any(rid.encode() in r.value for r in rs))]
    assert [(a.kind, a.event_slug) for a in actions if a.action_id == f"review:{rid}"] == [
        (reco_events.ACTION_KIND_REVIEW, event)]


def test_a_flagged_photo_is_refused_naming_it_and_nothing_is_stored(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    keys = [upload_photo(http, me, image(GREEN)), upload_photo(http, me, image(RED))]
    reply = review(http, me, event, rating=5, photos=keys)
    assert reply.status_code == 400, reply.text
    assert error_reason(reply) == "UNACCEPTABLE_IMAGE"
    assert violated_fields(reply) == ["photos[1]"]
    assert "Unacceptable image" in reply.json()["message"]
    assert me.id not in [r["userId"] for r in listed(http, event)]
    # Nothing stored: the same user may still write the review (without the photo).
    assert review(http, me, event, rating=5).status_code == 200


def test_moderation_down_is_unavailable_not_a_pass(
        http: httpx.Client, event: str, new_account: Callable[[], Account], vision: str) -> None:
    me = new_account()
    key = upload_photo(http, me, image(GREEN))
    inject_fault(vision, "annotate", "unavailable")
    reply = review(http, me, event, rating=3, photos=[key])
    assert reply.status_code == 503, reply.text
    assert me.id not in [r["userId"] for r in listed(http, event)]
    # The upload is kept: the same request succeeds once moderation answers again.
    assert review(http, me, event, rating=3, photos=[key]).status_code == 200


def test_profanity_is_refused_naming_the_text(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    for text in ("Полная хуйня, а не концерт", "what a fucking waste"):
        reply = review(http, me, event, rating=1, text=text)
        assert reply.status_code == 400, reply.text
        assert error_reason(reply) == "UNACCEPTABLE_TEXT" and violated_fields(reply) == ["text"]
    assert review(http, me, event, rating=1, text="Скучно, звук плохой").status_code == 200


def test_a_second_review_conflicts_and_is_changed_with_patch(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    first = review(http, me, event, rating=2)
    assert first.status_code == 200, first.text
    again = review(http, me, event, rating=5)
    assert again.status_code == 409, again.text
    changed = http.patch(f"/api/v1/reviews/{first.json()['id']}", headers=me.headers, json={"rating": 5})
    assert changed.status_code == 200 and changed.json()["rating"] == 5, changed.text


def test_only_my_own_review_can_be_deleted(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    mine, other = new_account(), new_account()
    theirs = review(http, other, event, rating=4).json()["id"]
    assert http.delete(f"/api/v1/reviews/{theirs}", headers=mine.headers).status_code == 404
    assert theirs in [r["id"] for r in listed(http, event, pageSize=100)]
    assert http.delete(f"/api/v1/reviews/{theirs}", headers=other.headers).status_code == 200
    assert theirs not in [r["id"] for r in listed(http, event, pageSize=100)]


def test_an_admin_hides_a_review(http: httpx.Client, event: str, admin: Account,
                                 new_account: Callable[[], Account]) -> None:
    author = new_account()
    rid = review(http, author, event, rating=1, text="Реклама").json()["id"]
    assert http.post(f"/api/v1/reviews/{rid}:hide", headers=author.headers, json={}).status_code == 403
    hidden = http.post(f"/api/v1/reviews/{rid}:hide", headers=admin.headers, json={"reason": "spam"})
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True, hidden.text
    assert rid not in [r["id"] for r in listed(http, event, pageSize=100)]


def test_bad_input_names_the_field(http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    assert_bad_request(review(http, me, event, rating=6), "rating")
    assert_bad_request(review(http, me, "Not A Slug", rating=3), "eventSlug")
    assert_bad_request(review(http, me, event, rating=3, photos=["../etc/passwd"]), "photos")
    assert_bad_request(review(http, me, event, rating=3, photos=["0" * 32]), "photos[0]")  # not an upload of mine
    assert_bad_request(http.get("/api/v1/reviews", params={"event": event, "orderBy": "worst"}), "orderBy")
    assert http.post("/api/v1/reviews", json={"eventSlug": event, "rating": 3}).status_code == 401


def test_an_event_not_begun_cannot_be_reviewed_without_a_ticket(
        http: httpx.Client, admin: Account, new_account: Callable[[], Account]) -> None:
    slug = str(publish(http, admin, event_body(starts=[at(days=3)]))["slug"])
    me = new_account()
    reply = wait_for_event(http, me, slug)
    assert reply.status_code == 400 and error_reason(reply) == "REVIEW_TOO_EARLY", reply.text


def test_pages_of_newest_first(http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    for rating in (1, 2, 3):
        assert review(http, new_account(), event, rating=rating).status_code == 200
    seen: list[str] = []
    token = ""
    while True:
        reply = http.get("/api/v1/reviews", params={"event": event, "pageSize": 2, "pageToken": token})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        seen += [r["id"] for r in body["reviews"]]
        token = body.get("nextPageToken", "")
        if not token:
            break
    assert len(seen) == len(set(seen)) >= 4
    times = [r["createTime"] for r in listed(http, event, pageSize=100)]
    assert times == sorted(times, reverse=True)


def card_rating(http: httpx.Client, slug: str, expected: dict[str, Any]) -> dict[str, Any]:
    """The card's rating once it is `expected` (eventually consistent: through Kafka), or the last seen."""
    deadline = time.monotonic() + 20
    while True:
        reply = http.get(f"/api/v1/events/{slug}")
        assert reply.status_code == 200, reply.text
        rating = dict(reply.json().get("rating", {}))
        rating = {"average": rating.get("average", 0), "count": rating.get("count", 0)}
        if rating == expected or time.monotonic() > deadline:
            return rating
        time.sleep(0.3)


def test_ratings_flow_into_the_catalog_card(http: httpx.Client, event: str,
                                            new_account: Callable[[], Account]) -> None:
    # The fixture's probe reviewed with 5.
    assert card_rating(http, event, {"average": 5, "count": 1}) == {"average": 5, "count": 1}
    me = new_account()
    mine = review(http, me, event, rating=2).json()["id"]
    assert card_rating(http, event, {"average": 3.5, "count": 2}) == {"average": 3.5, "count": 2}
    assert http.patch(f"/api/v1/reviews/{mine}", headers=me.headers, json={"rating": 4}).status_code == 200
    assert card_rating(http, event, {"average": 4.5, "count": 2}) == {"average": 4.5, "count": 2}
    assert http.delete(f"/api/v1/reviews/{mine}", headers=me.headers).status_code == 200
    assert card_rating(http, event, {"average": 5, "count": 1}) == {"average": 5, "count": 1}


def test_most_helpful_first(http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    authors = [new_account() for _ in range(2)]
    plain, useful = (review(http, a, event, rating=3).json()["id"] for a in authors)
    for voter in (new_account(), new_account()):
        for _ in range(2):  # twice: counted once
            voted = http.post(f"/api/v1/reviews/{useful}:helpful", headers=voter.headers, json={})
            assert voted.status_code == 200, voted.text
    assert voted.json()["helpfulCount"] == 2
    own = http.post(f"/api/v1/reviews/{plain}:helpful", headers=authors[0].headers, json={})
    assert own.status_code == 400 and error_reason(own) == "OWN_REVIEW"
    ids = [r["id"] for r in listed(http, event, orderBy="helpful", pageSize=100)]
    assert ids.index(useful) == 0 and plain in ids


def test_an_upload_that_is_no_image_is_refused_naming_it(
        http: httpx.Client, event: str, new_account: Callable[[], Account]) -> None:
    me = new_account()
    reply = http.post("/api/v1/reviews/photos:presign", headers=me.headers, json={"contentType": "image/jpeg"})
    body = reply.json()
    fake = b"<html><script>alert(1)</script></html>" + b" " * 2048  # declared a JPEG, is not one
    sent = httpx.post(body["url"], data=body["fields"], files={"file": ("x.jpg", fake, "image/jpeg")}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    refused = review(http, me, event, rating=4, photos=[body["objectKey"]])
    assert refused.status_code == 400 and violated_fields(refused) == ["photos[0]"], refused.text
    assert error_reason(refused) == "PHOTO_NOT_AN_IMAGE"
    assert review(http, me, event, rating=4).status_code == 200  # nothing was stored
