import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TourPublished(_message.Message):
    __slots__ = ("version", "snapshot")
    class Snapshot(_message.Message):
        __slots__ = ("id", "city", "title", "description", "languages", "stops", "distance", "walking_seconds", "duration_seconds", "create_time", "update_time")
        ID_FIELD_NUMBER: _ClassVar[int]
        CITY_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        LANGUAGES_FIELD_NUMBER: _ClassVar[int]
        STOPS_FIELD_NUMBER: _ClassVar[int]
        DISTANCE_FIELD_NUMBER: _ClassVar[int]
        WALKING_SECONDS_FIELD_NUMBER: _ClassVar[int]
        DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
        CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
        UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
        id: str
        city: str
        title: str
        description: str
        languages: _containers.RepeatedScalarFieldContainer[str]
        stops: _containers.RepeatedCompositeFieldContainer[TourPublished.Stop]
        distance: float
        walking_seconds: int
        duration_seconds: int
        create_time: _timestamp_pb2.Timestamp
        update_time: _timestamp_pb2.Timestamp
        def __init__(self, id: _Optional[str] = ..., city: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., languages: _Optional[_Iterable[str]] = ..., stops: _Optional[_Iterable[_Union[TourPublished.Stop, _Mapping]]] = ..., distance: _Optional[float] = ..., walking_seconds: _Optional[int] = ..., duration_seconds: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
    class Stop(_message.Message):
        __slots__ = ("id", "title", "lat", "lon", "trigger_radius", "poi_id", "event_slug")
        ID_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        LAT_FIELD_NUMBER: _ClassVar[int]
        LON_FIELD_NUMBER: _ClassVar[int]
        TRIGGER_RADIUS_FIELD_NUMBER: _ClassVar[int]
        POI_ID_FIELD_NUMBER: _ClassVar[int]
        EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
        id: str
        title: str
        lat: float
        lon: float
        trigger_radius: float
        poi_id: int
        event_slug: str
        def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., trigger_radius: _Optional[float] = ..., poi_id: _Optional[int] = ..., event_slug: _Optional[str] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    version: int
    snapshot: TourPublished.Snapshot
    def __init__(self, version: _Optional[int] = ..., snapshot: _Optional[_Union[TourPublished.Snapshot, _Mapping]] = ...) -> None: ...
