"""Fair clustering through fairlets: Chierichetti et al. (NIPS 2017) and Backurs et al. (ICML 2019).

Both split the data into small balanced *fairlets*, cluster the fairlet centers with a
vanilla k-center or k-median, and give every point its fairlet's cluster. A union of
fairlets of balance at least b has balance at least b, so the output inherits the
fairlets' balance:

* :class:`FairletDecomposition` -- (1, t)-fairlets by minimum-cost flow: balance >= 1/t.
* :class:`ScalableFairletDecomposition` (SFD) -- (p, q)-fairlets on a randomly shifted
  quadtree in near-linear time: balance >= p/q.

Balance of two groups a, b: ``min over clusters of min(N_a / N_b, N_b / N_a)``.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from .._distances import sq_distances
from .._validation import (
    Interval,
    StrOptions,
    check_fit_array,
    check_n_clusters,
    check_params,
    check_random_state,
    check_two_groups,
    record_feature_names,
    seed_from,
)
from ._base import FairClusteringMixin
from ._fair_kcenter import _NearestCenterMixin, gonzalez
from ._fairlet_tree import fairlet_medoids, is_balanced, tree_fairlet_decomposition
from ._registry import register_method
from ._weighted_kmedian import weighted_kmedian

__all__ = ["FairletDecomposition", "ScalableFairletDecomposition", "KMedian", "kmedian"]

#: Largest set clustered by exact FasterPAM (its distance matrix is n^2 float32).
MAX_EXACT_KMEDIAN = 5000


def kmedian(
    X: np.ndarray, n_clusters: int, rng: np.random.Generator, *, max_exact: int = MAX_EXACT_KMEDIAN, n_draws: int = 3
) -> np.ndarray:
    """Indices of k medoids of ``X`` (Euclidean k-median restricted to data points).

    FasterPAM (Schubert & Rousseeuw 2021, package ``kmedoids``) on the full distance
    matrix while n <= ``max_exact``; beyond, CLARA: FasterPAM on ``n_draws`` random
    samples of ``max_exact`` points, keeping the medoids of least total distance over
    all of ``X``. Memory O(max_exact^2 + n k).
    """
    from .._optional import require

    kmedoids = require("kmedoids", "k-median by FasterPAM (KMedian, fairlet k-median)")

    n = X.shape[0]

    def pam(idx):
        # one float32 matrix, built in place: max_exact = 5000 makes it 100 MB
        P = X[idx] - X[idx].mean(axis=0)  # centered: float32 Gram trick keeps precision
        P = P.astype(np.float32)
        sq = (P * P).sum(1)
        D = P @ P.T
        D *= -2.0
        D += sq[:, None]
        D += sq[None, :]
        np.maximum(D, 0.0, out=D)
        np.sqrt(D, out=D)
        np.fill_diagonal(D, 0.0)
        res = kmedoids.fasterpam(D, n_clusters, random_state=seed_from(rng), n_cpu=1)
        return idx[np.asarray(res.medoids, dtype=np.int64)]

    if n <= max_exact:
        return pam(np.arange(n))
    best, best_cost = None, np.inf
    for _ in range(n_draws):
        med = pam(np.sort(rng.choice(n, max_exact, replace=False)))
        cost = float(np.sqrt(sq_distances(X, X[med]).min(1)).sum())
        if cost < best_cost:
            best, best_cost = med, cost
    assert best is not None  # n_draws >= 1
    return best


class _FairletClusteringBase(FairClusteringMixin, _NearestCenterMixin, BaseEstimator):
    """Shared second stage: cluster fairlet centers, give points their fairlet's cluster."""

    def _finish(self, X, fairlet, n_fairlets, k, rng, method):
        if k > n_fairlets:
            raise ValueError(
                f"n_clusters={k} is larger than the number of fairlets ({n_fairlets}); every "
                "cluster is a union of whole fairlets, so ask for at most that many clusters."
            )
        centers = fairlet_medoids(X, fairlet, n_fairlets)
        C = X[centers]
        if method == "kmedian" and n_fairlets > MAX_EXACT_KMEDIAN:
            # many fairlets: weighted k-median (each medoid weighs its fairlet's size) by
            # D^1 seeding and Lloyd-Weiszfeld rounds, O(n_fairlets k d) per round
            weight = np.bincount(fairlet, minlength=n_fairlets).astype(np.float64)
            cluster_centers, fairlet_labels, _ = weighted_kmedian(C, weight, k, rng)
            med = sq_distances(cluster_centers, C).argmin(1)  # nearest fairlet medoid of each center
        else:
            med = gonzalez(C, k, rng) if method == "kcenter" else kmedian(C, k, rng)
            fairlet_labels = sq_distances(C, C[med]).argmin(1)
            fairlet_labels[med] = np.arange(k)  # a medoid always heads its own cluster
            cluster_centers = C[med].copy()
        self.fairlets_ = fairlet
        self.n_fairlets_ = int(n_fairlets)
        self.fairlet_center_indices_ = centers
        self.fairlet_centers_ = C
        self.fairlet_labels_ = fairlet_labels
        self.labels_ = fairlet_labels[fairlet]
        self.center_indices_ = centers[med]
        self.cluster_centers_ = cluster_centers
        diff = X - C[fairlet]
        self.fairlet_cost_ = float(np.sqrt(np.einsum("ij,ij->i", diff, diff)).sum())
        return self


class FairletDecomposition(_FairletClusteringBase):
    """Fair clustering through (1, t)-fairlets (Chierichetti et al., NIPS 2017).

    The two groups are covered with the cheapest *stars* (one point of one group and
    1..t of the other), found as a minimum-cost flow (OR-Tools ``SimpleMinCostFlow``);
    then ``method`` clusters the fairlet medoids and every point takes its fairlet's
    cluster, so every cluster has balance at least 1/t.

    Up to 4,000,000 blue-red pairs the flow runs on the complete bipartite graph (exact);
    beyond, on a sparse candidate graph linking every point to its ``n_neighbors``
    nearest points of the other group: O(n n_neighbors) arcs and memory, exact whenever
    the candidate graph holds an optimal cover (short star edges make that the rule),
    else a feasible cover whose cost bounds the optimum from above (measured: within 0.3%
    for t >= 2 on evenly mixed blobs, 3.6% on inverted DIGITS; up to about 35% where the
    groups are unevenly mixed by region, or for t = 1, perfect matchings).

    Parameters
    ----------
    n_clusters : int, default=8
    t : int, default=2
        Fairlets hold at most t points of one group per point of the other.
    method : {"kmedian", "kcenter"}, default="kmedian"
        k-median (FasterPAM) or k-center (Gonzalez) on the fairlet centers. For
        "kcenter" the fairlets minimize the longest star edge first (binary search),
        then the total length.
    n_neighbors : int or None, default=None
        Candidate arcs per point on the sparse graph (doubled automatically if the graph
        has no (1, t) cover). None: complete graph while |blue| x |red| <= 4,000,000, else
        10 neighbours; an int forces the sparse graph.
    random_state : int, Generator or None

    Attributes
    ----------
    labels_, cluster_centers_, center_indices_ : as usual; centers are fairlet medoids
        (geometric medians of them beyond 5000 fairlets, see
        :class:`ScalableFairletDecomposition`).
    fairlets_ : ndarray of int (n_samples,)
        Fairlet id of every point, ``0..n_fairlets_-1``.
    fairlet_centers_, fairlet_center_indices_ : medoid of every fairlet (coordinates, rows of X).
    fairlet_labels_ : cluster of every fairlet.
    flow_cost_ : float
        Total Euclidean length of the star edges (the flow's objective).
    fairlet_cost_ : float
        Sum of distances from points to their fairlet's medoid.

    Raises
    ------
    ValueError
        With other than two groups, a minority-to-majority ratio below 1/t (no (1, t)
        decomposition exists), more clusters than fairlets, or ``n_neighbors`` not a
        positive int.

    Notes
    -----
    ``predict`` sends new points to the nearest center, without the balance guarantee.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "t": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions({"kmedian", "kcenter"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        t: int = 2,
        method: str = "kmedian",
        n_neighbors: int | None = None,
        random_state: Any = None,
    ):
        self.n_clusters = n_clusters
        self.t = t
        self.method = method
        self.n_neighbors = n_neighbors
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> FairletDecomposition:
        """Decompose into fairlets, cluster them; returns ``self``."""
        from ._fairlet_flow import flow_fairlets

        check_params(self)
        X, codes, groups = self._validate_fit_input(X, sensitive_features)
        check_two_groups(groups, "FairletDecomposition")
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        t, method = int(self.t), self.method
        n_neighbors = None if self.n_neighbors is None else int(self.n_neighbors)
        rng = check_random_state(self.random_state)
        counts = np.bincount(codes, minlength=2)
        if counts.min() * t < counts.max():
            raise ValueError(
                f"No (1, t={t})-fairlet decomposition exists: the groups have {counts[0]} and "
                f"{counts[1]} samples, a minority-to-majority ratio of {counts.min() / counts.max():.4g} "
                f"below 1/t = {1 / t:.4g}. Raise t to at least {int(np.ceil(counts.max() / counts.min()))}."
            )
        fairlet, n_fairlets, cost = flow_fairlets(X, codes, t, bottleneck=method == "kcenter", n_neighbors=n_neighbors)
        self.flow_cost_ = cost
        self.groups_ = groups
        return self._finish(X, fairlet, n_fairlets, k, rng, method)


class ScalableFairletDecomposition(_FairletClusteringBase):
    """Scalable fair k-median, SFD (Backurs, Indyk, Onak, Schieber, Vakilian, Wagner, ICML 2019).

    (p, q)-fairlets are built on a randomly shifted quadtree (a tree embedding) in
    near-linear time, their medoids are clustered by k-median, and every point takes its
    fairlet's cluster. Each fairlet has balance >= p/q, so every cluster has balance
    >= p/q: a guarantee, not an expectation. (Assigning points to their nearest medoid
    instead, as some public ports do, loses it.)

    Parameters
    ----------
    n_clusters : int, default=8
    p, q : int, default=2, 5
        Target balance p/q with 1 <= p <= q. The thesis uses p=2, q=5, and p=1, q=5 on
        inverted DIGITS.
    random_state : int, Generator or None
        The quadtree's random shift and the k-median.

    Attributes
    ----------
    labels_, cluster_centers_, center_indices_ : centers are fairlet medoids.
    fairlets_ : ndarray of int (n_samples,)
        Fairlet id of every point.
    fairlet_centers_, fairlet_center_indices_, fairlet_labels_, n_fairlets_, fairlet_cost_ :
        As in :class:`FairletDecomposition`.

    Raises
    ------
    ValueError
        With other than two groups; when the minority-to-majority ratio of the groups is
        below p/q (then no (p, q)-fairlet decomposition exists); when ``n_clusters``
        exceeds the number of fairlets.

    Notes
    -----
    Time O(n d + n log n + n L) for the tree (L levels, typically 10-25) plus the
    k-median: FasterPAM on the fairlet medoids while there are at most 5000; beyond, a
    weighted k-median of the medoids (each weighing its fairlet's size) by D^1 seeding
    and Lloyd-Weiszfeld rounds, whose ``cluster_centers_`` are then geometric medians
    rather than medoids (``center_indices_`` is the nearest fairlet medoid of each).
    Balance is the same either way: it comes from the fairlets. Memory O(n d). ``predict`` sends new points to the nearest center
    and does not carry the balance guarantee.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Integral, 1, None, closed="left")],
        "q": [Interval(Integral, 1, None, closed="left")],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(self, n_clusters: int = 8, *, p: int = 2, q: int = 5, random_state: Any = None):
        self.n_clusters = n_clusters
        self.p = p
        self.q = q
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> ScalableFairletDecomposition:
        """Decompose into (p, q)-fairlets on a quadtree, cluster them; returns ``self``."""
        check_params(self)
        X, codes, groups = self._validate_fit_input(X, sensitive_features)
        check_two_groups(groups, "ScalableFairletDecomposition")
        k = check_n_clusters(self.n_clusters, X.shape[0])
        p, q = int(self.p), int(self.q)
        if p > q:
            raise ValueError(f"p must be at most q (balance p/q <= 1); got p={p}, q={q}.")
        rng = check_random_state(self.random_state)
        counts = np.bincount(codes, minlength=2)
        if not is_balanced(counts[0], counts[1], p, q):
            raise ValueError(
                f"No ({p}, {q})-fairlet decomposition exists: the groups have {counts[0]} and "
                f"{counts[1]} samples, a minority-to-majority ratio of {counts.min() / counts.max():.4g} "
                f"below p/q = {p / q:.4g}. Lower p or raise q."
            )
        fairlet, n_fairlets = tree_fairlet_decomposition(X, codes, p, q, rng)
        self.groups_ = groups
        return self._finish(X, fairlet, n_fairlets, k, rng, "kmedian")


class KMedian(_NearestCenterMixin, ClusterMixin, BaseEstimator):
    """Vanilla k-median (k-medoids, Euclidean): FasterPAM, CLARA-style beyond 5000 points.

    Parameters
    ----------
    n_clusters : int, default=8
    random_state : int, Generator or None

    Attributes
    ----------
    labels_, cluster_centers_, center_indices_, inertia_ (sum of distances to the medoids).
    """

    def __init__(self, n_clusters: int = 8, *, random_state: Any = None):
        self.n_clusters = n_clusters
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> KMedian:
        """Fit on ``X``; ``sensitive_features`` is accepted and ignored (vanilla method)."""
        X_in = X
        X = check_fit_array(X, "X")
        k = check_n_clusters(self.n_clusters, X.shape[0])
        rng = check_random_state(self.random_state)
        record_feature_names(self, X_in, reset=True)
        med = kmedian(X, k, rng)
        d = sq_distances(X, X[med])
        labels = d.argmin(1)
        labels[med] = np.arange(k)
        self.center_indices_ = med
        self.cluster_centers_ = X[med].copy()
        self.labels_ = labels
        self.inertia_ = float(np.sqrt(d[np.arange(X.shape[0]), labels]).sum())
        return self


@register_method(
    "fairlet", fair=True, description="fairlets by min-cost flow, then k-median/k-center (Chierichetti 2017)"
)
def _make_fairlet(n_clusters: int, random_state: int | None, **params: Any) -> FairletDecomposition:
    return FairletDecomposition(n_clusters=n_clusters, random_state=random_state, **params)


@register_method("sfd", fair=True, description="scalable fairlet decomposition on a quadtree + k-median (Backurs 2019)")
def _make_sfd(n_clusters: int, random_state: int | None, **params: Any) -> ScalableFairletDecomposition:
    return ScalableFairletDecomposition(n_clusters=n_clusters, random_state=random_state, **params)


@register_method("kmedian", fair=False, description="k-median (k-medoids FasterPAM; CLARA beyond 5000 points)")
def _make_kmedian(n_clusters: int, random_state: int | None, **params: Any) -> KMedian:
    return KMedian(n_clusters=n_clusters, random_state=random_state, **params)
