"""Offline quality of a ranking: NDCG@10, recall@20, catalog coverage and novelty,
measured on a time split of the interaction log (train on what happened before a
moment, ask for what each user did after it).

- NDCG@10: graded by nothing but hit or miss (binary relevance), ideal = all of the
  user's held-out events first.
- recall@20: held-out events found in the top 20, over min(20, how many there are).
- coverage: share of the catalog that appears in anyone's top 10.
- novelty: mean self-information -log2(share of users who interacted with it) of the
  recommended events (higher: less obvious picks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# ranker(user row) -> ranked item rows (at least 20 when it can).
Ranker = Callable[[int], Sequence[int]]


@dataclass(frozen=True)
class Metrics:
    ndcg_at_10: float
    recall_at_20: float
    coverage: float
    novelty: float
    users: int

    def as_dict(self) -> dict[str, float]:
        return {"ndcg_at_10": self.ndcg_at_10, "recall_at_20": self.recall_at_20, "coverage": self.coverage,
                "novelty": self.novelty, "users": float(self.users)}


def ndcg(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    gains = [1.0 / np.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant]
    ideal = sum(1.0 / np.log2(i + 2) for i in range(min(k, len(relevant))))
    return float(sum(gains) / ideal) if ideal else 0.0


def recall(ranked: Sequence[int], relevant: set[int], k: int = 20) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / min(k, len(relevant))


@dataclass(frozen=True)
class Split:
    """Rows of users/items in a log cut at one moment."""

    train: Mapping[int, Mapping[int, float]]  # user -> item -> strength before the cut
    test: Mapping[int, set[int]]  # user -> items first met after the cut (evaluated users only)
    n_items: int
    item_users: NDArray[np.int64]  # users per item in train (for novelty)
    n_users: int


def cut_time(times: NDArray[np.float64], holdout: float) -> float:
    """The moment `holdout` of the log's time span before its end. By time, not by a
    quantile of the rows: a burst of recent actions (a campaign, a load test) would pull a
    quantile cut into its own last minutes and leave a held-out set of a handful of users."""
    if not len(times):
        return 0.0
    first, last = float(times.min()), float(times.max())
    return last - holdout * (last - first)


def time_split(users: NDArray[np.int64], items: NDArray[np.int64], strength: NDArray[np.float32],
               times: NDArray[np.float64], n_items: int, holdout: float = 0.2) -> Split:
    """Cut at `cut_time`. A user is evaluated when they have both a past and a future;
    the future counts only events they had not met before."""
    cut = cut_time(times, holdout)
    train: dict[int, dict[int, float]] = {}
    future: dict[int, set[int]] = {}
    for u, i, s, t in zip(users.tolist(), items.tolist(), strength.tolist(), times.tolist(), strict=True):
        if t < cut:
            row = train.setdefault(u, {})
            row[i] = row.get(i, 0.0) + s
        elif s > 0:
            future.setdefault(u, set()).add(i)
    test = {u: seen - set(train[u]) for u, seen in future.items() if u in train}
    test = {u: items_ for u, items_ in test.items() if items_}
    item_users = np.zeros(n_items, dtype=np.int64)
    for row in train.values():
        for i in row:
            item_users[i] += 1
    return Split(train=train, test=test, n_items=n_items, item_users=item_users,
                 n_users=max(len(train), 1))


def evaluate(split: Split, ranker: Ranker, users: Sequence[int] | None = None) -> Metrics:
    who = list(users) if users is not None else sorted(split.test)
    if not who:
        return Metrics(0.0, 0.0, 0.0, 0.0, 0)
    ndcgs, recalls, novelty = [], [], []
    shown: set[int] = set()
    self_information = -np.log2(np.maximum(split.item_users, 1) / split.n_users)
    for u in who:
        ranked = list(ranker(u))
        relevant = split.test[u]
        ndcgs.append(ndcg(ranked, relevant))
        recalls.append(recall(ranked, relevant))
        shown.update(ranked[:10])
        if ranked:
            novelty.append(float(np.mean(self_information[ranked[:10]])))
    return Metrics(ndcg_at_10=float(np.mean(ndcgs)), recall_at_20=float(np.mean(recalls)),
                   coverage=len(shown) / max(split.n_items, 1),
                   novelty=float(np.mean(novelty)) if novelty else 0.0, users=len(who))
