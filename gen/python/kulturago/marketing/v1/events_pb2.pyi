import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CampaignTrigger(_message.Message):
    __slots__ = ("campaign_id", "batch_id", "user_ids", "messages", "channels", "deep_link", "trigger_time")
    class MessagesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: CampaignMessage
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[CampaignMessage, _Mapping]] = ...) -> None: ...
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    USER_IDS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    DEEP_LINK_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_TIME_FIELD_NUMBER: _ClassVar[int]
    campaign_id: str
    batch_id: str
    user_ids: _containers.RepeatedScalarFieldContainer[str]
    messages: _containers.MessageMap[str, CampaignMessage]
    channels: _containers.RepeatedScalarFieldContainer[str]
    deep_link: str
    trigger_time: _timestamp_pb2.Timestamp
    def __init__(self, campaign_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., user_ids: _Optional[_Iterable[str]] = ..., messages: _Optional[_Mapping[str, CampaignMessage]] = ..., channels: _Optional[_Iterable[str]] = ..., deep_link: _Optional[str] = ..., trigger_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CampaignMessage(_message.Message):
    __slots__ = ("title", "body")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    title: str
    body: str
    def __init__(self, title: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...
