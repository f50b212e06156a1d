"""Inventory in the catalog through the gateway: sessions get stable ids, tiers and
seat maps are published, shown on the card (with approximate availability) and carried
by event.published for ticketing; list items leave the seat maps out."""

from __future__ import annotations

import random
from typing import Any

import httpx
from auth_support import Account
from catalog_support import TEST_LAT, TEST_LON, at, event_body, iso, publish
from kafka_support import read_topic

from kulturago.event.v1 import events_pb2

TIERS = [{"id": "front", "name": "Первые ряды", "price": "400000"},
         {"id": "hall", "name": "Партер", "price": "250000"}]
SEATS = [{"id": f"{row}-{n}", "tierId": "front" if row == "A" else "hall"} for row in "AB" for n in range(1, 4)]


def seated_body(**extra: Any) -> dict[str, Any]:
    start = at(days=3).replace(second=0, microsecond=0)
    body = event_body(ticketProvider="kulturago", price={"min": 0, "max": 0}, **extra)
    body["sessions"] = [
        {"startTime": iso(start), "endTime": iso(at(days=3, hours=2)), "tiers": TIERS, "seats": SEATS},
        {"id": "matinee", "startTime": iso(at(days=4)), "endTime": iso(at(days=4, hours=2)),
         "tiers": [{"id": "floor", "name": "Танцпол", "price": "150000", "capacity": 40}]},
    ]
    return body


def test_sessions_tiers_and_seats_on_the_card(http: httpx.Client, admin: Account) -> None:
    body = seated_body(lat=TEST_LAT + random.uniform(-0.3, 0.3), lon=TEST_LON + random.uniform(-0.3, 0.3))
    published = publish(http, admin, body)
    first, second = published["sessions"]
    assert len(first["id"]) == len("20261205-1700") and second["id"] == "matinee"
    assert [(t["id"], t["capacity"]) for t in first["tiers"]] == [("front", 3), ("hall", 3)]
    assert published["price"] == {"min": 1500, "max": 4000, "currency": "RUB"}  # from the tiers

    card = http.get(f"/api/v1/events/{body['slug']}").json()
    assert [s["id"] for s in card["sessions"]] == [first["id"], "matinee"]
    assert len(card["sessions"][0]["seats"]) == 6
    tier = card["sessions"][1]["tiers"][0]
    assert tier["price"] == "150000" and tier["capacity"] == 40
    assert tier["availability"] in ("AVAILABILITY_UNSPECIFIED", "AVAILABILITY_AVAILABLE")

    # Publishing the same schedule again keeps the ids.
    again = publish(http, admin, {**body, "title": "Концерт камерной музыки, версия 2"})
    assert [s["id"] for s in again["sessions"]] == [first["id"], "matinee"]

    listed = http.get("/api/v1/events", params={"lat": body["place"]["lat"], "lon": body["place"]["lon"],
                                                "radius": 1, "pageSize": 100}).json()["events"]
    item = next(e for e in listed if e["slug"] == body["slug"])
    assert item["sessions"][0]["tiers"] and item["sessions"][0]["seats"] == []


def test_event_published_carries_sessions_with_ids_and_tiers(http: httpx.Client, admin: Account) -> None:
    body = seated_body()
    publish(http, admin, body)
    records = read_topic("event.published", key=body["slug"], until=lambda r: len(r) >= 1)
    snapshot = events_pb2.EventPublished.FromString(records[-1].value).snapshot
    assert snapshot.ticket_provider == "kulturago"
    seated, matinee = snapshot.sessions
    assert matinee.id == "matinee" and matinee.tiers[0].capacity == 40 and matinee.tiers[0].price == 150000
    assert [(s.id, s.tier_id) for s in seated.seats][:2] == [("A-1", "front"), ("A-2", "front")]
    assert {t.id: t.capacity for t in seated.tiers} == {"front": 3, "hall": 3}


def test_bad_inventory_is_a_400_naming_the_field(http: httpx.Client, admin: Account) -> None:
    body = seated_body()
    body["sessions"][0]["seats"].append({"id": "C-1", "tierId": "balcony"})
    reply = http.post("/api/v1/events", json=body, headers=admin.headers)
    assert reply.status_code == 400, reply.text
    assert "sessions[0].seats" in reply.text
    no_tiers = event_body(ticketProvider="kulturago")
    reply = http.post("/api/v1/events", json=no_tiers, headers=admin.headers)
    assert reply.status_code == 400 and "sessions[0].tiers" in reply.text
    bad_id = seated_body()
    bad_id["sessions"][1]["id"] = "Not An Id"
    assert http.post("/api/v1/events", json=bad_id, headers=admin.headers).status_code == 400


def test_the_demo_city_sells_three_events_itself(http: httpx.Client) -> None:
    from kgo.demo_city import GENERAL_ADMISSION_SLUG, LAST_SEATS_SLUG, SEATED_SLUG
    from kgo.seed import seed

    seed(events=0, pois=0)  # only the sellable ones (idempotent)
    cards = {slug: http.get(f"/api/v1/events/{slug}").json()
             for slug in (GENERAL_ADMISSION_SLUG, SEATED_SLUG, LAST_SEATS_SLUG)}
    assert all(c["ticketProvider"] == "kulturago" for c in cards.values())
    assert all(s["tiers"] for c in cards.values() for s in c["sessions"])
    assert len(cards[SEATED_SLUG]["sessions"][0]["seats"]) == 96
    assert cards[GENERAL_ADMISSION_SLUG]["sessions"][0]["seats"] == []
    assert sum(t["capacity"] for t in cards[LAST_SEATS_SLUG]["sessions"][0]["tiers"]) == 5
