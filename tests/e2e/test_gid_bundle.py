"""Offline bundles through the gateway: a user's download (redirect to a presigned URL
through the gateway's /media route), a zip whose files match its manifest (hashes and
sizes), the route and stops as GeoJSON, every narration's audio and the stops' pictures;
built once per tour version (ETag, If-None-Match: 304)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import httpx
from auth_support import Account
from gid_support import probe, publish_tour, tour_body


def _bundle(http: httpx.Client, account: Account, tour_id: str, **headers: str) -> httpx.Response:
    reply = http.get(f"/api/v1/tours/{tour_id}/bundle", headers={**account.headers, **headers}, timeout=60)
    while reply.status_code == 202:  # still being built
        reply = http.get(f"/api/v1/tours/{tour_id}/bundle", headers={**account.headers, **headers}, timeout=60)
    return reply


def test_a_bundle_holds_what_its_manifest_lists(http: httpx.Client, admin: Account, account: Account,
                                                tmp_path: Path) -> None:
    body = tour_body(stops=2, languages=("ru", "en"), sentences=2)
    body["stops"][0]["image"] = "tours/dvortsovaya-i-nevskiy/ermitazh.png"  # a demo picture
    tour = publish_tour(http, admin, body)
    reply = _bundle(http, account, tour["id"])
    assert reply.status_code == 302, reply.text
    location, etag = reply.headers["location"], reply.headers["etag"]
    assert location.startswith(f"{http.base_url}/media/kulturago/bundles/{tour['id']}/".replace("//media", "/media"))
    download = httpx.get(location, timeout=30)  # no token: the signature is the authorisation
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert etag.strip('"') == hashlib.sha256(download.content).hexdigest()[:32]

    archive = zipfile.ZipFile(io.BytesIO(download.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tour"]["id"] == tour["id"] and manifest["tour"]["version"] == 1
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"]), path

    geo = json.loads(archive.read("tour.geojson"))
    line = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
    assert len(line) == 1 and len(line[0]["geometry"]["coordinates"]) == 2
    assert [f["id"] for f in geo["features"] if f["geometry"]["type"] == "Point"] == ["stop-0", "stop-1"]

    stop = manifest["stops"][0]
    assert set(stop["narrations"]) == {"ru", "en"} and len(stop["narrations"]["en"]) == 2  # two sentences
    piece = stop["narrations"]["ru"][0]
    assert set(piece["files"]) == {"ogg", "mp3"}
    (tmp_path / "piece.ogg").write_bytes(archive.read(piece["files"]["ogg"]))
    found = probe(tmp_path / "piece.ogg")
    assert found["codec"] == "opus" and abs(found["duration"] * 1000 - piece["durationMs"]) < 100
    assert stop["image"] == "images/stop-0.png" and archive.read("images/stop-0.png")[:4] == b"\x89PNG"
    assert manifest["stops"][1]["image"] is None


def test_the_bundle_is_built_once_per_version_and_validated_by_etag(http: httpx.Client, admin: Account,
                                                                    account: Account) -> None:
    body = tour_body(stops=1)
    publish_tour(http, admin, body)
    first = _bundle(http, account, body["id"])
    again = _bundle(http, account, body["id"])
    assert first.headers["etag"] == again.headers["etag"]
    assert first.headers["location"].split("?")[0] == again.headers["location"].split("?")[0]
    current = _bundle(http, account, body["id"], **{"If-None-Match": first.headers["etag"]})
    assert current.status_code == 304 and current.headers["etag"] == first.headers["etag"]
    publish_tour(http, admin, {**body, "title": "Тестовая прогулка, другая"})
    changed = _bundle(http, account, body["id"], **{"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 302 and changed.headers["etag"] != first.headers["etag"]


def test_bundles_need_a_user_and_a_tour(http: httpx.Client, account: Account) -> None:
    refused = http.get("/api/v1/tours/dvortsovaya-i-nevskiy/bundle")
    # Refused at the gateway (jwt_authn's challenge), before gid-service.
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer realm=")
    missing = http.get("/api/v1/tours/no-such-tour/bundle", headers=account.headers)
    assert missing.status_code == 404 and missing.json()["details"][0]["reason"] == "TOUR_NOT_FOUND"
