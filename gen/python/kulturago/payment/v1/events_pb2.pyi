import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentSucceeded(_message.Message):
    __slots__ = ("payment_id", "order_id", "account_id", "amount", "currency", "provider", "transaction_id", "time", "late")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    account_id: str
    amount: int
    currency: str
    provider: str
    transaction_id: str
    time: _timestamp_pb2.Timestamp
    late: bool
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., provider: _Optional[str] = ..., transaction_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., late: _Optional[bool] = ...) -> None: ...

class PaymentFailed(_message.Message):
    __slots__ = ("payment_id", "order_id", "account_id", "amount", "currency", "provider", "transaction_id", "time", "reason", "reason_code")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    account_id: str
    amount: int
    currency: str
    provider: str
    transaction_id: str
    time: _timestamp_pb2.Timestamp
    reason: str
    reason_code: str
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., provider: _Optional[str] = ..., transaction_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., reason_code: _Optional[str] = ...) -> None: ...

class PaymentRefunded(_message.Message):
    __slots__ = ("payment_id", "order_id", "account_id", "amount", "currency", "provider", "transaction_id", "time", "reason", "refunded_amount", "payment_amount", "full", "idempotency_key", "payment_transaction_id")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FULL_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    account_id: str
    amount: int
    currency: str
    provider: str
    transaction_id: str
    time: _timestamp_pb2.Timestamp
    reason: str
    refunded_amount: int
    payment_amount: int
    full: bool
    idempotency_key: str
    payment_transaction_id: str
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., account_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., provider: _Optional[str] = ..., transaction_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., refunded_amount: _Optional[int] = ..., payment_amount: _Optional[int] = ..., full: _Optional[bool] = ..., idempotency_key: _Optional[str] = ..., payment_transaction_id: _Optional[str] = ...) -> None: ...
