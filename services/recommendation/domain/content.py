"""Content embeddings of events: TF-IDF over title, description, tags and category,
reduced by a truncated SVD (latent semantic analysis) and normalised, so a dot
product is a cosine similarity.

No pretrained text model ships in a package we can install (and nothing may be
downloaded at run time), so the embedding is learnt from the catalog itself, in well
under a second for thousands of events. Words are cut to their first 6 letters, a
crude stemmer that is good enough for Russian («джазовый», «джаза» -> «джазов»/«джаза»
-> close), and the category and tags weigh more than the description.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import svds

from services.recommendation.domain.catalog import CatalogItem, words

DIMENSIONS = 64
_STEM = 6
# Field weights: what says most about what an event *is* counts most.
_CATEGORY, _TAG, _TITLE, _DESCRIPTION = 4.0, 2.0, 1.5, 0.5


def _terms(item: CatalogItem) -> dict[str, float]:
    terms: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        terms[term] = terms.get(term, 0.0) + weight

    add("cat:" + item.category, _CATEGORY)
    for tag in item.tags:
        add("tag:" + tag.lower(), _TAG)
        for w in words(tag):
            add(w[:_STEM], _TAG / 2)
    for w in words(item.title):
        if len(w) > 2:
            add(w[:_STEM], _TITLE)
    for w in words(item.description):
        if len(w) > 3:
            add(w[:_STEM], _DESCRIPTION)
    return terms


def embed(items: Sequence[CatalogItem], dimensions: int = DIMENSIONS) -> NDArray[np.float32]:
    """Unit rows (len(items) x d, d <= dimensions); zero rows for items without words."""
    if not items:
        return np.zeros((0, dimensions), dtype=np.float32)
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for n, item in enumerate(items):
        for term, weight in _terms(item).items():
            rows.append(n)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            vals.append(1.0 + np.log(weight + 1.0))
    tf = sp.csr_matrix((vals, (rows, cols)), shape=(len(items), len(vocabulary)), dtype=np.float64)
    df = np.bincount(tf.indices, minlength=len(vocabulary))
    idf = np.log((1 + len(items)) / (1 + df)) + 1.0
    tfidf = tf @ sp.diags(idf)
    k = min(dimensions, min(tfidf.shape) - 1)
    if k < 1:
        dense = tfidf.toarray()
    else:
        u, s, _ = svds(tfidf, k=k, random_state=0)
        dense = u * s
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    unit = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    return np.asarray(unit, dtype=np.float32)
