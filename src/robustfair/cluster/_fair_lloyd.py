"""Socially fair k-means: the Fair-Lloyd algorithm (Ghadiri, Samadi and Vempala, FAccT 2021).

The objective is the *social cost*: the largest average k-means cost over the groups,

    Phi(C) = max_g  (1 / |g|) sum_{x in g} min_j ||x - c_j||^2.

Fair-Lloyd alternates the usual nearest-center assignment (which lowers every group's cost
at once) with a fair center step that minimises the social cost for the fixed partition.
For a fixed partition the cost of group ``g`` decomposes as

    cost_g(C) = Delta_g + sum_j (n_jg / n_g) ||c_j - mu_jg||^2,

``mu_jg`` the mean of group ``g`` in cluster ``j`` and ``Delta_g`` the within-(cluster,
group) scatter. With two groups the optimal ``c_j`` lies on the segment from ``mu_jA`` to
``mu_jB`` at ``lambda_j(gamma) = gamma a_jB / ((1 - gamma) a_jA + gamma a_jB)``
(``a_jg = n_jg / n_g``), and a line search over the scalar ``gamma`` equalises the two
groups' costs (paper, Sec. 3, Algorithm 2). With more groups the convex min-max center
step is solved by multiplicative weights over the groups (paper, Sec. 3.2).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.cluster import kmeans_plusplus

from .._distances import sq_distances
from .._validation import Interval, check_n_clusters, check_params, check_random_state, seed_from
from ._base import FairClusteringMixin
from ._registry import register_method

__all__ = ["FairLloyd"]


def _group_costs(X, C, g, n_groups, sizes, x_sq=None):
    """Average cost of each group with nearest-center assignment; also the labels."""
    d = sq_distances(X, C, x_sq)
    labels = d.argmin(1)
    cost = np.bincount(g, weights=d[np.arange(X.shape[0]), labels], minlength=n_groups) / sizes
    return cost, labels


def _partition_stats(X, labels, g, k, G, sizes, x_sq=None):
    """Shares a_jg = n_jg / n_g, means mu_jg (k, G, d) and scatters Delta_g of a partition.

    One bincount per feature (no sparse matrix to build each round); the scatter comes
    from ``sum ||x||^2 - n_jg ||mu_jg||^2`` per cell, clipped at 0 against rounding.
    """
    cell = labels * G + g
    counts = np.bincount(cell, minlength=k * G).astype(float)
    sums = np.stack([np.bincount(cell, weights=X[:, j], minlength=k * G) for j in range(X.shape[1])], axis=1)
    mu = sums / np.maximum(counts, 1)[:, None]
    x_sq = (X * X).sum(1) if x_sq is None else x_sq
    sq = np.bincount(cell, weights=x_sq, minlength=k * G)
    scatter = np.maximum(sq - counts * (mu * mu).sum(1), 0.0)
    delta = scatter.reshape(k, G).sum(0) / sizes
    return counts.reshape(k, G) / sizes[None, :], mu.reshape(k, G, -1), delta


def _line_search_centers(a, mu, delta, old, n_grid=64):
    """Two groups: the optimal fair centers for a fixed partition (paper, Algorithm 2).

    cost_A rises and cost_B falls with gamma; their crossing is found by evaluating both
    on a grid of ``n_grid`` gammas at once (a (n_grid, k) array) and zooming into the
    bracketing cell, until the bracket is at double precision (at most 10 rounds for 64 points,
    the precision of 60 bisection steps in 10 vectorized evaluations).
    """
    aA, aB = a[:, 0], a[:, 1]
    ell2 = ((mu[:, 0] - mu[:, 1]) ** 2).sum(1)

    def lam(gamma):  # gamma: (m,) -> (m, k)
        gamma = np.asarray(gamma, dtype=float)[..., None]
        num, den = gamma * aB, (1 - gamma) * aA + gamma * aB
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        out = np.where(aA == 0, 1.0, out)  # only group B in the cluster: its mean
        return np.where(aB == 0, 0.0, out)

    def costs(lmb):  # (m, k) -> two (m,)
        return delta[0] + (aA * lmb**2 * ell2).sum(-1), delta[1] + (aB * (1 - lmb) ** 2 * ell2).sum(-1)

    ends = costs(lam(np.array([0.0, 1.0])))
    if ends[0][0] >= ends[1][0]:  # group A is worse off even at its own means: gamma = 0 is optimal
        gamma = 0.0
    elif ends[1][1] >= ends[0][1]:
        gamma = 1.0
    else:
        lo, hi = 0.0, 1.0
        for _ in range(10):  # zoom rounds: each shrinks the bracket n_grid - 1 times
            if hi - lo <= 4 * np.finfo(float).eps:
                break
            grid = np.linspace(lo, hi, n_grid)
            cA, cB = costs(lam(grid))
            below = np.flatnonzero(cA < cB)  # cost_A < cost_B left of the crossing
            i = int(below[-1]) if below.size else 0
            lo, hi = grid[i], grid[min(i + 1, n_grid - 1)]
            if i == n_grid - 1:
                break
        gamma = (lo + hi) / 2
    lmb = lam(np.array([gamma]))[0][:, None]
    C = (1 - lmb) * mu[:, 0] + lmb * mu[:, 1]
    empty = (aA == 0) & (aB == 0)
    C[empty] = old[empty]
    return C


def _mw_centers(a, mu, delta, old, n_steps=200):
    """More groups: multiplicative weights on the groups for min_C max_g cost_g(C)."""
    G = a.shape[1]
    w = np.full(G, 1.0 / G)
    empty = a.sum(1) == 0
    best, best_val = old, np.inf
    avg = np.zeros_like(old)
    eta = np.sqrt(np.log(G) / n_steps) if G > 1 else 0.0
    for t in range(n_steps):  # iterations of the MW game, each vectorized over clusters and groups
        wa = a * w[None, :]
        den = wa.sum(1, keepdims=True)
        C = np.where(den > 0, np.einsum("jg,jgd->jd", wa, mu) / np.where(den > 0, den, 1.0), old)
        C[empty] = old[empty]
        cost = delta + (a * ((C[:, None, :] - mu) ** 2).sum(2)).sum(0)
        avg += (C - avg) / (t + 1)
        for cand in (C, avg):
            c = (delta + (a * ((cand[:, None, :] - mu) ** 2).sum(2)).sum(0)).max()
            if c < best_val:
                best, best_val = cand.copy(), c
        w = w * np.exp(eta * cost / max(cost.max(), 1e-300))
        w /= w.sum()
    return best


class FairLloyd(FairClusteringMixin, BaseEstimator):
    """Socially fair k-means by Fair-Lloyd (Ghadiri et al. 2021).

    Parameters
    ----------
    n_clusters : int, default=8
    max_iter : int, default=300
        Lloyd rounds per initialisation.
    n_init : int, default=10
        k-means++ initialisations; the run with the lowest social cost is kept.
    tol : float, default=1e-6
        Stop when the social cost improves by less than ``tol`` (relative).
    random_state : int, Generator or None

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
        Nearest center of every point.
    social_cost_ : float
        ``max_g`` of the average squared distance of group ``g`` to its nearest center.
    group_costs_ : ndarray of shape (n_groups,)
    n_iter_ : int
    n_features_in_ : int
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, np.inf, closed="left")],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(self, n_clusters=8, *, max_iter=300, n_init=10, tol=1e-6, random_state=None):
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.n_init = n_init
        self.tol = tol
        self.random_state = random_state

    def _run(self, X, g, G, sizes, C, x_sq):
        cost, labels = _group_costs(X, C, g, G, sizes, x_sq)
        k = C.shape[0]
        it = 0
        for it in range(1, self.max_iter + 1):  # noqa: B007 - Lloyd rounds (sequential); the count is returned
            a, mu, delta = _partition_stats(X, labels, g, k, G, sizes, x_sq)
            C = _line_search_centers(a, mu, delta, C) if G == 2 else _mw_centers(a, mu, delta, C)
            new_cost, new_labels = _group_costs(X, C, g, G, sizes, x_sq)
            done = np.array_equal(new_labels, labels) or cost.max() - new_cost.max() <= self.tol * cost.max()
            cost, labels = new_cost, new_labels
            if done:
                break
        return C, labels, cost, it

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> FairLloyd:
        """Run Fair-Lloyd from ``n_init`` k-means++ seedings and keep the fairest."""
        check_params(self)
        X, g, groups = self._validate_fit_input(X, sensitive_features)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        rng = check_random_state(self.random_state)
        G = groups.shape[0]
        sizes = np.bincount(g, minlength=G).astype(float)
        best = None
        x_sq = (X * X).sum(1)
        for _ in range(self.n_init):  # independent restarts
            C0, _ = kmeans_plusplus(X, k, random_state=seed_from(rng), x_squared_norms=x_sq)
            C, labels, cost, it = self._run(X, g, G, sizes, C0, x_sq)
            if best is None or cost.max() < best[2].max():
                best = (C, labels, cost, it)
        assert best is not None  # n_init >= 1
        C, labels, cost, it = best
        self.cluster_centers_ = C
        self.labels_ = labels.astype(np.int64)
        self.group_costs_ = cost
        self.social_cost_ = float(cost.max())
        self.n_iter_ = it
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Nearest fitted center."""
        X = self._validate_predict_input(X)
        return sq_distances(X, self.cluster_centers_).argmin(1)


@register_method("fair-lloyd", fair=True, description="socially fair k-means by Fair-Lloyd (Ghadiri et al. 2021)")
def _fair_lloyd(n_clusters: int, random_state: int | None, **params: Any) -> FairLloyd:
    return FairLloyd(n_clusters=n_clusters, random_state=random_state, **params)
