"""A synthetic interaction log with known structure, for the demo city's recommendations
and their offline evaluation.

Users belong to taste clusters over categories and tags (jazz and live music,
classical, theatre and cinema, families with kids, art and lectures, ...): 80% of a
user's actions follow their own cluster, 20% a second one, and 90% stay in their
home city. Within what a cluster likes, events are Zipf-popular (a few hits, a long
tail), and a handful of events trend in the last week of the log. Users come back to
events they met (view -> favourite -> purchase), so the log has the repeat structure
real ones have. Deterministic for a seed; vectorised, ~1M actions in a few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from .models import DemoEvent

# (name, categories it likes, tags that make an event of those categories a match;
# empty: any event of the categories)
CLUSTERS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("jazz", frozenset({"concert", "festival"}), frozenset({"джаз", "живая музыка", "рок"})),
    ("classical", frozenset({"concert"}), frozenset({"классическая музыка", "орган", "камерная музыка",
                                                     "оркестр", "барокко", "фортепиано", "хор", "при свечах"})),
    ("theatre", frozenset({"theatre", "cinema"}), frozenset()),
    ("families", frozenset({"kids", "masterclass", "tour"}), frozenset()),
    ("art", frozenset({"exhibition", "lecture"}), frozenset()),
    ("fun", frozenset({"standup", "cinema", "festival"}), frozenset()),
    ("explorers", frozenset({"tour", "lecture"}), frozenset()),
    ("makers", frozenset({"masterclass", "exhibition"}), frozenset()),
)
# Action kinds (kulturago.recommendation.v1.ActionKind numbers) and their shares.
KINDS = np.array([1, 2, 3, 5, 6], dtype=np.int16)  # view, search click, favourite, share, purchase
_KIND_P = np.array([0.72, 0.1, 0.08, 0.03, 0.07])
_OWN, _HOME, _REPEAT = 0.8, 0.9, 0.25


@dataclass(frozen=True)
class InteractionLog:
    users: NDArray[np.int64]  # user row per action
    items: NDArray[np.int64]  # event row (index into the events given)
    kinds: NDArray[np.int16]
    times: NDArray[np.float64]  # epoch seconds
    user_ids: tuple[str, ...]
    user_city: tuple[str, ...]
    user_cluster: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.users)


def _matches(event: DemoEvent, categories: frozenset[str], tags: frozenset[str]) -> bool:
    if event.category not in categories:
        return False
    return not tags or bool(tags & set(event.tags)) or (event.kids and "kids" in categories)


def generate_log(events: Sequence[DemoEvent], *, users: int, actions_per_user: float = 25.0,
                 end: datetime, days: int = 30, seed: int = 11) -> InteractionLog:
    rng = np.random.default_rng(seed)
    n = len(events)
    cities = sorted({e.city for e in events})
    city_of = np.array([cities.index(e.city) for e in events])
    pop = 1.0 / np.arange(1, n + 1) ** 0.9
    rng.shuffle(pop)
    trending = rng.choice(n, size=max(1, n // 40), replace=False)
    match = np.array([[1.0 if _matches(e, cats, tags) else 0.03 for e in events] for _, cats, tags in CLUSTERS])
    # p[cluster, city, when] over events; `when` 1 = the last week, where trends show.
    p = np.zeros((len(CLUSTERS), len(cities), 2, n))
    for c in range(len(CLUSTERS)):
        for h in range(len(cities)):
            for late in (0, 1):
                boost = np.ones(n)
                if late:
                    boost[trending] = 6.0
                w = match[c] * pop * boost * np.where(city_of == h, _HOME, 1 - _HOME)
                p[c, h, late] = w / w.sum()
    own = rng.integers(0, len(CLUSTERS), users)
    other = (own + rng.integers(1, len(CLUSTERS), users)) % len(CLUSTERS)
    home = rng.choice(len(cities), size=users, p=[0.6, 0.4] if len(cities) == 2 else None)
    counts = np.maximum(1, rng.lognormal(np.log(actions_per_user) - 0.5, 1.0, users).astype(np.int64))
    start = end.timestamp() - days * 86400
    out_u, out_i, out_k, out_t = [], [], [], []
    for u in range(users):
        k = int(counts[u])
        times = np.sort(rng.uniform(start, end.timestamp(), k))
        last_week = times > end.timestamp() - 7 * 86400
        choice = np.empty(k, dtype=np.int64)
        for flag in (False, True):
            sel = last_week == flag
            m = int(sel.sum())
            if m:
                mix = _OWN * p[own[u], home[u], int(flag)] + (1 - _OWN) * p[other[u], home[u], int(flag)]
                choice[sel] = rng.choice(n, size=m, p=mix)
        repeat = rng.random(k) < _REPEAT
        for j in range(1, k):  # come back to an event met before
            if repeat[j]:
                choice[j] = choice[rng.integers(0, j)]
        out_u.append(np.full(k, u))
        out_i.append(choice)
        out_k.append(rng.choice(KINDS, size=k, p=_KIND_P))
        out_t.append(times)
    return InteractionLog(
        users=np.concatenate(out_u), items=np.concatenate(out_i), kinds=np.concatenate(out_k).astype(np.int16),
        times=np.concatenate(out_t), user_ids=tuple(f"synthetic-{u:07d}" for u in range(users)),
        user_city=tuple(cities[h] for h in home), user_cluster=own)


def log_end(now: datetime) -> datetime:
    """The demo log ends an hour before `now` (nothing of it lies in the future)."""
    return now - timedelta(hours=1)
