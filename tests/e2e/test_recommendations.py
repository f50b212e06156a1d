"""recommendation-service through Envoy: cold start, the online profile, favourites,
purchases left out, similar events, and the model's retrain / refusal / hot swap."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import psycopg
import pytest
from auth_support import Account
from confluent_kafka import Producer

from kgo import provision, topology
from kulturago.recommendation.v1 import recommendation_service_pb2 as pb
from kulturago.recommendation.v1 import recommendation_service_pb2_grpc as pb_grpc
from kulturago.ticketing.v1 import events_pb2 as ticket_events
from services.runtime.messaging.envelope import wrap
from services.runtime.timestamps import to_timestamp

KAFKA = f"127.0.0.1:{topology.KAFKA_PORT}"


def stub() -> pb_grpc.RecommendationServiceStub:
    channel = grpc.insecure_channel(f"127.0.0.1:{topology.service('recommendation').grpc_port}")
    return pb_grpc.RecommendationServiceStub(channel)


def recommendations(http: httpx.Client, account: Account | None = None, **params: Any) -> dict[str, Any]:
    reply = http.get("/api/v1/recommendations", params={"limit": 20, **params},
                     headers=account.headers if account else {})
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Polls until `check` holds (bounded); the caller asserts on what it then reads."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def demo_events(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    # Events whose next session is days ahead: recommendable for the whole test.
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    reply = http.get("/api/v1/events", params={"pageSize": 100, "dateFrom": later, **params})
    assert reply.status_code == 200, reply.text
    return reply.json()["events"]  # type: ignore[no-any-return]


def view(http: httpx.Client, account: Account, slugs: list[str]) -> None:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    reply = http.post("/api/v1/actions", headers=account.headers, json={"actions": [
        {"id": str(uuid.uuid4()), "kind": "ACTION_KIND_VIEW", "eventSlug": s, "clientTime": now} for s in slugs]})
    assert reply.status_code == 200, reply.text
    assert reply.json()["accepted"] == len(slugs)


def test_anonymous_users_get_the_cold_start_list_of_their_city(http: httpx.Client) -> None:
    body = recommendations(http, city="spb")
    assert body["strategy"] == "cold_start"
    assert body["modelVersion"]
    assert len(body["events"]) == 20
    assert {e["city"] for e in body["events"]} == {"spb"}
    assert all(e["reason"] and e["reasonCode"] for e in body["events"])
    assert len({e["category"] for e in body["events"]}) >= 4, "diverse across categories"
    today = recommendations(http, city="moscow", when="today", kids="true")
    assert all(e["kids"] for e in today["events"])


def test_bad_input_is_a_400_naming_the_field(http: httpx.Client, account: Account) -> None:
    reply = http.get("/api/v1/recommendations", params={"when": "yesterday"})
    assert reply.status_code == 400 and "when" in reply.text
    reply = http.get("/api/v1/picks/never")
    assert reply.status_code == 400 and "kind" in reply.text
    old = (datetime.now(UTC) - timedelta(days=30)).isoformat().replace("+00:00", "Z")
    reply = http.post("/api/v1/actions", headers=account.headers, json={"actions": [
        {"id": str(uuid.uuid4()), "kind": "ACTION_KIND_VIEW", "eventSlug": "x1", "clientTime": old}]})
    assert reply.status_code == 400 and "actions[0].clientTime" in reply.text
    reply = http.post("/api/v1/actions", headers=account.headers, json={"actions": [
        {"id": "not-a-uuid", "kind": "ACTION_KIND_PURCHASE", "eventSlug": "x1", "clientTime": old}]})
    assert reply.status_code == 400
    assert http.post("/api/v1/actions", json={"actions": []}).status_code == 401


def test_picks_of_the_home_screen(http: httpx.Client) -> None:
    for kind in ("today", "weekend", "kids"):
        reply = http.get(f"/api/v1/picks/{kind}", params={"city": "moscow"})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["title"] and body["events"], kind
        assert {e["city"] for e in body["events"]} == {"moscow"}
    assert all(e["kids"] for e in http.get("/api/v1/picks/kids").json()["events"])


def test_actions_shift_the_next_list_toward_them(http: httpx.Client, account: Account) -> None:
    before = recommendations(http, account, city="moscow")
    assert before["strategy"] == "cold_start"
    lectures = [e["slug"] for e in demo_events(http, category="lecture", city="moscow")][:3]
    assert len(lectures) == 3
    view(http, account, lectures)
    assert eventually(lambda: recommendations(http, account, city="moscow")["strategy"] == "personal")
    after = recommendations(http, account, city="moscow")
    share_before = Counter(e["category"] for e in before["events"])["lecture"]
    share_after = Counter(e["category"] for e in after["events"])["lecture"]
    assert share_after > share_before + 2, (share_before, share_after)
    assert any(e["reasonCode"] == "similar_to_liked" for e in after["events"])


def logged_views(user_id: str) -> list[str]:
    """Slugs of the views in recommendation-service's interaction log for this user."""
    with psycopg.connect(topology.database_url("recommendation", provision.postgres_password())) as conn:
        rows = conn.execute("SELECT event_slug FROM interactions WHERE user_id = %s AND kind = 1 ORDER BY time",
                            (user_id,)).fetchall()
    return [r[0] for r in rows]


def test_opening_a_card_with_a_token_counts_as_a_view(http: httpx.Client, account: Account) -> None:
    lectures = [e["slug"] for e in demo_events(http, category="lecture", city="moscow")][:3]
    assert http.get(f"/api/v1/events/{lectures[0]}").status_code == 200  # anonymous: no one to count
    for slug in lectures:
        reply = http.get(f"/api/v1/events/{slug}", headers=account.headers)
        assert reply.status_code == 200, reply.text
    assert http.get(f"/api/v1/events/{lectures[0]}", headers=account.headers).status_code == 200  # a reload
    assert eventually(lambda: len(logged_views(account.id)) >= 3)
    assert sorted(logged_views(account.id)) == sorted(lectures)  # the reload within minutes is the same view
    after = recommendations(http, account, city="moscow")
    assert after["strategy"] == "personal"
    assert Counter(e["category"] for e in after["events"])["lecture"] >= 3


def _publish_ticket_paid(user_id: str, slug: str) -> None:
    order = str(uuid.uuid4())
    message = ticket_events.TicketPaid(order=ticket_events.OrderSummary(
        order_id=order, user_id=user_id, event_slug=slug, event_title="t", session_id="s"), payment_id="p",
        paid_time=to_timestamp(datetime.now(UTC)))
    envelope = wrap("ticket.paid", order, message, "//tests")
    producer = Producer({"bootstrap.servers": KAFKA})
    producer.produce("ticket.paid", key=envelope.key, value=envelope.payload, headers=list(envelope.headers.items()))
    assert producer.flush(10) == 0


def test_purchased_events_are_left_out(http: httpx.Client, account: Account) -> None:
    first = recommendations(http, account, city="moscow")["events"][0]["slug"]
    _publish_ticket_paid(account.id, first)
    assert eventually(lambda: first not in {e["slug"] for e in recommendations(http, account, city="moscow")
                                            ["events"]})
    assert recommendations(http, account, city="moscow")["strategy"] == "personal"


def test_favourites(http: httpx.Client, account: Account) -> None:
    slug = demo_events(http, city="moscow")[0]["slug"]
    reply = http.put(f"/api/v1/favourites/{slug}", headers=account.headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["slug"] == slug and reply.json()["event"]["slug"] == slug  # shown as lists show it
    assert http.put(f"/api/v1/favourites/{slug}", headers=account.headers).status_code == 200  # again: same
    listed = http.get("/api/v1/favourites", headers=account.headers).json()
    assert [f["slug"] for f in listed["favourites"]] == [slug]
    assert http.put("/api/v1/favourites/no-such-event-here", headers=account.headers).status_code == 404
    assert http.put(f"/api/v1/favourites/{slug}").status_code == 401
    assert http.delete(f"/api/v1/favourites/{slug}", headers=account.headers).status_code == 200
    assert http.get("/api/v1/favourites", headers=account.headers).json()["favourites"] == []


def test_favourites_are_paginated(http: httpx.Client, account: Account) -> None:
    slugs = [e["slug"] for e in demo_events(http, city="spb")[:5]]
    for slug in slugs:
        assert http.put(f"/api/v1/favourites/{slug}", headers=account.headers).status_code == 200
    seen, token = [], ""
    while True:
        page = http.get("/api/v1/favourites", headers=account.headers,
                        params={"pageSize": 2, **({"pageToken": token} if token else {})}).json()
        seen += [f["slug"] for f in page["favourites"]]
        token = page["nextPageToken"]
        if not token:
            break
    assert sorted(seen) == sorted(slugs) and len(seen) == 5


def test_similar_events_of_a_jazz_concert_are_mostly_music(http: httpx.Client) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    params: dict[str, Any] = {"category": "concert", "city": "moscow", "pageSize": 100, "dateFrom": later}
    jazz = None
    for _ in range(20):
        page = http.get("/api/v1/events", params=params).json()
        jazz = next((e for e in page["events"] if "джаз" in e["tags"]), None)
        if jazz or not page["nextPageToken"]:
            break
        params["pageToken"] = page["nextPageToken"]
    assert jazz is not None, "the demo city has jazz evenings"
    reply = http.get(f"/api/v1/recommendations/similar/{jazz['slug']}", params={"limit": 10})
    assert reply.status_code == 200, reply.text
    similar = reply.json()["events"]
    assert len(similar) == 10 and jazz["slug"] not in {e["slug"] for e in similar}
    assert sum(e["category"] in ("concert", "festival") for e in similar) >= 7
    assert http.get("/api/v1/recommendations/similar/no-such-event-here").status_code == 404


@pytest.mark.disruptive
def test_retrain_serves_the_new_model_without_a_failed_request(http: httpx.Client, account: Account) -> None:
    view(http, account, [e["slug"] for e in demo_events(http, category="concert", city="moscow")][:3])
    assert eventually(lambda: recommendations(http, account)["strategy"] == "personal")
    failures: list[str] = []
    served: set[str] = set()
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=http.base_url, timeout=15) as client:
            while not stop.is_set():
                reply = client.get("/api/v1/recommendations", headers=account.headers, params={"limit": 10})
                if reply.status_code != 200:
                    failures.append(reply.text)
                else:
                    served.add(reply.json()["modelVersion"])

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        outcome = stub().RetrainModel(pb.RetrainModelRequest(), timeout=600)
        if outcome.activated:
            assert eventually(lambda: outcome.model_version in served)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    assert outcome.activated, outcome.reason
    assert outcome.serving_version == outcome.model_version
    assert recommendations(http, account)["modelVersion"] == outcome.model_version


@pytest.mark.disruptive
def test_a_worse_or_corrupt_model_is_refused_and_the_old_one_kept(http: httpx.Client) -> None:
    serving = recommendations(http)["modelVersion"]
    worse = stub().RetrainModel(pb.RetrainModelRequest(iterations=-1), timeout=600)
    assert not worse.activated and worse.reason
    assert worse.serving_version == serving
    assert recommendations(http)["modelVersion"] == serving

    from minio import Minio

    access, secret = provision.s3_credentials()
    s3 = Minio(f"127.0.0.1:{topology.S3_PORT}", access_key=access, secret_key=secret, secure=False,
               region="us-east-1")
    version = f"corrupt-{uuid.uuid4().hex[:8]}"
    import io

    for name in ("model.onnx", "side.npz"):
        garbage = b"this is not a model" * 10
        s3.put_object(topology.S3_BUCKET, f"recommendation/models/{version}/{name}", io.BytesIO(garbage),
                      len(garbage))
    refused = stub().ActivateModel(pb.ActivateModelRequest(model_version=version), timeout=60)
    assert not refused.activated and "ONNX" in refused.reason
    assert refused.serving_version == serving
    assert recommendations(http)["modelVersion"] == serving
