import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderSummary(_message.Message):
    __slots__ = ("order_id", "user_id", "event_slug", "event_title", "session_id", "session_start_time", "amount", "currency", "tickets")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_START_TIME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TICKETS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    event_slug: str
    event_title: str
    session_id: str
    session_start_time: _timestamp_pb2.Timestamp
    amount: int
    currency: str
    tickets: _containers.RepeatedCompositeFieldContainer[TicketLine]
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., event_slug: _Optional[str] = ..., event_title: _Optional[str] = ..., session_id: _Optional[str] = ..., session_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., tickets: _Optional[_Iterable[_Union[TicketLine, _Mapping]]] = ...) -> None: ...

class TicketLine(_message.Message):
    __slots__ = ("ticket_id", "tier_id", "tier_name", "price", "seat", "secret")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SEAT_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    tier_id: str
    tier_name: str
    price: int
    seat: str
    secret: str
    def __init__(self, ticket_id: _Optional[str] = ..., tier_id: _Optional[str] = ..., tier_name: _Optional[str] = ..., price: _Optional[int] = ..., seat: _Optional[str] = ..., secret: _Optional[str] = ...) -> None: ...

class TicketReserved(_message.Message):
    __slots__ = ("order", "hold_expire_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    HOLD_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    order: OrderSummary
    hold_expire_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[OrderSummary, _Mapping]] = ..., hold_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketPaid(_message.Message):
    __slots__ = ("order", "payment_id", "paid_time", "late")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    order: OrderSummary
    payment_id: str
    paid_time: _timestamp_pb2.Timestamp
    late: bool
    def __init__(self, order: _Optional[_Union[OrderSummary, _Mapping]] = ..., payment_id: _Optional[str] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., late: _Optional[bool] = ...) -> None: ...

class TicketCancelled(_message.Message):
    __slots__ = ("order", "reason")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order: OrderSummary
    reason: str
    def __init__(self, order: _Optional[_Union[OrderSummary, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class TicketExpired(_message.Message):
    __slots__ = ("order", "hold_expire_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    HOLD_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    order: OrderSummary
    hold_expire_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[OrderSummary, _Mapping]] = ..., hold_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketRefunded(_message.Message):
    __slots__ = ("order", "amount", "refunded_amount", "full", "reason")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FULL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order: OrderSummary
    amount: int
    refunded_amount: int
    full: bool
    reason: str
    def __init__(self, order: _Optional[_Union[OrderSummary, _Mapping]] = ..., amount: _Optional[int] = ..., refunded_amount: _Optional[int] = ..., full: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class SessionAvailability(_message.Message):
    __slots__ = ("event_slug", "session_id", "tiers", "time")
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIERS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    event_slug: str
    session_id: str
    tiers: _containers.RepeatedCompositeFieldContainer[TierAvailability]
    time: _timestamp_pb2.Timestamp
    def __init__(self, event_slug: _Optional[str] = ..., session_id: _Optional[str] = ..., tiers: _Optional[_Iterable[_Union[TierAvailability, _Mapping]]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TierAvailability(_message.Message):
    __slots__ = ("tier_id", "capacity", "available")
    TIER_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    tier_id: str
    capacity: int
    available: int
    def __init__(self, tier_id: _Optional[str] = ..., capacity: _Optional[int] = ..., available: _Optional[int] = ...) -> None: ...
