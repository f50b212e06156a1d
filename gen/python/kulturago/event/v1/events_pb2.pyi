import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.event.v1 import event_service_pb2 as _event_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventPublished(_message.Message):
    __slots__ = ("event", "version", "snapshot")
    class Snapshot(_message.Message):
        __slots__ = ("slug", "title", "description", "category", "tags", "city", "place_name", "place_address", "lat", "lon", "sessions", "price_min", "price_max", "currency", "is_free", "kids", "age_restriction", "images", "ticket_provider", "create_time", "update_time")
        SLUG_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        CATEGORY_FIELD_NUMBER: _ClassVar[int]
        TAGS_FIELD_NUMBER: _ClassVar[int]
        CITY_FIELD_NUMBER: _ClassVar[int]
        PLACE_NAME_FIELD_NUMBER: _ClassVar[int]
        PLACE_ADDRESS_FIELD_NUMBER: _ClassVar[int]
        LAT_FIELD_NUMBER: _ClassVar[int]
        LON_FIELD_NUMBER: _ClassVar[int]
        SESSIONS_FIELD_NUMBER: _ClassVar[int]
        PRICE_MIN_FIELD_NUMBER: _ClassVar[int]
        PRICE_MAX_FIELD_NUMBER: _ClassVar[int]
        CURRENCY_FIELD_NUMBER: _ClassVar[int]
        IS_FREE_FIELD_NUMBER: _ClassVar[int]
        KIDS_FIELD_NUMBER: _ClassVar[int]
        AGE_RESTRICTION_FIELD_NUMBER: _ClassVar[int]
        IMAGES_FIELD_NUMBER: _ClassVar[int]
        TICKET_PROVIDER_FIELD_NUMBER: _ClassVar[int]
        CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
        UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
        slug: str
        title: str
        description: str
        category: str
        tags: _containers.RepeatedScalarFieldContainer[str]
        city: str
        place_name: str
        place_address: str
        lat: float
        lon: float
        sessions: _containers.RepeatedCompositeFieldContainer[EventPublished.Session]
        price_min: int
        price_max: int
        currency: str
        is_free: bool
        kids: bool
        age_restriction: int
        images: _containers.RepeatedScalarFieldContainer[str]
        ticket_provider: str
        create_time: _timestamp_pb2.Timestamp
        update_time: _timestamp_pb2.Timestamp
        def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., category: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., city: _Optional[str] = ..., place_name: _Optional[str] = ..., place_address: _Optional[str] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., sessions: _Optional[_Iterable[_Union[EventPublished.Session, _Mapping]]] = ..., price_min: _Optional[int] = ..., price_max: _Optional[int] = ..., currency: _Optional[str] = ..., is_free: _Optional[bool] = ..., kids: _Optional[bool] = ..., age_restriction: _Optional[int] = ..., images: _Optional[_Iterable[str]] = ..., ticket_provider: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
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
        tiers: _containers.RepeatedCompositeFieldContainer[EventPublished.TicketTier]
        seats: _containers.RepeatedCompositeFieldContainer[EventPublished.Seat]
        def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., id: _Optional[str] = ..., tiers: _Optional[_Iterable[_Union[EventPublished.TicketTier, _Mapping]]] = ..., seats: _Optional[_Iterable[_Union[EventPublished.Seat, _Mapping]]] = ...) -> None: ...
    class TicketTier(_message.Message):
        __slots__ = ("id", "name", "price", "capacity")
        ID_FIELD_NUMBER: _ClassVar[int]
        NAME_FIELD_NUMBER: _ClassVar[int]
        PRICE_FIELD_NUMBER: _ClassVar[int]
        CAPACITY_FIELD_NUMBER: _ClassVar[int]
        id: str
        name: str
        price: int
        capacity: int
        def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., price: _Optional[int] = ..., capacity: _Optional[int] = ...) -> None: ...
    class Seat(_message.Message):
        __slots__ = ("id", "tier_id")
        ID_FIELD_NUMBER: _ClassVar[int]
        TIER_ID_FIELD_NUMBER: _ClassVar[int]
        id: str
        tier_id: str
        def __init__(self, id: _Optional[str] = ..., tier_id: _Optional[str] = ...) -> None: ...
    EVENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    event: _event_service_pb2.Event
    version: int
    snapshot: EventPublished.Snapshot
    def __init__(self, event: _Optional[_Union[_event_service_pb2.Event, _Mapping]] = ..., version: _Optional[int] = ..., snapshot: _Optional[_Union[EventPublished.Snapshot, _Mapping]] = ...) -> None: ...
