"""Audio tours through the gateway: the catalog (list near a point, by language, pages,
the card with stops), admin publishing (RBAC, input rules) and `tour.published`."""

from __future__ import annotations

import httpx
from auth_support import Account
from gid_support import STEP_LAT, publish_tour, tour_body, tour_point
from kafka_support import read_topic

from kgo.demo_city.tours import demo_tours
from kulturago.gid.v1 import events_pb2

DEMO = {t.id for t in demo_tours()}


def test_a_published_tour_is_listed_near_its_start_and_read_with_its_stops(http: httpx.Client,
                                                                           admin: Account) -> None:
    lat, lon = tour_point()
    body = tour_body(stops=3, languages=("ru", "en"), start=(lat, lon))
    published = publish_tour(http, admin, body)
    assert published["version"] == "1" and published["stopCount"] == 3
    # Measured by geo-service: no road graph out in the fields, so its geodesic estimate.
    assert published["routeMethod"] == "geodesic" and published["distance"] > 2 * 200
    walking = int(published["walkingDuration"].rstrip("s"))
    assert walking > 0 and int(published["duration"].rstrip("s")) > walking  # plus listening
    assert [p["lat"] for p in published["route"]] == [s["location"]["lat"] for s in body["stops"]]

    near = http.get("/api/v1/tours", params={"lat": lat + STEP_LAT / 2, "lon": lon, "radius": 1000})
    assert near.status_code == 200, near.text
    listed = near.json()
    assert [t["id"] for t in listed["tours"]] == [body["id"]] and listed["totalSize"] == 1
    item = listed["tours"][0]
    assert item["stops"] == [] and item["route"] == []  # the card has them
    assert 50 < item["startDistance"] < 100 and item["start"] == body["stops"][0]["location"]
    assert http.get("/api/v1/tours", params={"lat": lat, "lon": lon, "radius": 1000,
                                             "language": "en"}).json()["totalSize"] == 1

    card = http.get(f"/api/v1/tours/{body['id']}").json()
    assert [s["id"] for s in card["stops"]] == ["stop-0", "stop-1", "stop-2"]
    assert card["stops"][0]["triggerRadius"] == 40  # the default zone
    assert {n["language"] for n in card["stops"][1]["narrations"]} == {"ru", "en"}
    assert card["stops"][1]["narrations"][0]["text"] == body["stops"][1]["narrations"][0]["text"]


def test_lists_page_nearest_first_without_repeats(http: httpx.Client, admin: Account) -> None:
    lat, lon = tour_point()
    ids = []
    for i in range(5):  # starts 100 m apart, eastwards
        body = tour_body(stops=1, start=(lat, lon + i * 0.0017))
        publish_tour(http, admin, body)
        ids.append(body["id"])
    seen, token, first_token = [], "", ""
    while True:
        params: dict[str, str | float] = {"lat": lat, "lon": lon, "radius": 600, "pageSize": 2}
        if token:
            params["pageToken"] = token
        page = http.get("/api/v1/tours", params=params).json()
        seen += [t["id"] for t in page["tours"]]
        assert page["totalSize"] == 5
        token = page["nextPageToken"]
        first_token = first_token or token
        if not token:
            break
    assert seen == ids
    # A page token belongs to the query it came from.
    other = http.get("/api/v1/tours", params={"lat": lat, "lon": lon, "radius": 900, "pageToken": first_token})
    assert other.status_code == 400 and "pageToken" in other.text


def test_the_demo_city_has_tours_in_both_cities_some_in_english(http: httpx.Client) -> None:
    # Around each city's centre (test tours start far out in the fields).
    moscow = http.get("/api/v1/tours", params={"lat": 55.7558, "lon": 37.6173, "radius": 15000,
                                               "pageSize": 100}).json()
    spb = http.get("/api/v1/tours", params={"lat": 59.9386, "lon": 30.3141, "radius": 15000,
                                            "pageSize": 100}).json()
    demo = [t for t in moscow["tours"] + spb["tours"] if t["id"] in DEMO]
    assert len([t for t in demo if t["city"] == "moscow"]) >= 5 and len([t for t in demo if t["city"] == "spb"]) >= 5
    assert sum("en" in t["languages"] for t in demo) >= 3
    card = http.get("/api/v1/tours/dvortsovaya-i-nevskiy").json()
    assert card["stops"][0]["title"] == "Государственный Эрмитаж" and card["stops"][0]["poiId"] != "0"
    assert card["stops"][0]["image"] == "tours/dvortsovaya-i-nevskiy/ermitazh.png"


def test_publishing_needs_an_admin(http: httpx.Client, account: Account) -> None:
    assert http.post("/api/v1/tours", json=tour_body()).status_code == 401
    assert http.post("/api/v1/tours", json=tour_body(), headers=account.headers).status_code == 403


def test_a_tour_breaking_the_rules_is_a_400_naming_the_field(http: httpx.Client, admin: Account) -> None:
    body = tour_body(languages=("ru", "en"))
    body["stops"][1]["narrations"] = body["stops"][1]["narrations"][:1]  # no English at stop 2
    reply = http.post("/api/v1/tours", json=body, headers=admin.headers)
    assert reply.status_code == 400
    fields = [v["field"] for d in reply.json()["details"] for v in d.get("fieldViolations", [])]
    assert fields == ["tour.stops"]
    bad_id = http.post("/api/v1/tours", json=tour_body(id="Not An Id"), headers=admin.headers)
    assert bad_id.status_code == 400 and "id" in bad_id.text
    unknown = http.get("/api/v1/tours/no-such-tour")
    assert unknown.status_code == 404 and unknown.json()["details"][0]["reason"] == "TOUR_NOT_FOUND"


def test_publishing_writes_tour_published_with_the_version(http: httpx.Client, admin: Account) -> None:
    body = tour_body(stops=2)
    publish_tour(http, admin, body)
    publish_tour(http, admin, {**body, "title": "Тестовая прогулка, версия 2"})
    records = read_topic("tour.published", key=body["id"], until=lambda r: len(r) >= 2)
    assert len(records) == 2
    assert all(r.headers["ce_type"] == "kulturago.gid.v1.TourPublished" for r in records)
    decoded = [events_pb2.TourPublished.FromString(r.value) for r in records]
    assert [d.version for d in decoded] == [1, 2]
    assert decoded[-1].snapshot.title == "Тестовая прогулка, версия 2"
    assert [s.id for s in decoded[-1].snapshot.stops] == ["stop-0", "stop-1"]
