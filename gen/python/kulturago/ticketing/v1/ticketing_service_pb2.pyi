import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_PENDING: _ClassVar[OrderStatus]
    ORDER_STATUS_PAID: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
    ORDER_STATUS_EXPIRED: _ClassVar[OrderStatus]
    ORDER_STATUS_REFUNDED: _ClassVar[OrderStatus]

class TicketStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_STATUS_UNSPECIFIED: _ClassVar[TicketStatus]
    TICKET_STATUS_HELD: _ClassVar[TicketStatus]
    TICKET_STATUS_VALID: _ClassVar[TicketStatus]
    TICKET_STATUS_USED: _ClassVar[TicketStatus]
    TICKET_STATUS_VOID: _ClassVar[TicketStatus]

class PaymentOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_OUTCOME_UNSPECIFIED: _ClassVar[PaymentOutcome]
    PAYMENT_OUTCOME_SUCCEEDED: _ClassVar[PaymentOutcome]
    PAYMENT_OUTCOME_FAILED: _ClassVar[PaymentOutcome]
    PAYMENT_OUTCOME_REFUNDED: _ClassVar[PaymentOutcome]
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_PENDING: OrderStatus
ORDER_STATUS_PAID: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_EXPIRED: OrderStatus
ORDER_STATUS_REFUNDED: OrderStatus
TICKET_STATUS_UNSPECIFIED: TicketStatus
TICKET_STATUS_HELD: TicketStatus
TICKET_STATUS_VALID: TicketStatus
TICKET_STATUS_USED: TicketStatus
TICKET_STATUS_VOID: TicketStatus
PAYMENT_OUTCOME_UNSPECIFIED: PaymentOutcome
PAYMENT_OUTCOME_SUCCEEDED: PaymentOutcome
PAYMENT_OUTCOME_FAILED: PaymentOutcome
PAYMENT_OUTCOME_REFUNDED: PaymentOutcome

class Ticket(_message.Message):
    __slots__ = ("id", "tier_id", "tier_name", "price", "seat", "status", "secret", "checkin_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    TIER_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_NAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SEAT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    CHECKIN_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    tier_id: str
    tier_name: str
    price: int
    seat: str
    status: TicketStatus
    secret: str
    checkin_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., tier_id: _Optional[str] = ..., tier_name: _Optional[str] = ..., price: _Optional[int] = ..., seat: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., secret: _Optional[str] = ..., checkin_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("id", "status", "event_slug", "event_title", "session_id", "session_start_time", "hold_expire_time", "amount", "currency", "payment_url", "tickets", "refunded_amount", "status_reason", "create_time", "update_time", "paid_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_START_TIME_FIELD_NUMBER: _ClassVar[int]
    HOLD_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_URL_FIELD_NUMBER: _ClassVar[int]
    TICKETS_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: OrderStatus
    event_slug: str
    event_title: str
    session_id: str
    session_start_time: _timestamp_pb2.Timestamp
    hold_expire_time: _timestamp_pb2.Timestamp
    amount: int
    currency: str
    payment_url: str
    tickets: _containers.RepeatedCompositeFieldContainer[Ticket]
    refunded_amount: int
    status_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    paid_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., event_slug: _Optional[str] = ..., event_title: _Optional[str] = ..., session_id: _Optional[str] = ..., session_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hold_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., payment_url: _Optional[str] = ..., tickets: _Optional[_Iterable[_Union[Ticket, _Mapping]]] = ..., refunded_amount: _Optional[int] = ..., status_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PurchaseItem(_message.Message):
    __slots__ = ("tier_id", "quantity")
    TIER_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    tier_id: str
    quantity: int
    def __init__(self, tier_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class PurchaseTicketsRequest(_message.Message):
    __slots__ = ("event_slug", "session_id", "items", "seats")
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    event_slug: str
    session_id: str
    items: _containers.RepeatedCompositeFieldContainer[PurchaseItem]
    seats: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_slug: _Optional[str] = ..., session_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[PurchaseItem, _Mapping]]] = ..., seats: _Optional[_Iterable[str]] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class RefundOrderRequest(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RefundOrderAsAdminRequest(_message.Message):
    __slots__ = ("id", "amount", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    amount: int
    reason: str
    def __init__(self, id: _Optional[str] = ..., amount: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class GetTicketQrRequest(_message.Message):
    __slots__ = ("id", "ticket_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    ticket_id: str
    def __init__(self, id: _Optional[str] = ..., ticket_id: _Optional[str] = ...) -> None: ...

class ListTicketKeysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TicketKey(_message.Message):
    __slots__ = ("kty", "crv", "kid", "x", "alg", "use")
    KTY_FIELD_NUMBER: _ClassVar[int]
    CRV_FIELD_NUMBER: _ClassVar[int]
    KID_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    ALG_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    kty: str
    crv: str
    kid: str
    x: str
    alg: str
    use: str
    def __init__(self, kty: _Optional[str] = ..., crv: _Optional[str] = ..., kid: _Optional[str] = ..., x: _Optional[str] = ..., alg: _Optional[str] = ..., use: _Optional[str] = ...) -> None: ...

class ListTicketKeysResponse(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[TicketKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[TicketKey, _Mapping]]] = ...) -> None: ...

class CheckInRequest(_message.Message):
    __slots__ = ("secret",)
    SECRET_FIELD_NUMBER: _ClassVar[int]
    secret: str
    def __init__(self, secret: _Optional[str] = ...) -> None: ...

class CheckInResponse(_message.Message):
    __slots__ = ("ticket_id", "order_id", "event_slug", "session_id", "tier_name", "seat", "checkin_time")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_NAME_FIELD_NUMBER: _ClassVar[int]
    SEAT_FIELD_NUMBER: _ClassVar[int]
    CHECKIN_TIME_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    order_id: str
    event_slug: str
    session_id: str
    tier_name: str
    seat: str
    checkin_time: _timestamp_pb2.Timestamp
    def __init__(self, ticket_id: _Optional[str] = ..., order_id: _Optional[str] = ..., event_slug: _Optional[str] = ..., session_id: _Optional[str] = ..., tier_name: _Optional[str] = ..., seat: _Optional[str] = ..., checkin_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HandlePaymentResultRequest(_message.Message):
    __slots__ = ("payment_id", "order_id", "outcome", "amount", "transaction_id", "late", "refunded_amount", "full", "reason")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FULL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    outcome: PaymentOutcome
    amount: int
    transaction_id: str
    late: bool
    refunded_amount: int
    full: bool
    reason: str
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., outcome: _Optional[_Union[PaymentOutcome, str]] = ..., amount: _Optional[int] = ..., transaction_id: _Optional[str] = ..., late: _Optional[bool] = ..., refunded_amount: _Optional[int] = ..., full: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...
