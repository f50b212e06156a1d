import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudioFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_FORMAT_UNSPECIFIED: _ClassVar[AudioFormat]
    AUDIO_FORMAT_OGG_OPUS: _ClassVar[AudioFormat]
    AUDIO_FORMAT_MP3: _ClassVar[AudioFormat]
AUDIO_FORMAT_UNSPECIFIED: AudioFormat
AUDIO_FORMAT_OGG_OPUS: AudioFormat
AUDIO_FORMAT_MP3: AudioFormat

class LatLng(_message.Message):
    __slots__ = ("lat", "lon")
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    lat: float
    lon: float
    def __init__(self, lat: _Optional[float] = ..., lon: _Optional[float] = ...) -> None: ...

class StopNarration(_message.Message):
    __slots__ = ("language", "title", "text")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    language: str
    title: str
    text: str
    def __init__(self, language: _Optional[str] = ..., title: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class Stop(_message.Message):
    __slots__ = ("id", "title", "location", "trigger_radius", "narrations", "image", "poi_id", "event_slug")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_RADIUS_FIELD_NUMBER: _ClassVar[int]
    NARRATIONS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    POI_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    location: LatLng
    trigger_radius: float
    narrations: _containers.RepeatedCompositeFieldContainer[StopNarration]
    image: str
    poi_id: int
    event_slug: str
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., location: _Optional[_Union[LatLng, _Mapping]] = ..., trigger_radius: _Optional[float] = ..., narrations: _Optional[_Iterable[_Union[StopNarration, _Mapping]]] = ..., image: _Optional[str] = ..., poi_id: _Optional[int] = ..., event_slug: _Optional[str] = ...) -> None: ...

class Tour(_message.Message):
    __slots__ = ("id", "city", "title", "description", "languages", "route", "stops", "distance", "walking_duration", "duration", "route_method", "stop_count", "start", "start_distance", "version", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    STOPS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    WALKING_DURATION_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    ROUTE_METHOD_FIELD_NUMBER: _ClassVar[int]
    STOP_COUNT_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    START_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    city: str
    title: str
    description: str
    languages: _containers.RepeatedScalarFieldContainer[str]
    route: _containers.RepeatedCompositeFieldContainer[LatLng]
    stops: _containers.RepeatedCompositeFieldContainer[Stop]
    distance: float
    walking_duration: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    route_method: str
    stop_count: int
    start: LatLng
    start_distance: float
    version: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., city: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., languages: _Optional[_Iterable[str]] = ..., route: _Optional[_Iterable[_Union[LatLng, _Mapping]]] = ..., stops: _Optional[_Iterable[_Union[Stop, _Mapping]]] = ..., distance: _Optional[float] = ..., walking_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., route_method: _Optional[str] = ..., stop_count: _Optional[int] = ..., start: _Optional[_Union[LatLng, _Mapping]] = ..., start_distance: _Optional[float] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListToursRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "city", "language", "lat", "lon", "radius")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    RADIUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    city: str
    language: str
    lat: float
    lon: float
    radius: float
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., city: _Optional[str] = ..., language: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., radius: _Optional[float] = ...) -> None: ...

class ListToursResponse(_message.Message):
    __slots__ = ("tours", "next_page_token", "total_size")
    TOURS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    tours: _containers.RepeatedCompositeFieldContainer[Tour]
    next_page_token: str
    total_size: int
    def __init__(self, tours: _Optional[_Iterable[_Union[Tour, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetTourRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class PublishTourRequest(_message.Message):
    __slots__ = ("tour",)
    TOUR_FIELD_NUMBER: _ClassVar[int]
    tour: Tour
    def __init__(self, tour: _Optional[_Union[Tour, _Mapping]] = ...) -> None: ...

class SpeakRequest(_message.Message):
    __slots__ = ("text", "language", "voice")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    text: str
    language: str
    voice: str
    def __init__(self, text: _Optional[str] = ..., language: _Optional[str] = ..., voice: _Optional[str] = ...) -> None: ...

class AudioObject(_message.Message):
    __slots__ = ("format", "object_key", "content_type", "size_bytes")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OBJECT_KEY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    format: AudioFormat
    object_key: str
    content_type: str
    size_bytes: int
    def __init__(self, format: _Optional[_Union[AudioFormat, str]] = ..., object_key: _Optional[str] = ..., content_type: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class SpeakResponse(_message.Message):
    __slots__ = ("content_hash", "audio", "duration", "engine", "cached")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    content_hash: str
    audio: _containers.RepeatedCompositeFieldContainer[AudioObject]
    duration: _duration_pb2.Duration
    engine: str
    cached: bool
    def __init__(self, content_hash: _Optional[str] = ..., audio: _Optional[_Iterable[_Union[AudioObject, _Mapping]]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., engine: _Optional[str] = ..., cached: _Optional[bool] = ...) -> None: ...
