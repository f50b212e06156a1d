"""The nightly training, run in a worker process (it is CPU-bound for seconds to
minutes; the service's event loop keeps answering meanwhile): validate on a time split,
train on the whole log, export the ONNX graph and the side arrays."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from services.recommendation.adapters.onnx_model import SideArrays, export
from services.recommendation.adapters.repository import TrainingData
from services.recommendation.domain import als, offline

NEIGHBOURS = 20


@dataclass(frozen=True)
class TrainResult:
    version: str
    graph: bytes
    side: bytes
    metrics: dict[str, float]
    popularity_metrics: dict[str, float]
    interactions: int
    train_seconds: float


def co_occurrence(strength: sp.csr_matrix, k: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
    """Each item's k items most often met by the same users (cosine of their user sets)."""
    seen = strength.copy()
    seen.data = np.ones_like(seen.data)
    counts = (seen.T @ seen).tocsr().astype(np.float32)
    norms = np.sqrt(np.maximum(counts.diagonal(), 1.0))
    n = counts.shape[0]
    neighbours = np.full((n, k), -1, dtype=np.int64)
    weights = np.zeros((n, k), dtype=np.float32)
    for i in range(n):
        start, end = counts.indptr[i], counts.indptr[i + 1]
        cols, vals = counts.indices[start:end], counts.data[start:end] / (norms[i] * norms[counts.indices[start:end]])
        keep = cols != i
        cols, vals = cols[keep], vals[keep]
        if len(cols) > k:
            best = np.argpartition(-vals, k - 1)[:k]
            cols, vals = cols[best], vals[best]
        order = np.argsort(-vals)
        neighbours[i, :len(cols)] = cols[order]
        weights[i, :len(cols)] = vals[order]
    return neighbours, weights


def train_version(data: TrainingData, params: als.AlsParams, version: str) -> TrainResult:
    started = time.perf_counter()
    log = offline.Log(data.users, data.items, data.kinds, data.times, len(data.user_ids), len(data.slugs))
    model_metrics, popularity_metrics = offline.fit_and_validate(log, params)
    full = offline.log_matrix(log)
    users, items = als.train(full, params)
    neighbours, weights = co_occurrence(full)
    graph = export(items, version)
    side = SideArrays(item_slugs=data.slugs, user_ids=data.user_ids, user_factors=users, neighbours=neighbours,
                      neighbour_weights=weights, regularization=params.regularization, alpha=params.alpha).dump()
    return TrainResult(version=version, graph=graph, side=side, metrics=model_metrics.as_dict(),
                       popularity_metrics=popularity_metrics.as_dict(), interactions=len(data.users),
                       train_seconds=time.perf_counter() - started)
