import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetXpRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Badge(_message.Message):
    __slots__ = ("id", "names", "description", "earn_time")
    class NamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EARN_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    names: _containers.ScalarMap[str, str]
    description: str
    earn_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., names: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ..., earn_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetXpResponse(_message.Message):
    __slots__ = ("xp", "level", "next_level_xp", "badges")
    XP_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    NEXT_LEVEL_XP_FIELD_NUMBER: _ClassVar[int]
    BADGES_FIELD_NUMBER: _ClassVar[int]
    xp: int
    level: int
    next_level_xp: int
    badges: _containers.RepeatedCompositeFieldContainer[Badge]
    def __init__(self, xp: _Optional[int] = ..., level: _Optional[int] = ..., next_level_xp: _Optional[int] = ..., badges: _Optional[_Iterable[_Union[Badge, _Mapping]]] = ...) -> None: ...

class GetLeaderboardRequest(_message.Message):
    __slots__ = ("scope", "period", "limit", "city")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    scope: str
    period: str
    limit: int
    city: str
    def __init__(self, scope: _Optional[str] = ..., period: _Optional[str] = ..., limit: _Optional[int] = ..., city: _Optional[str] = ...) -> None: ...

class LeaderboardEntry(_message.Message):
    __slots__ = ("rank", "user_id", "login", "full_name", "xp")
    RANK_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LOGIN_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    XP_FIELD_NUMBER: _ClassVar[int]
    rank: int
    user_id: str
    login: str
    full_name: str
    xp: int
    def __init__(self, rank: _Optional[int] = ..., user_id: _Optional[str] = ..., login: _Optional[str] = ..., full_name: _Optional[str] = ..., xp: _Optional[int] = ...) -> None: ...

class GetLeaderboardResponse(_message.Message):
    __slots__ = ("entries", "me", "scope", "period", "city")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    ME_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[LeaderboardEntry]
    me: LeaderboardEntry
    scope: str
    period: str
    city: str
    def __init__(self, entries: _Optional[_Iterable[_Union[LeaderboardEntry, _Mapping]]] = ..., me: _Optional[_Union[LeaderboardEntry, _Mapping]] = ..., scope: _Optional[str] = ..., period: _Optional[str] = ..., city: _Optional[str] = ...) -> None: ...

class FollowFriendRequest(_message.Message):
    __slots__ = ("login",)
    LOGIN_FIELD_NUMBER: _ClassVar[int]
    login: str
    def __init__(self, login: _Optional[str] = ...) -> None: ...

class Friend(_message.Message):
    __slots__ = ("user_id", "login", "full_name", "xp", "level", "follow_time")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LOGIN_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    XP_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_TIME_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    login: str
    full_name: str
    xp: int
    level: int
    follow_time: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., login: _Optional[str] = ..., full_name: _Optional[str] = ..., xp: _Optional[int] = ..., level: _Optional[int] = ..., follow_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UnfollowFriendRequest(_message.Message):
    __slots__ = ("login",)
    LOGIN_FIELD_NUMBER: _ClassVar[int]
    login: str
    def __init__(self, login: _Optional[str] = ...) -> None: ...

class UnfollowFriendResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFriendsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFriendsResponse(_message.Message):
    __slots__ = ("friends",)
    FRIENDS_FIELD_NUMBER: _ClassVar[int]
    friends: _containers.RepeatedCompositeFieldContainer[Friend]
    def __init__(self, friends: _Optional[_Iterable[_Union[Friend, _Mapping]]] = ...) -> None: ...

class RebuildLeaderboardsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RebuildLeaderboardsResponse(_message.Message):
    __slots__ = ("users", "scores")
    USERS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    users: int
    scores: int
    def __init__(self, users: _Optional[int] = ..., scores: _Optional[int] = ...) -> None: ...
