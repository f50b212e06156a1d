import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UgcCreated(_message.Message):
    __slots__ = ("review_id", "event_slug", "user_id", "rating", "version", "time")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    event_slug: str
    user_id: str
    rating: int
    version: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, review_id: _Optional[str] = ..., event_slug: _Optional[str] = ..., user_id: _Optional[str] = ..., rating: _Optional[int] = ..., version: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UgcDeleted(_message.Message):
    __slots__ = ("review_id", "event_slug", "user_id", "version", "time")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    event_slug: str
    user_id: str
    version: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, review_id: _Optional[str] = ..., event_slug: _Optional[str] = ..., user_id: _Optional[str] = ..., version: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
