import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BadgeEarned(_message.Message):
    __slots__ = ("user_id", "badge_id", "names", "level", "xp", "earn_time")
    class NamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    BADGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    XP_FIELD_NUMBER: _ClassVar[int]
    EARN_TIME_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    badge_id: str
    names: _containers.ScalarMap[str, str]
    level: int
    xp: int
    earn_time: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., badge_id: _Optional[str] = ..., names: _Optional[_Mapping[str, str]] = ..., level: _Optional[int] = ..., xp: _Optional[int] = ..., earn_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
