"""An offline bundle of a tour: one zip with the route and stops as GeoJSON, every
narration's audio (each piece, in both formats), the stops' pictures and a manifest of
every file with its sha256 and size. Built deterministically (fixed timestamps, sorted
entries), so the same tour version and audio give the same bytes and the same ETag. Pure."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from services.gid.domain.model import Tour

MANIFEST = "manifest.json"
GEOJSON = "tour.geojson"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True, slots=True)
class PieceAudio:
    stop: int
    language: str
    piece: int
    duration_ms: int
    encoded: dict[str, bytes]  # format name -> bytes


def audio_path(tour: Tour, audio: PieceAudio, fmt: str) -> str:
    return f"audio/{tour.stops[audio.stop].id}/{audio.language}/{audio.piece:03d}.{fmt}"


def image_path(tour: Tour, stop: int, key: str) -> str:
    extension = key.rsplit(".", 1)[-1].lower() if "." in key.rsplit("/", 1)[-1] else "bin"
    return f"images/{tour.stops[stop].id}.{extension}"


def geojson(tour: Tour) -> dict[str, Any]:
    """The route as a LineString and every stop as a Point (GeoJSON: lon, lat)."""
    features: list[dict[str, Any]] = [{
        "type": "Feature", "id": "route",
        "geometry": {"type": "LineString", "coordinates": [[p.lon, p.lat] for p in tour.route]},
        "properties": {"kind": "route", "distance": round(tour.measure.distance_m, 1),
                       "walkingSeconds": tour.measure.walking_seconds}}]
    for index, stop in enumerate(tour.stops):
        features.append({
            "type": "Feature", "id": stop.id,
            "geometry": {"type": "Point", "coordinates": [stop.location.lon, stop.location.lat]},
            "properties": {"kind": "stop", "index": index, "title": stop.title, "triggerRadius": stop.trigger_radius,
                           "titles": {n.language: n.title or stop.title for n in stop.narrations},
                           "poiId": stop.poi_id, "eventSlug": stop.event_slug}})
    return {"type": "FeatureCollection", "features": features}


def _file(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def build(tour: Tour, engine: str, audio: list[PieceAudio], images: dict[int, tuple[str, bytes]]) -> bytes:
    """The zip of a tour: `audio` of every piece of every narration, `images` by stop
    index as (object key, bytes)."""
    entries: dict[str, bytes] = {GEOJSON: json.dumps(geojson(tour), ensure_ascii=False, indent=1).encode()}
    narrations: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for piece in sorted(audio, key=lambda a: (a.stop, a.language, a.piece)):
        files = {}
        for fmt, data in sorted(piece.encoded.items()):
            path = audio_path(tour, piece, fmt)
            entries[path] = data
            files[fmt] = path
        narrations.setdefault(tour.stops[piece.stop].id, {}).setdefault(piece.language, []).append(
            {"piece": piece.piece, "durationMs": piece.duration_ms, "files": files})
    pictures = {}
    for stop, (key, data) in sorted(images.items()):
        path = image_path(tour, stop, key)
        entries[path] = data
        pictures[tour.stops[stop].id] = path
    manifest = {
        "tour": {"id": tour.id, "version": tour.version, "city": tour.city, "title": tour.title,
                 "description": tour.description, "languages": list(tour.languages),
                 "distance": round(tour.measure.distance_m, 1), "walkingSeconds": tour.measure.walking_seconds,
                 "durationSeconds": tour.duration_seconds},
        "engine": engine,
        "stops": [{"id": s.id, "index": i, "title": s.title, "narrations": narrations.get(s.id, {}),
                   "image": pictures.get(s.id)} for i, s in enumerate(tour.stops)],
        "files": [_file(path, data) for path, data in sorted(entries.items())],
    }
    entries[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in [MANIFEST, *sorted(p for p in entries if p != MANIFEST)]:
            info = zipfile.ZipInfo(path, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            # Audio and pictures are compressed already; text is not.
            info.compress_type = zipfile.ZIP_DEFLATED if path.endswith((".json", ".geojson")) else zipfile.ZIP_STORED
            archive.writestr(info, entries[path])
    return out.getvalue()


def etag(bundle: bytes) -> str:
    return hashlib.sha256(bundle).hexdigest()[:32]


def object_key(tour: Tour, engine_tag: str, tag: str) -> str:
    return f"bundles/{tour.id}/v{tour.version}-{engine_tag}-{tag}.zip"
