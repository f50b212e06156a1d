from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListNearbyRequest(_message.Message):
    __slots__ = ("lat", "lon", "radius", "category", "limit")
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    RADIUS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    lat: float
    lon: float
    radius: float
    category: str
    limit: int
    def __init__(self, lat: _Optional[float] = ..., lon: _Optional[float] = ..., radius: _Optional[float] = ..., category: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class Poi(_message.Message):
    __slots__ = ("id", "name", "category", "city", "address", "lat", "lon", "distance")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    category: str
    city: str
    address: str
    lat: float
    lon: float
    distance: float
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., category: _Optional[str] = ..., city: _Optional[str] = ..., address: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., distance: _Optional[float] = ...) -> None: ...

class ListNearbyResponse(_message.Message):
    __slots__ = ("pois",)
    POIS_FIELD_NUMBER: _ClassVar[int]
    pois: _containers.RepeatedCompositeFieldContainer[Poi]
    def __init__(self, pois: _Optional[_Iterable[_Union[Poi, _Mapping]]] = ...) -> None: ...

class GetEtaRequest(_message.Message):
    __slots__ = ("to", "mode")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    to: str
    mode: str
    def __init__(self, to: _Optional[str] = ..., mode: _Optional[str] = ..., **kwargs) -> None: ...

class GetEtaResponse(_message.Message):
    __slots__ = ("distance", "seconds", "mode", "method")
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    distance: float
    seconds: int
    mode: str
    method: str
    def __init__(self, distance: _Optional[float] = ..., seconds: _Optional[int] = ..., mode: _Optional[str] = ..., method: _Optional[str] = ...) -> None: ...
