import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchRequest(_message.Message):
    __slots__ = ("q", "page", "per_page", "category", "is_free", "kids", "when", "date_from", "date_to", "city", "lat", "lon", "radius")
    Q_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PER_PAGE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    IS_FREE_FIELD_NUMBER: _ClassVar[int]
    KIDS_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    RADIUS_FIELD_NUMBER: _ClassVar[int]
    q: str
    page: int
    per_page: int
    category: _containers.RepeatedScalarFieldContainer[str]
    is_free: bool
    kids: bool
    when: str
    date_from: str
    date_to: str
    city: str
    lat: float
    lon: float
    radius: float
    def __init__(self, q: _Optional[str] = ..., page: _Optional[int] = ..., per_page: _Optional[int] = ..., category: _Optional[_Iterable[str]] = ..., is_free: _Optional[bool] = ..., kids: _Optional[bool] = ..., when: _Optional[str] = ..., date_from: _Optional[str] = ..., date_to: _Optional[str] = ..., city: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., radius: _Optional[float] = ...) -> None: ...

class Highlights(_message.Message):
    __slots__ = ("title", "description")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    title: str
    description: str
    def __init__(self, title: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("slug", "title", "category", "tags", "city", "place_name", "place_address", "lat", "lon", "next_start_time", "is_free", "kids", "price_min", "price_max", "age_restriction", "image", "score", "highlights")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    PLACE_NAME_FIELD_NUMBER: _ClassVar[int]
    PLACE_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    NEXT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    IS_FREE_FIELD_NUMBER: _ClassVar[int]
    KIDS_FIELD_NUMBER: _ClassVar[int]
    PRICE_MIN_FIELD_NUMBER: _ClassVar[int]
    PRICE_MAX_FIELD_NUMBER: _ClassVar[int]
    AGE_RESTRICTION_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    category: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    city: str
    place_name: str
    place_address: str
    lat: float
    lon: float
    next_start_time: _timestamp_pb2.Timestamp
    is_free: bool
    kids: bool
    price_min: int
    price_max: int
    age_restriction: int
    image: str
    score: float
    highlights: Highlights
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., category: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., city: _Optional[str] = ..., place_name: _Optional[str] = ..., place_address: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., next_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_free: _Optional[bool] = ..., kids: _Optional[bool] = ..., price_min: _Optional[int] = ..., price_max: _Optional[int] = ..., age_restriction: _Optional[int] = ..., image: _Optional[str] = ..., score: _Optional[float] = ..., highlights: _Optional[_Union[Highlights, _Mapping]] = ...) -> None: ...

class FacetValue(_message.Message):
    __slots__ = ("value", "count")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    value: str
    count: int
    def __init__(self, value: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class Facets(_message.Message):
    __slots__ = ("category", "is_free", "kids")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    IS_FREE_FIELD_NUMBER: _ClassVar[int]
    KIDS_FIELD_NUMBER: _ClassVar[int]
    category: _containers.RepeatedCompositeFieldContainer[FacetValue]
    is_free: _containers.RepeatedCompositeFieldContainer[FacetValue]
    kids: _containers.RepeatedCompositeFieldContainer[FacetValue]
    def __init__(self, category: _Optional[_Iterable[_Union[FacetValue, _Mapping]]] = ..., is_free: _Optional[_Iterable[_Union[FacetValue, _Mapping]]] = ..., kids: _Optional[_Iterable[_Union[FacetValue, _Mapping]]] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ("hits", "total", "page", "per_page", "facets", "total_is_lower_bound")
    HITS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PER_PAGE_FIELD_NUMBER: _ClassVar[int]
    FACETS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_IS_LOWER_BOUND_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    total: int
    page: int
    per_page: int
    facets: Facets
    total_is_lower_bound: bool
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., per_page: _Optional[int] = ..., facets: _Optional[_Union[Facets, _Mapping]] = ..., total_is_lower_bound: _Optional[bool] = ...) -> None: ...
