import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_KIND_UNSPECIFIED: _ClassVar[ActionKind]
    ACTION_KIND_VIEW: _ClassVar[ActionKind]
    ACTION_KIND_SEARCH_CLICK: _ClassVar[ActionKind]
    ACTION_KIND_FAVOURITE: _ClassVar[ActionKind]
    ACTION_KIND_UNFAVOURITE: _ClassVar[ActionKind]
    ACTION_KIND_SHARE: _ClassVar[ActionKind]
    ACTION_KIND_PURCHASE: _ClassVar[ActionKind]
    ACTION_KIND_REVIEW: _ClassVar[ActionKind]
    ACTION_KIND_CHECKIN: _ClassVar[ActionKind]
ACTION_KIND_UNSPECIFIED: ActionKind
ACTION_KIND_VIEW: ActionKind
ACTION_KIND_SEARCH_CLICK: ActionKind
ACTION_KIND_FAVOURITE: ActionKind
ACTION_KIND_UNFAVOURITE: ActionKind
ACTION_KIND_SHARE: ActionKind
ACTION_KIND_PURCHASE: ActionKind
ACTION_KIND_REVIEW: ActionKind
ACTION_KIND_CHECKIN: ActionKind

class UserAction(_message.Message):
    __slots__ = ("user_id", "action_id", "kind", "event_slug", "time", "receive_time", "source")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    action_id: str
    kind: ActionKind
    event_slug: str
    time: _timestamp_pb2.Timestamp
    receive_time: _timestamp_pb2.Timestamp
    source: str
    def __init__(self, user_id: _Optional[str] = ..., action_id: _Optional[str] = ..., kind: _Optional[_Union[ActionKind, str]] = ..., event_slug: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...
