import datetime

from buf.validate import validate_pb2 as _validate_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from kulturago.options.v1 import access_pb2 as _access_pb2
from kulturago.recommendation.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListRecommendationsRequest(_message.Message):
    __slots__ = ("limit", "lat", "lon", "when", "kids", "city")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    LAT_FIELD_NUMBER: _ClassVar[int]
    LON_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    KIDS_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    limit: int
    lat: float
    lon: float
    when: str
    kids: bool
    city: str
    def __init__(self, limit: _Optional[int] = ..., lat: _Optional[float] = ..., lon: _Optional[float] = ..., when: _Optional[str] = ..., kids: _Optional[bool] = ..., city: _Optional[str] = ...) -> None: ...

class RecommendedEvent(_message.Message):
    __slots__ = ("slug", "title", "category", "city", "place_name", "next_start_time", "is_free", "kids", "price_min", "image", "reason", "reason_code", "score", "sold_out")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    PLACE_NAME_FIELD_NUMBER: _ClassVar[int]
    NEXT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    IS_FREE_FIELD_NUMBER: _ClassVar[int]
    KIDS_FIELD_NUMBER: _ClassVar[int]
    PRICE_MIN_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SOLD_OUT_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    category: str
    city: str
    place_name: str
    next_start_time: _timestamp_pb2.Timestamp
    is_free: bool
    kids: bool
    price_min: int
    image: str
    reason: str
    reason_code: str
    score: float
    sold_out: bool
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., category: _Optional[str] = ..., city: _Optional[str] = ..., place_name: _Optional[str] = ..., next_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_free: _Optional[bool] = ..., kids: _Optional[bool] = ..., price_min: _Optional[int] = ..., image: _Optional[str] = ..., reason: _Optional[str] = ..., reason_code: _Optional[str] = ..., score: _Optional[float] = ..., sold_out: _Optional[bool] = ...) -> None: ...

class ListRecommendationsResponse(_message.Message):
    __slots__ = ("events", "model_version", "strategy")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[RecommendedEvent]
    model_version: str
    strategy: str
    def __init__(self, events: _Optional[_Iterable[_Union[RecommendedEvent, _Mapping]]] = ..., model_version: _Optional[str] = ..., strategy: _Optional[str] = ...) -> None: ...

class ListSimilarEventsRequest(_message.Message):
    __slots__ = ("event", "limit")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    event: str
    limit: int
    def __init__(self, event: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListSimilarEventsResponse(_message.Message):
    __slots__ = ("events", "model_version")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[RecommendedEvent]
    model_version: str
    def __init__(self, events: _Optional[_Iterable[_Union[RecommendedEvent, _Mapping]]] = ..., model_version: _Optional[str] = ...) -> None: ...

class ListPicksRequest(_message.Message):
    __slots__ = ("kind", "city", "limit")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    city: str
    limit: int
    def __init__(self, kind: _Optional[str] = ..., city: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListPicksResponse(_message.Message):
    __slots__ = ("events", "title")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[RecommendedEvent]
    title: str
    def __init__(self, events: _Optional[_Iterable[_Union[RecommendedEvent, _Mapping]]] = ..., title: _Optional[str] = ...) -> None: ...

class Action(_message.Message):
    __slots__ = ("id", "kind", "event_slug", "client_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EVENT_SLUG_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: _events_pb2.ActionKind
    event_slug: str
    client_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[_events_pb2.ActionKind, str]] = ..., event_slug: _Optional[str] = ..., client_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordActionsRequest(_message.Message):
    __slots__ = ("actions",)
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    actions: _containers.RepeatedCompositeFieldContainer[Action]
    def __init__(self, actions: _Optional[_Iterable[_Union[Action, _Mapping]]] = ...) -> None: ...

class RecordActionsResponse(_message.Message):
    __slots__ = ("accepted",)
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    accepted: int
    def __init__(self, accepted: _Optional[int] = ...) -> None: ...

class Favourite(_message.Message):
    __slots__ = ("slug", "create_time", "event")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    slug: str
    create_time: _timestamp_pb2.Timestamp
    event: RecommendedEvent
    def __init__(self, slug: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event: _Optional[_Union[RecommendedEvent, _Mapping]] = ...) -> None: ...

class PutFavouriteRequest(_message.Message):
    __slots__ = ("slug",)
    SLUG_FIELD_NUMBER: _ClassVar[int]
    slug: str
    def __init__(self, slug: _Optional[str] = ...) -> None: ...

class DeleteFavouriteRequest(_message.Message):
    __slots__ = ("slug",)
    SLUG_FIELD_NUMBER: _ClassVar[int]
    slug: str
    def __init__(self, slug: _Optional[str] = ...) -> None: ...

class DeleteFavouriteResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListFavouritesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFavouritesResponse(_message.Message):
    __slots__ = ("favourites", "next_page_token")
    FAVOURITES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    favourites: _containers.RepeatedCompositeFieldContainer[Favourite]
    next_page_token: str
    def __init__(self, favourites: _Optional[_Iterable[_Union[Favourite, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RetrainModelRequest(_message.Message):
    __slots__ = ("factors", "iterations")
    FACTORS_FIELD_NUMBER: _ClassVar[int]
    ITERATIONS_FIELD_NUMBER: _ClassVar[int]
    factors: int
    iterations: int
    def __init__(self, factors: _Optional[int] = ..., iterations: _Optional[int] = ...) -> None: ...

class ModelMetrics(_message.Message):
    __slots__ = ("ndcg_at_10", "recall_at_20", "coverage", "novelty", "users")
    NDCG_AT_10_FIELD_NUMBER: _ClassVar[int]
    RECALL_AT_20_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    NOVELTY_FIELD_NUMBER: _ClassVar[int]
    USERS_FIELD_NUMBER: _ClassVar[int]
    ndcg_at_10: float
    recall_at_20: float
    coverage: float
    novelty: float
    users: int
    def __init__(self, ndcg_at_10: _Optional[float] = ..., recall_at_20: _Optional[float] = ..., coverage: _Optional[float] = ..., novelty: _Optional[float] = ..., users: _Optional[int] = ...) -> None: ...

class RetrainModelResponse(_message.Message):
    __slots__ = ("model_version", "activated", "reason", "metrics", "previous_metrics", "interactions", "train_seconds", "serving_version")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTIVATED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_METRICS_FIELD_NUMBER: _ClassVar[int]
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    TRAIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SERVING_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    activated: bool
    reason: str
    metrics: ModelMetrics
    previous_metrics: ModelMetrics
    interactions: int
    train_seconds: float
    serving_version: str
    def __init__(self, model_version: _Optional[str] = ..., activated: _Optional[bool] = ..., reason: _Optional[str] = ..., metrics: _Optional[_Union[ModelMetrics, _Mapping]] = ..., previous_metrics: _Optional[_Union[ModelMetrics, _Mapping]] = ..., interactions: _Optional[int] = ..., train_seconds: _Optional[float] = ..., serving_version: _Optional[str] = ...) -> None: ...

class ActivateModelRequest(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    def __init__(self, model_version: _Optional[str] = ...) -> None: ...

class ActivateModelResponse(_message.Message):
    __slots__ = ("activated", "reason", "serving_version")
    ACTIVATED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SERVING_VERSION_FIELD_NUMBER: _ClassVar[int]
    activated: bool
    reason: str
    serving_version: str
    def __init__(self, activated: _Optional[bool] = ..., reason: _Optional[str] = ..., serving_version: _Optional[str] = ...) -> None: ...
