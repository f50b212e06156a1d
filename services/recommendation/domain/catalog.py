"""The catalog as the ranker sees it: one immutable, array-shaped snapshot of the events
that can be recommended (a session ahead), rebuilt when the catalog changes or the
Moscow day turns. Every request reads it without I/O; per-request work is a few numpy
operations over it, never a query."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from services.runtime.time_windows import CITY_TZ, window

# The windows a request may name (ListRecommendationsRequest.when), precomputed per snapshot.
WINDOWS = ("today", "tomorrow", "weekend", "week")
_WORD = re.compile(r"[0-9a-zа-яё]+")


@dataclass(frozen=True, slots=True)
class CatalogItem:
    slug: str
    title: str
    description: str
    category: str
    tags: tuple[str, ...]
    city: str
    place_name: str
    lat: float | None
    lon: float | None
    # (start, end) of every session, sorted by start.
    sessions: tuple[tuple[datetime, datetime], ...]
    is_free: bool
    kids: bool
    price_min: int
    image: str
    sold_out: bool = False


def words(text: str) -> list[str]:
    """Lower-cased words (ё folded), the unit of interests and of the content model."""
    return _WORD.findall(text.lower().replace("ё", "е"))


@dataclass(frozen=True)
class CatalogSnapshot:
    """Events with a session starting after `now`, as parallel arrays (row i = items[i])."""

    now: datetime
    items: tuple[CatalogItem, ...]
    categories: tuple[str, ...]  # category id -> word
    cities: tuple[str, ...]
    category: NDArray[np.int32]
    city: NDArray[np.int32]
    kids: NDArray[np.bool_]
    sold_out: NDArray[np.bool_]
    lat: NDArray[np.float64]  # NaN when unknown
    lon: NDArray[np.float64]
    next_start: NDArray[np.float64]  # epoch seconds of the next session start
    in_window: dict[str, NDArray[np.bool_]]
    next_in_window: dict[str, NDArray[np.float64]]
    row: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)

    def city_mask(self, city: str | None) -> NDArray[np.bool_]:
        if not city:
            return np.ones(len(self), dtype=bool)
        if city not in self.cities:
            return np.zeros(len(self), dtype=bool)
        return np.asarray(self.city == self.cities.index(city), dtype=bool)

    @cached_property
    def vocabulary(self) -> dict[str, NDArray[np.int64]]:
        """word -> rows whose category, tags or title contain it (for stated interests)."""
        postings: dict[str, set[int]] = {}
        for i, item in enumerate(self.items):
            for word in {*words(item.title), *(w for t in item.tags for w in words(t)), item.category}:
                postings.setdefault(word, set()).add(i)
        return {w: np.fromiter(sorted(rows), dtype=np.int64) for w, rows in postings.items()}

    def matching(self, interests: Iterable[str]) -> NDArray[np.float64]:
        """1.0 for events matching any interest word, by stem (its first 5 letters, so
        «джазовый» and «джаз», «театр» and «театральный» meet), else 0.0."""
        hits = np.zeros(len(self), dtype=np.float64)
        stems = {w[:5] for interest in interests for w in words(interest) if len(w) >= 3}
        if not stems:
            return hits
        for word, rows in self.vocabulary.items():
            if word[:5] in stems:
                hits[rows] = 1.0
        return hits


def _window_arrays(items: Sequence[CatalogItem], now: datetime
                   ) -> tuple[dict[str, NDArray[np.bool_]], dict[str, NDArray[np.float64]]]:
    inside: dict[str, NDArray[np.bool_]] = {}
    nexts: dict[str, NDArray[np.float64]] = {}
    for name in WINDOWS:
        w = window(now, when=name)
        mask = np.zeros(len(items), dtype=bool)
        first = np.full(len(items), np.inf)
        for i, item in enumerate(items):
            for start, end in item.sessions:
                if start >= now and (w.end is None or start < w.end) and end > w.start:
                    mask[i] = True
                    first[i] = min(first[i], start.timestamp())
        inside[name], nexts[name] = mask, first
    return inside, nexts


def snapshot(items: Iterable[CatalogItem], now: datetime) -> CatalogSnapshot:
    """The recommendable events at `now`: those with a session that starts after it."""
    active = sorted((i for i in items if any(start > now for start, _ in i.sessions)), key=lambda i: i.slug)
    categories = tuple(sorted({i.category for i in active}))
    cities = tuple(sorted({i.city for i in active}))
    cat_id = {c: n for n, c in enumerate(categories)}
    city_id = {c: n for n, c in enumerate(cities)}
    inside, nexts = _window_arrays(active, now)
    return CatalogSnapshot(
        now=now, items=tuple(active), categories=categories, cities=cities,
        category=np.array([cat_id[i.category] for i in active], dtype=np.int32),
        city=np.array([city_id[i.city] for i in active], dtype=np.int32),
        kids=np.array([i.kids for i in active], dtype=bool),
        sold_out=np.array([i.sold_out for i in active], dtype=bool),
        lat=np.array([np.nan if i.lat is None else i.lat for i in active], dtype=np.float64),
        lon=np.array([np.nan if i.lon is None else i.lon for i in active], dtype=np.float64),
        next_start=np.array([min(s.timestamp() for s, _ in i.sessions if s > now) for i in active],
                            dtype=np.float64),
        in_window=inside, next_in_window=nexts,
        row={item.slug: n for n, item in enumerate(active)},
    )


def moscow_day(now: datetime) -> str:
    """The Moscow date a snapshot belongs to (windows move when it changes)."""
    return now.astimezone(CITY_TZ).date().isoformat()
