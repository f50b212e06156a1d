import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Availability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AVAILABILITY_UNSPECIFIED: _ClassVar[Availability]
    AVAILABILITY_AVAILABLE: _ClassVar[Availability]
    AVAILABILITY_FEW_LEFT: _ClassVar[Availability]
    AVAILABILITY_SOLD_OUT: _ClassVar[Availability]
AVAILABILITY_UNSPECIFIED: Availability
AVAILABILITY_AVAILABLE: Availability
AVAILABILITY_FEW_LEFT: Availability
AVAILABILITY_SOLD_OUT: Availability

class Place(_message.Message):
    __slots__ = ("name", "address", "lat", "lon")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: str
    lat: float
    lon: float
    def __init__(self, name: _Optional[str] = ..., address: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("start_time", "end_time", "id", "tiers", "seats")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    id: str
    tiers: _containers.RepeatedCompositeFieldContainer[TicketTier]
    seats: _containers.RepeatedCompositeFieldContainer[Seat]
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., id: _Optional[str] = ..., tiers: _Optional[_Iterable[_Union[TicketTier, _Mapping]]] = ..., seats: _Optional[_Iterable[_Union[Seat, _Mapping]]] = ...) -> None: ...

class TicketTier(_message.Message):
    __slots__ = ("id", "name", "price", "capacity", "available", "availability")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    price: int
    capacity: int
    available: int
    availability: Availability
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., price: _Optional[int] = ..., capacity: _Optional[int] = ..., available: _Optional[int] = ..., availability: _Optional[_Union[Availability, str]] = ...) -> None: ...

class Seat(_message.Message):
    __slots__ = ("id", "tier_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TIER_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    tier_id: str
    def __init__(self, id: _Optional[str] = ..., tier_id: _Optional[str] = ...) -> None: ...

class PriceRange(_message.Message):
    __slots__ = ("min", "max", "currency")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    min: int
    max: int
    currency: str
    def __init__(self, min: _Optional[int] = ..., max: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class Rating(_message.Message):
    __slots__ = ("average", "count")
    AVERAGE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    average: float
    count: int
    def __init__(self, average: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("slug", "title", "description", "category", "tags", "city", "place", "sessions", "price", "is_free", "kids", "age_restriction", "images", "ticket_provider", "rating", "next_start_time", "create_time", "update_time", "version")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    IS_FREE_FIELD_NUMBER: _ClassVar[int]
    KIDS_FIELD_NUMBER: _ClassVar[int]
    AGE_RESTRICTION_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    TICKET_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    NEXT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    description: str
    category: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    city: str
    place: Place
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    price: PriceRange
    is_free: bool
    kids: bool
    age_restriction: int
    images: _containers.RepeatedScalarFieldContainer[str]
    ticket_provider: str
    rating: Rating
    next_start_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., category: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., city: _Optional[str] = ..., place: _Optional[_Union[Place, _Mapping]] = ..., sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., price: _Optional[_Union[PriceRange, _Mapping]] = ..., is_free: _Optional[bool] = ..., kids: _Optional[bool] = ..., age_restriction: _Optional[int] = ..., images: _Optional[_Iterable[str]] = ..., ticket_provider: _Optional[str] = ..., rating: _Optional[_Union[Rating, _Mapping]] = ..., next_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class ListEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "category", "is_free", "kids", "when", "date_from", "date_to", "city", "lat", "lon", "radius")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
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
    page_size: int
    page_token: str
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
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., category: _Optional[_Iterable[str]] = ..., is_free: _Optional[bool] = ..., kids: _Optional[bool] = ..., when: _Optional[str] = ..., date_from: _Optional[str] = ..., date_to: _Optional[str] = ..., city: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., radius: _Optional[float] = ...) -> None: ...

class ListEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token", "total_size")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    next_page_token: str
    total_size: int
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetEventRequest(_message.Message):
    __slots__ = ("slug",)
    SLUG_FIELD_NUMBER: _ClassVar[int]
    slug: str
    def __init__(self, slug: _Optional[str] = ...) -> None: ...

class PublishEventRequest(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...
