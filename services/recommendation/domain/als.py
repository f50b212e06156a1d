"""Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008), in numpy/scipy.

Each (user, event) pair with positive interaction strength r gets preference 1 and
confidence c = 1 + alpha * log1p(r); every other pair preference 0 and confidence 1.
Alternating least squares finds user factors X and item factors Y minimising
sum c (p - x.y)^2 + reg (|X|^2 + |Y|^2). Each half-step solves all users (or items) at
once by a few conjugate-gradient steps warm-started from the previous factors (the
trick of Takacs et al. that the `implicit` package uses): every step is two sparse
products over the interactions, so a sweep over 1M interactions takes well under a
second and no per-user Python loop runs.

A user unknown to the model (or one whose last actions the nightly model has not seen)
is folded in: `fold_in` solves the same normal equations for one user exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

Matrix = NDArray[np.float32]


@dataclass(frozen=True)
class AlsParams:
    factors: int = 16
    iterations: int = 12
    regularization: float = 20.0
    alpha: float = 3.0
    cg_steps: int = 3
    seed: int = 7


def confidence(strength: NDArray[np.float32], alpha: float) -> NDArray[np.float32]:
    """c - 1 for observed pairs (the part of the confidence above the baseline 1)."""
    return (alpha * np.log1p(np.maximum(strength, 0.0))).astype(np.float32)


def _cg_sweep(x: Matrix, y: Matrix, extra: sp.csr_matrix, reg: float, steps: int) -> Matrix:
    """Improves every row of x for fixed y: solves (Y'Y + Y'(C-I)Y + reg I) x_u = Y'C p_u."""
    k = y.shape[1]
    yty = (y.T @ y + reg * np.eye(k, dtype=np.float32)).astype(np.float32)
    rows = np.repeat(np.arange(extra.shape[0]), np.diff(extra.indptr))
    cols = extra.indices
    c_minus_1 = extra.data
    b = sp.csr_matrix((c_minus_1 + 1.0, cols, extra.indptr), shape=extra.shape) @ y  # Y' C p

    def apply(v: Matrix) -> Matrix:
        dots = np.einsum("nk,nk->n", v[rows], y[cols])
        weighted = sp.csr_matrix((c_minus_1 * dots, cols, extra.indptr), shape=extra.shape)
        return np.asarray(v @ yty + weighted @ y, dtype=np.float32)

    x = x.copy()
    r = b - apply(x)
    p = r.copy()
    rs_old = np.einsum("nk,nk->n", r, r)
    for _ in range(steps):
        ap = apply(p)
        denom = np.einsum("nk,nk->n", p, ap)
        step = np.divide(rs_old, denom, out=np.zeros_like(rs_old), where=denom > 1e-12)
        x += step[:, None] * p
        r -= step[:, None] * ap
        rs_new = np.einsum("nk,nk->n", r, r)
        beta = np.divide(rs_new, rs_old, out=np.zeros_like(rs_new), where=rs_old > 1e-12)
        p = r + beta[:, None] * p
        rs_old = rs_new
    return x


def train(strength: sp.csr_matrix, params: AlsParams) -> tuple[Matrix, Matrix]:
    """(user factors, item factors) of a users x items matrix of interaction strengths.
    `params.iterations` < 0 skips training (random factors): a deliberately bad model."""
    rng = np.random.default_rng(params.seed)
    n_users, n_items = strength.shape
    x = (rng.standard_normal((n_users, params.factors)) * 0.01).astype(np.float32)
    y = (rng.standard_normal((n_items, params.factors)) * 0.01).astype(np.float32)
    if params.iterations < 0:
        return x * 100, y * 100
    by_user = sp.csr_matrix(strength, dtype=np.float32)
    by_user.data = confidence(by_user.data, params.alpha)
    by_user.eliminate_zeros()
    by_item = by_user.T.tocsr()
    for _ in range(params.iterations):
        x = _cg_sweep(x, y, by_user, params.regularization, params.cg_steps)
        y = _cg_sweep(y, x, by_item, params.regularization, params.cg_steps)
    return x, y


def gram(items: Matrix, regularization: float) -> Matrix:
    """Y'Y + reg I: what every fold-in needs, computed once per model."""
    k = items.shape[1]
    return (items.T @ items + regularization * np.eye(k, dtype=np.float32)).astype(np.float32)


def fold_in(items: Matrix, yty: Matrix, rows: NDArray[np.int64], strength: NDArray[np.float32],
            alpha: float) -> Matrix:
    """The user vector that best explains interactions with `rows` (of `items`), given the
    rest of the model: the exact solution of the user's normal equations."""
    if len(rows) == 0:
        return np.zeros(items.shape[1], dtype=np.float32)
    extra = confidence(strength, alpha)
    keep = extra > 0
    rows, extra = rows[keep], extra[keep]
    y = items[rows]
    a = yty + (y.T * extra) @ y
    b = ((extra + 1.0)[:, None] * y).sum(axis=0)
    return np.linalg.solve(a, b).astype(np.float32)
