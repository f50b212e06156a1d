"""Domain <-> protobuf for tours and speech (used by the gRPC entrypoint)."""

from __future__ import annotations

from google.protobuf.duration_pb2 import Duration

from kulturago.gid.v1 import gid_service_pb2 as pb
from services.gid.domain.model import LatLng, Narration, Stop, Tour
from services.gid.domain.speech import FORMATS, StoredSpeech, object_key
from services.runtime.timestamps import optional_timestamp

_AUDIO_FORMATS = {"ogg": pb.AUDIO_FORMAT_OGG_OPUS, "mp3": pb.AUDIO_FORMAT_MP3}


def _seconds(value: int) -> Duration:
    return Duration(seconds=value)


def _point(p: LatLng) -> pb.LatLng:
    return pb.LatLng(lat=p.lat, lon=p.lon)


def _stop(s: Stop) -> pb.Stop:
    return pb.Stop(id=s.id, title=s.title, location=_point(s.location), trigger_radius=s.trigger_radius,
                   narrations=[pb.StopNarration(language=n.language, title=n.title, text=n.text)
                               for n in s.narrations],
                   image=s.image, poi_id=s.poi_id, event_slug=s.event_slug)


def to_proto(tour: Tour) -> pb.Tour:
    return pb.Tour(
        id=tour.id, city=tour.city, title=tour.title, description=tour.description, languages=list(tour.languages),
        route=[_point(p) for p in tour.route], stops=[_stop(s) for s in tour.stops],
        distance=round(tour.measure.distance_m, 1), walking_duration=_seconds(tour.measure.walking_seconds),
        duration=_seconds(tour.duration_seconds), route_method=tour.measure.method, stop_count=tour.stop_count,
        start=_point(tour.start) if tour.start else None,
        start_distance=round(tour.start_distance_m, 1) if tour.start_distance_m is not None else 0.0,
        version=tour.version, create_time=optional_timestamp(tour.create_time),
        update_time=optional_timestamp(tour.update_time))


def from_proto(msg: pb.Tour) -> Tour:
    return Tour(
        id=msg.id, city=msg.city, title=msg.title, description=msg.description, languages=tuple(msg.languages),
        route=tuple(LatLng(p.lat, p.lon) for p in msg.route),
        stops=tuple(Stop(id=s.id, title=s.title, location=LatLng(s.location.lat, s.location.lon),
                         narrations=tuple(Narration(n.language, n.text, n.title) for n in s.narrations),
                         trigger_radius=s.trigger_radius, image=s.image, poi_id=s.poi_id, event_slug=s.event_slug)
                    for s in msg.stops))


def speak_response(speech: StoredSpeech, *, cached: bool) -> pb.SpeakResponse:
    return pb.SpeakResponse(
        content_hash=speech.hash, engine=speech.engine, cached=cached,
        duration=Duration(seconds=speech.duration_ms // 1000, nanos=speech.duration_ms % 1000 * 1_000_000),
        audio=[pb.AudioObject(format=_AUDIO_FORMATS[name], object_key=object_key(speech.hash, fmt),
                              content_type=fmt.content_type, size_bytes=speech.sizes.get(name, 0))
               for name, fmt in FORMATS.items()])
