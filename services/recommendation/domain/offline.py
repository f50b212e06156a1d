"""Offline evaluation of the four ways to rank: popularity, cold start, the trained
model and the blend the service serves, on one time split of an interaction log.

The retrain job uses `fit_and_validate` (train on the past, measure on the future,
refuse a model that does not beat what it replaces), `nox -s bench` the full table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from services.recommendation.domain import als, ranking
from services.recommendation.domain.actions import HALF_LIFE, WEIGHTS, Kind
from services.recommendation.domain.evaluation import Metrics, Ranker, Split, cut_time, evaluate, time_split

POPULARITY_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True)
class Log:
    """An interaction log as arrays (rows of users and items)."""

    users: NDArray[np.int64]
    items: NDArray[np.int64]
    kinds: NDArray[np.int16]
    times: NDArray[np.float64]
    n_users: int
    n_items: int

    @property
    def strength(self) -> NDArray[np.float32]:
        table = np.zeros(max(int(k) for k in Kind) + 1, dtype=np.float32)
        for kind, weight in WEIGHTS.items():
            table[int(kind)] = weight
        return table[self.kinds]


def matrix(train: dict[int, dict[int, float]] | Split, n_users: int, n_items: int) -> sp.csr_matrix:
    rows_map = train.train if isinstance(train, Split) else train
    rows, cols, vals = [], [], []
    for u, items in rows_map.items():
        for i, s in items.items():
            if s > 0:
                rows.append(u)
                cols.append(i)
                vals.append(s)
    return sp.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(n_users, n_items))


def log_matrix(log: Log) -> sp.csr_matrix:
    """users x items, the summed strength of each pair (negative sums dropped)."""
    m = sp.csr_matrix((log.strength, (log.users, log.items)), shape=(log.n_users, log.n_items))
    m.sum_duplicates()
    m.data = np.maximum(m.data, 0)
    m.eliminate_zeros()
    return m


def decayed_popularity(items: NDArray[np.int64], strength: NDArray[np.float32], times: NDArray[np.float64],
                       n_items: int, at: float, half_life_days: float = POPULARITY_HALF_LIFE_DAYS
                       ) -> NDArray[np.float64]:
    age_days = np.maximum(at - times, 0.0) / 86400.0
    decay = np.power(0.5, age_days / half_life_days)
    return np.bincount(items, weights=np.maximum(strength, 0) * decay, minlength=n_items).astype(np.float64)


@dataclass(frozen=True)
class Table:
    rows: dict[str, Metrics]
    train_seconds: float
    interactions: int

    def markdown(self) -> str:
        lines = ["| ranking | NDCG@10 | recall@20 | coverage | novelty | users |", "|---|---:|---:|---:|---:|---:|"]
        for name, m in self.rows.items():
            lines.append(f"| {name} | {m.ndcg_at_10:.4f} | {m.recall_at_20:.4f} | {m.coverage:.3f} | "
                         f"{m.novelty:.2f} | {m.users} |")
        return "\n".join(lines)


def model_ranker(split: Split, x: als.Matrix, y: als.Matrix, k: int = 20) -> Ranker:
    def rank(u: int) -> Sequence[int]:
        scores = (y @ x[u]).astype(np.float64)
        scores[list(split.train[u])] = ranking.EXCLUDED
        ranked: list[int] = ranking.top(scores, k).tolist()
        return ranked
    return rank



def popularity_ranker(split: Split, k: int = 20) -> Ranker:
    base = split.item_users.astype(np.float64)

    def rank(u: int) -> Sequence[int]:
        scores = base.copy()
        scores[list(split.train[u])] = ranking.EXCLUDED
        ranked: list[int] = ranking.top(scores, k).tolist()
        return ranked
    return rank


@dataclass(frozen=True)
class Context:
    """What the service knows of the catalog: categories, cities, content embeddings."""

    category: NDArray[np.int32]
    item_city: NDArray[np.int32]
    embeddings: NDArray[np.float32]
    user_city: NDArray[np.int32]  # -1: unknown


def _recent(log: Log, cut: float, limit: int = 100) -> dict[int, dict[int, float]]:
    """Each user's short-term profile at the cut: the decayed weights of their last actions."""
    before = np.flatnonzero(log.times < cut)
    order = before[np.lexsort((-log.times[before], log.users[before]))]
    strength = log.strength
    profiles: dict[int, dict[int, float]] = {}
    counts: dict[int, int] = {}
    half = HALF_LIFE.total_seconds()
    for n in order.tolist():
        u = int(log.users[n])
        if counts.get(u, 0) >= limit:
            continue
        counts[u] = counts.get(u, 0) + 1
        w = float(strength[n]) * 0.5 ** ((cut - float(log.times[n])) / half)
        row = profiles.setdefault(u, {})
        i = int(log.items[n])
        row[i] = row.get(i, 0.0) + w
    return profiles


def cold_start_ranker(split: Split, ctx: Context, popularity: NDArray[np.float64], k: int = 20) -> Ranker:
    pop = ranking.normalised_popularity(popularity)
    w = ranking.COLD_START
    no_sold_out = np.zeros(len(pop), dtype=bool)

    def rank(u: int) -> Sequence[int]:
        allowed = ctx.item_city == ctx.user_city[u] if ctx.user_city[u] >= 0 else np.ones(len(pop), dtype=bool)
        allowed = allowed.copy()
        allowed[list(split.train[u])] = False
        scores = ranking.bias(ranking.Signals(popularity=pop), w, allowed, no_sold_out)
        return ranking.diversify(ranking.top(scores, k * 3).tolist(), scores, ctx.category, k, w.category_repeat)
    return rank


def blend_ranker(split: Split, ctx: Context, popularity: NDArray[np.float64], recent: dict[int, dict[int, float]],
                 x: als.Matrix | None, y: als.Matrix | None, k: int = 20) -> Ranker:
    pop = ranking.normalised_popularity(popularity)
    w = ranking.PERSONAL
    no_sold_out = np.zeros(len(pop), dtype=bool)

    def rank(u: int) -> Sequence[int]:
        allowed = ctx.item_city == ctx.user_city[u] if ctx.user_city[u] >= 0 else np.ones(len(pop), dtype=bool)
        allowed = allowed.copy()
        allowed[list(split.train[u])] = False
        liked = recent.get(u, {})
        signals = ranking.Signals(popularity=pop, content=ranking.content_affinity(ctx.embeddings, liked),
                                  category=ranking.category_affinity(ctx.category, liked))
        scores = ranking.bias(signals, w, allowed, no_sold_out)
        if x is not None and y is not None:
            scores = scores + w.model * (y @ x[u]).astype(np.float64)
        return ranking.diversify(ranking.top(scores, k * 3).tolist(), scores, ctx.category, k, w.category_repeat)
    return rank


def evaluate_all(log: Log, ctx: Context, params: als.AlsParams, *, holdout: float = 0.2,
                 max_users: int = 3000, seed: int = 3) -> Table:
    """The table: popularity, cold start, model and blend on the same held-out users."""
    import time

    split = time_split(log.users, log.items, log.strength, log.times, log.n_items, holdout)
    cut = cut_time(log.times, holdout)
    started = time.perf_counter()
    x, y = als.train(matrix(split, log.n_users, log.n_items), params)
    train_seconds = time.perf_counter() - started
    before = log.times < cut
    popularity = decayed_popularity(log.items[before], log.strength[before], log.times[before], log.n_items, cut)
    users = sorted(split.test)
    if len(users) > max_users:
        users = sorted(np.random.default_rng(seed).choice(users, size=max_users, replace=False).tolist())
    recent = _recent(log, cut)
    rows = {
        "popularity": evaluate(split, popularity_ranker(split), users),
        "cold start (city, decayed, diverse)": evaluate(split, cold_start_ranker(split, ctx, popularity), users),
        "ALS model": evaluate(split, model_ranker(split, x, y), users),
        "blend (served)": evaluate(split, blend_ranker(split, ctx, popularity, recent, x, y), users),
    }
    return Table(rows=rows, train_seconds=train_seconds, interactions=len(log.users))


def fit_and_validate(log: Log, params: als.AlsParams, *, holdout: float = 0.2, max_users: int = 2000,
                     seed: int = 3) -> tuple[Metrics, Metrics]:
    """(the model's metrics, popularity's) on the held-out future, trained on the past."""
    split = time_split(log.users, log.items, log.strength, log.times, log.n_items, holdout)
    x, y = als.train(matrix(split, log.n_users, log.n_items), params)
    users = sorted(split.test)
    if len(users) > max_users:
        users = sorted(np.random.default_rng(seed).choice(users, size=max_users, replace=False).tolist())
    return evaluate(split, model_ranker(split, x, y), users), evaluate(split, popularity_ranker(split), users)
