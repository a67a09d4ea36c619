"""k-center, vanilla (Gonzalez 1985) and fair (KFC, Harb & Lam, NeurIPS 2020).

KFC: pick k centers with Gonzalez's greedy farthest-point rule, binary-search the least
radius ``lambda`` at which the *frequency-distributor* linear program is feasible, then
round its solution at random. For a radius, points are grouped into *joiners*: points
of one protected group that lie within ``lambda`` of the same set of centers. The LP has
one variable per (joiner, center within reach), how many of the joiner's points the
center takes, with

* conservation: a joiner's variables sum to its size;
* fairness (Bera et al. 2019): in every cluster each group h makes up between
  ``beta_h = r_h (1 - delta)`` and ``alpha_h = r_h / (1 - delta)`` of the points, with
  ``r_h`` the group's share of the data.

The LP has O(#joiners * k) variables, far fewer than the O(n k) of the assignment LP of
Bera et al., which is what makes KFC scale; it is solved with HiGHS. Rounding draws, for
each joiner, a multinomial split of its points with the LP fractions as probabilities
(several draws, keeping the one of least additive violation, as in the authors' code).

Guarantees (Harb & Lam 2020): every point is within ``lambda`` of its center, and
``lambda`` is at most 3 times the optimal fair k-center radius (centers chosen among the
points); the fairness bounds hold in expectation, with a small additive violation after
rounding, reported as ``max_additive_violation_``.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from sklearn.base import BaseEstimator, ClusterMixin

from .._distances import sq_distances
from .._validation import (
    Interval,
    check_fit_array,
    check_n_clusters,
    check_params,
    check_random_state,
    record_feature_names,
)
from ._base import FairClusteringMixin
from ._registry import register_method

__all__ = ["FairKCenter", "KCenter", "gonzalez"]


def gonzalez(X: np.ndarray, n_clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy farthest-point k-center (Gonzalez 1985), a 2-approximation; center indices.

    The first center is drawn at random; each next one is the point farthest from the
    centers so far. The loop runs over the k centers; each step is one vectorized pass.
    """
    centers = np.empty(n_clusters, dtype=np.int64)
    centers[0] = rng.integers(X.shape[0])
    mind = ((X - X[centers[0]]) ** 2).sum(1)
    for i in range(1, n_clusters):
        centers[i] = int(np.argmax(mind))
        np.minimum(mind, ((X - X[centers[i]]) ** 2).sum(1), out=mind)
    return centers


class _NearestCenterMixin:
    n_features_in_: int
    cluster_centers_: np.ndarray

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest center in ``cluster_centers_`` for every row of ``X``."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "cluster_centers_")
        X_in = X
        X = check_fit_array(X, "X")
        record_feature_names(self, X_in, reset=False)  # scikit-learn's checks of names and width
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return sq_distances(X, self.cluster_centers_).argmin(1)


class KCenter(_NearestCenterMixin, ClusterMixin, BaseEstimator):
    """Vanilla k-center by Gonzalez's greedy farthest-point rule (2-approximation).

    Parameters
    ----------
    n_clusters : int, default=8
    random_state : int, Generator or None
        Picks the first center.

    Attributes
    ----------
    labels_, cluster_centers_, center_indices_, radius_ (largest point-center distance).
    """

    def __init__(self, n_clusters: int = 8, *, random_state: Any = None):
        self.n_clusters = n_clusters
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> KCenter:
        """Fit on ``X``; ``sensitive_features`` is accepted and ignored (vanilla method)."""
        X_in = X
        X = check_fit_array(X, "X")
        k = check_n_clusters(self.n_clusters, X.shape[0])
        rng = check_random_state(self.random_state)
        record_feature_names(self, X_in, reset=True)
        self.center_indices_ = gonzalez(X, k, rng)
        self.cluster_centers_ = X[self.center_indices_].copy()
        d = sq_distances(X, self.cluster_centers_)
        labels = d.argmin(1)
        labels[self.center_indices_] = np.arange(k)  # duplicates: each center keeps itself
        self.labels_ = labels
        self.radius_ = float(np.sqrt(d.min(1).max()))
        return self


def _frequency_distributor(conn: np.ndarray, group: np.ndarray, n_groups: int, alpha, beta):
    """Solve the KFC LP for the connectivity ``conn`` (n x k bool); None if infeasible.

    Returns (joiner id per point, joiner sizes, fractions J x k summing to 1 per row).
    """
    n, k = conn.shape
    key = np.column_stack([np.packbits(conn, axis=1), group.astype(np.uint8 if n_groups < 256 else np.int64)])
    _, joiner, size = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    joiner = joiner.ravel()
    n_j = size.shape[0]
    first = np.zeros(n_j, dtype=np.int64)
    first[joiner[::-1]] = np.arange(n - 1, -1, -1)  # a representative point per joiner
    jconn = conn[first]  # (J, k)
    jgroup = group[first]
    var_j, var_c = np.nonzero(jconn)  # one variable per (joiner, center in reach)
    n_var = var_j.shape[0]
    a_eq = sparse.csr_matrix((np.ones(n_var), (var_j, np.arange(n_var))), shape=(n_j, n_var))
    # rows (center c, group h): sum_{J: group h} x_Jc - alpha_h sum_J x_Jc <= 0, and the
    # beta_h lower bound as beta_h sum_J x_Jc - sum_{J: group h} x_Jc <= 0
    hs = np.arange(n_groups)
    in_h = (jgroup[var_j][None, :] == hs[:, None]).astype(float)  # (G, n_var)
    rows = (var_c[None, :] * n_groups + hs[:, None]).ravel()
    cols = np.tile(np.arange(n_var), n_groups)
    upper = (in_h - alpha[:, None]).ravel()
    lower = (beta[:, None] - in_h).ravel()
    a_ub = sparse.csr_matrix(
        (np.concatenate([upper, lower]), (np.concatenate([rows, rows + k * n_groups]), np.concatenate([cols, cols]))),
        shape=(2 * k * n_groups, n_var),
    )
    res = linprog(
        np.zeros(n_var),
        A_ub=a_ub,
        b_ub=np.zeros(2 * k * n_groups),
        A_eq=a_eq,
        b_eq=size.astype(float),
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        return None
    frac = np.zeros((n_j, k))
    frac[var_j, var_c] = np.maximum(res.x, 0.0)
    frac /= frac.sum(1, keepdims=True)
    return joiner, size, frac


def _additive_violation(labels, group, k, n_groups, alpha, beta) -> int:
    counts = np.zeros((k, n_groups))
    np.add.at(counts, (labels, group), 1)
    size = counts.sum(1, keepdims=True)
    over = counts - alpha[None, :] * size
    under = beta[None, :] * size - counts
    return int(np.ceil(max(over.max(), under.max(), 0.0) - 1e-9))


class FairKCenter(FairClusteringMixin, _NearestCenterMixin, BaseEstimator):
    """Fair k-center by KFC (Harb & Lam, NeurIPS 2020): Gonzalez centers + LP + rounding.

    Parameters
    ----------
    n_clusters : int, default=8
    delta : float in [0, 1), default=0.1
        Slack of the fairness bounds: each group's share of a cluster must lie in
        ``[r_h (1 - delta), r_h / (1 - delta)]`` (``r_h``: its share of the data). 0 asks
        for exact proportions, values near 1 for no fairness.
    n_rounding_trials : int, default=5
        Random roundings of the LP; the one with least additive violation is kept.
    random_state : int, Generator or None
        First Gonzalez center and the rounding.

    Attributes
    ----------
    labels_ : ndarray (n_samples,)
        Cluster of every point, ``0..n_used-1``; centers the LP leaves without points are
        dropped, so there may be fewer than ``n_clusters`` clusters.
    cluster_centers_ : ndarray (n_used, n_features)
    center_indices_ : ndarray (n_used,)
    radius_ : float
        The binary-searched radius ``lambda``; every point is within it of its center.
    alpha_, beta_ : ndarray (n_groups,)
        Upper and lower bounds on each group's share of a cluster.
    max_additive_violation_ : int
        Largest number of points by which a cluster misses a group's bound.
    groups_ : ndarray
        The distinct values of ``sensitive_features``.

    Notes
    -----
    ``predict`` sends new points to the nearest center and carries no fairness guarantee.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "delta": [Interval(Real, 0, 1, closed="left")],
        "n_rounding_trials": [Interval(Integral, 1, None, closed="left")],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self, n_clusters: int = 8, *, delta: float = 0.1, n_rounding_trials: int = 5, random_state: Any = None
    ):
        self.n_clusters = n_clusters
        self.delta = delta
        self.n_rounding_trials = n_rounding_trials
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> FairKCenter:
        """Cluster ``X`` fairly with respect to ``sensitive_features``; returns ``self``."""
        check_params(self)
        X, group, groups = self._validate_fit_input(X, sensitive_features)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        delta, trials = float(self.delta), int(self.n_rounding_trials)
        rng = check_random_state(self.random_state)
        n_groups = groups.shape[0]
        share = np.bincount(group, minlength=n_groups) / n
        alpha, beta = share / (1.0 - delta), share * (1.0 - delta)

        centers = gonzalez(X, k, rng)
        dist = np.sqrt(sq_distances(X, X[centers]))
        dist[centers, np.arange(k)] = 0.0
        # below max_i min_c d(i, c) some point reaches no center; at max d every point
        # reaches every center and one cluster with the data's proportions is feasible
        cand = np.unique(dist)
        cand = cand[cand >= dist.min(1).max()]
        lo, hi, best = 0, cand.shape[0] - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            sol = _frequency_distributor(dist <= cand[mid], group, n_groups, alpha, beta)
            if sol is None:
                lo = mid + 1
            else:
                best, radius, hi = sol, float(cand[mid]), mid - 1
        if best is None:
            raise ValueError(
                "FairKCenter: the fairness LP is infeasible at every radius (numerical trouble in "
                f"HiGHS with delta={delta}); try a larger delta."
            )
        joiner, size, frac = best
        # points in random order within each joiner; joiner J's points take centers by a
        # multinomial split of its size with the LP fractions
        order = np.lexsort((rng.random(n), joiner))
        start = np.cumsum(size) - size
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n) - start[joiner[order]]
        labels, viol = None, None
        for _ in range(trials):
            counts = rng.multinomial(size, frac)
            cum = np.cumsum(counts, axis=1)
            trial = (cum[joiner] <= rank[:, None]).sum(1)
            v = _additive_violation(trial, group, k, n_groups, alpha, beta)
            if viol is None or v < viol:
                labels, viol = trial, v
        assert labels is not None  # at least one trial ran
        used, labels = np.unique(labels, return_inverse=True)
        self.labels_ = labels.ravel()
        self.center_indices_ = centers[used]
        self.cluster_centers_ = X[self.center_indices_].copy()
        self.radius_ = radius
        self.alpha_, self.beta_ = alpha, beta
        self.max_additive_violation_ = viol
        self.groups_ = groups
        return self


@register_method("kfc", fair=True, description="fair k-center, KFC (Harb & Lam 2020): LP over joiners + rounding")
def _make_kfc(n_clusters: int, random_state: int | None, **params: Any) -> FairKCenter:
    return FairKCenter(n_clusters=n_clusters, random_state=random_state, **params)


@register_method("kcenter", fair=False, description="k-center, Gonzalez greedy farthest point (2-approximation)")
def _make_kcenter(n_clusters: int, random_state: int | None, **params: Any) -> KCenter:
    return KCenter(n_clusters=n_clusters, random_state=random_state, **params)
