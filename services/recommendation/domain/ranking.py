"""Scoring and re-ranking, on arrays over the catalog (pure; the offline evaluation and
the service run the same code).

The score of an event for a request is a weighted sum of signals, each in [0, 1]:
popularity in the city (time-decayed actions and sales), the stated interests, being
near, and, once the user has a history, the content affinity to what they recently
liked, their category affinity and the collaborative model's prediction. The model's
part is added by the ONNX graph (user x items + this bias, then TopK); everything else
is the bias computed here. The final list is re-ranked for diversity across categories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float64]
EXCLUDED = -1e9  # the bias of an event that must not be recommended
SOLD_OUT_PENALTY = 100.0  # below every event that is not, above excluded ones


@dataclass(frozen=True)
class Weights:
    popularity: float = 1.0
    interests: float = 0.35
    near: float = 0.3
    content: float = 0.5
    category: float = 0.3
    model: float = 3.0
    # Diversity: each earlier pick of the same category costs this much.
    category_repeat: float = 0.12


COLD_START = Weights()
# Tuned on the synthetic log's time split (nox -s bench prints the table).
PERSONAL = Weights(popularity=0.6, category_repeat=0.03)


def normalised_popularity(popularity: Vector) -> Vector:
    """log-damped and scaled to [0, 1] (a blockbuster must not drown everything else)."""
    damped = np.log1p(np.maximum(popularity, 0.0))
    top = float(damped.max()) if len(damped) else 0.0
    return damped / top if top > 0 else damped


def nearness(lat: Vector, lon: Vector, at_lat: float, at_lon: float, scale_km: float = 5.0) -> Vector:
    """exp(-distance / scale): 1 next door, ~0.37 at 5 km, 0 where the place is unknown."""
    dy = (lat - at_lat) * 111.2
    dx = (lon - at_lon) * 111.2 * np.cos(np.radians(at_lat))
    near = np.exp(-np.hypot(dx, dy) / scale_km)
    return np.asarray(np.nan_to_num(near, nan=0.0), dtype=np.float64)


def content_affinity(embeddings: NDArray[np.float32], liked: Mapping[int, float]) -> Vector:
    """Cosine between each event and the user's taste (the weighted mean of the events
    they acted on; dislikes pull away), clipped at 0."""
    if not liked:
        return np.zeros(len(embeddings))
    rows = np.fromiter(liked.keys(), dtype=np.int64)
    weights = np.fromiter(liked.values(), dtype=np.float64)
    taste = (embeddings[rows].astype(np.float64) * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(taste))
    if norm == 0:
        return np.zeros(len(embeddings))
    return np.asarray(np.clip(embeddings.astype(np.float64) @ (taste / norm), 0.0, 1.0), dtype=np.float64)


def category_affinity(category: NDArray[np.int32], liked: Mapping[int, float]) -> Vector:
    """The share of the user's positive weight in each event's category."""
    share = np.zeros(int(category.max()) + 1 if len(category) else 0)
    for row, weight in liked.items():
        if weight > 0:
            share[category[row]] += weight
    total = share.sum()
    return share[category] / total if total > 0 else np.zeros(len(category))


@dataclass(frozen=True)
class Signals:
    popularity: Vector
    interests: Vector | None = None
    near: Vector | None = None
    content: Vector | None = None
    category: Vector | None = None


def bias(signals: Signals, w: Weights, allowed: NDArray[np.bool_], sold_out: NDArray[np.bool_]) -> Vector:
    """Everything but the model's part of the score; EXCLUDED where not allowed."""
    score = w.popularity * signals.popularity
    for weight, signal in ((w.interests, signals.interests), (w.near, signals.near),
                           (w.content, signals.content), (w.category, signals.category)):
        if signal is not None:
            score = score + weight * signal
    score = score - SOLD_OUT_PENALTY * sold_out
    return np.where(allowed, score, EXCLUDED)


def top(scores: Vector, k: int) -> NDArray[np.int64]:
    """Rows of the k highest scores (allowed ones only), best first."""
    k = min(k, int((scores > EXCLUDED / 2).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")].astype(np.int64)


def diversify(candidates: Sequence[int], scores: Vector, category: NDArray[np.int32], limit: int,
              repeat_cost: float) -> list[int]:
    """Greedy re-rank: each pick is the best candidate after charging `repeat_cost` per
    earlier pick of its category (so a list is not ten concerts unless they are far better)."""
    rows = np.asarray(candidates, dtype=np.int64)
    if len(rows) == 0 or limit <= 0:
        return []
    base = scores[rows].astype(np.float64)
    cats = category[rows]
    picks_of = np.zeros(int(category.max()) + 1, dtype=np.float64)
    taken = np.zeros(len(rows), dtype=bool)
    picked: list[int] = []
    for _ in range(min(limit, len(rows))):
        charged = np.where(taken, -np.inf, base - repeat_cost * picks_of[cats])
        best = int(np.argmax(charged))  # the first of equals: candidates' order breaks ties
        taken[best] = True
        picks_of[cats[best]] += 1
        picked.append(int(rows[best]))
    return picked
