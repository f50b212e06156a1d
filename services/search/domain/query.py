"""From the request's raw parameters to a validated SearchQuery: pure, the caller passes `now`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from services.runtime.errors import InvalidArgument
from services.runtime.time_windows import CITY_TZ, window
from services.search.domain.model import (
    DEFAULT_PER_PAGE,
    DEFAULT_RADIUS_METERS,
    MAX_PER_PAGE,
    Filters,
    GeoCircle,
    GeoPoint,
    SearchQuery,
)

MAX_TOKENS = 8  # more words add cost, not precision
MAX_TOKEN_LENGTH = 40
_WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" and punctuation separate words


def fold(text: str) -> str:
    """Lower case and ё -> е, exactly as the index folds (SQL search_fold)."""
    return text.lower().replace("ё", "е")


def tokenize(text: str) -> tuple[str, ...]:
    """Distinct words of the query in order, folded; punctuation and "_" split words."""
    words = dict.fromkeys(w[:MAX_TOKEN_LENGTH] for w in _WORD.findall(fold(text)))
    return tuple(words)[:MAX_TOKENS]


@dataclass(frozen=True, slots=True)
class SearchParams:
    """The request as the client sent it (proto3 defaults: 0 and "" mean absent)."""

    q: str = ""
    page: int = 0
    per_page: int = 0
    categories: tuple[str, ...] = ()
    is_free: bool | None = None
    kids: bool | None = None
    when: str = ""
    date_from: str = ""
    date_to: str = ""
    city: str = ""
    lat: float | None = None
    lon: float | None = None
    radius: float | None = None


def _near(params: SearchParams) -> GeoCircle | None:
    if params.lat is None and params.lon is None:
        if params.radius is not None:
            raise InvalidArgument.on_field("radius", "needs lat and lon")
        return None
    if params.lat is None or params.lon is None:
        raise InvalidArgument.on_field("lat" if params.lat is None else "lon", "lat and lon go together")
    return GeoCircle(GeoPoint(params.lat, params.lon),
                     params.radius if params.radius is not None else DEFAULT_RADIUS_METERS)


def _categories(values: tuple[str, ...]) -> tuple[str, ...]:
    # Known words only: the contract's `in` rule (SearchRequest.category) refused any
    # other before a request gets here, as event-service's refuses them on its list.
    return tuple(sorted(set(values)))


def _window_label(params: SearchParams, now: datetime) -> str:
    if params.when:
        return f"{params.when}@{now.astimezone(CITY_TZ).date().isoformat()}"
    if params.date_from or params.date_to:
        return f"{params.date_from}..{params.date_to}"
    return "upcoming"


def parse(params: SearchParams, now: datetime) -> SearchQuery:
    """Defaults (page 1, 20 per page), field checks the proto rules cannot express, and
    the date window (Moscow time; `dateTo` before `dateFrom` is INVALID_ARGUMENT)."""
    if params.page < 0:
        raise InvalidArgument.on_field("page", "must be 1 or more")
    if not 0 <= params.per_page <= MAX_PER_PAGE:
        raise InvalidArgument.on_field("perPage", f"must be between 1 and {MAX_PER_PAGE}")
    tokens = tokenize(params.q)
    return SearchQuery(
        text=" ".join(tokens),
        tokens=tokens,
        filters=Filters(categories=_categories(params.categories), is_free=params.is_free, kids=params.kids,
                        city=params.city, near=_near(params)),
        window=window(now, when=params.when, date_from=params.date_from, date_to=params.date_to),
        window_label=_window_label(params, now),
        page=params.page or 1,
        per_page=params.per_page or DEFAULT_PER_PAGE,
    )


def is_empty_window(query: SearchQuery) -> bool:
    """A window that ends before it starts (dateTo in the past) can match nothing."""
    return query.window.end is not None and query.window.end <= query.window.start
