"""Antidote data for general center-based clustering and fairness costs (Algorithm 2).

Chhabra, Singla and Mohapatra, *Fair Clustering Using Antidote Data* (``antidote-data-
fair-clustering.txt``, section 3.2, Algorithm 2; thesis 3.1). Given data ``U``, a
center-based clusterer ``C`` and a group fairness cost ``F(mu, U)``, find a small set
``V`` such that the centers ``mu = C(U ∪ V)`` make ``F(mu, U) <= alpha``. The size of
``V`` is fixed to ``V_s`` and ``V`` is optimized by Sequential Random Embedding around
RACOS (problem P1.R); if the cost is not reached, ``V_s`` grows by ``xi`` (``step``).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import joblib
import numpy as np
from sklearn.base import BaseEstimator, clone

from .._distances import sq_distances
from .._validation import (
    Interval,
    check_array,
    check_bounds,
    check_choice,
    check_n_clusters,
    check_n_features,
    check_params,
    check_positive,
    check_random_state,
    check_sensitive_features,
    seed_from,
)

__all__ = ["AntidoteData", "UnnormalizedSpectralClustering", "antidote_for_centers", "fairness_cost"]

_FAIRNESS = ("balance", "social")
_CLUSTERERS = ("kmeans", "spectral")


def fairness_cost(fairness: str | Callable, X: np.ndarray, centers: np.ndarray, sensitive: np.ndarray) -> float:
    """``F(mu, U)`` by name (``"balance"``: Definition 2, ``"social"``: Definition 1) or callable.

    A callable is called as ``fairness(centers, U, sensitive)``; lower is fairer. A result
    that is not a finite number raises ``ValueError``.
    """
    from ..metrics import balance_cost, social_fairness_cost

    if callable(fairness):
        try:
            value = float(fairness(centers, X, sensitive))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"fairness callable must return a number; {type(exc).__name__}: {exc}") from None
        if not np.isfinite(value):
            raise ValueError(
                f"fairness callable returned {value} for {centers.shape[0]} center(s); "
                "it must return a finite cost (lower is fairer)."
            )
        return value
    check_choice(fairness, _FAIRNESS, "fairness")
    if fairness == "balance":
        return balance_cost(X, centers, sensitive_features=sensitive)
    return social_fairness_cost(X, centers, sensitive_features=sensitive)


class UnnormalizedSpectralClustering(BaseEstimator):
    """Unnormalized spectral clustering (ratio cut, ``L = D - W``) on a symmetric kNN graph.

    The vanilla counterpart of :class:`robustfair.cluster.FairSpectralClustering` with
    ``variant="unnormalized"`` (same graph, no fairness constraint): the ``k`` eigenvectors
    of ``L`` with the smallest eigenvalues, then k-means on their rows. ``cluster_centers_``
    are the means of the clustered points (the antidote paper, Combination #3).
    """

    def __init__(self, n_clusters: int = 2, *, n_neighbors: int = 10, random_state: Any = None) -> None:
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> UnnormalizedSpectralClustering:
        import scipy.sparse as sp
        from scipy.linalg import eigh
        from sklearn.cluster import KMeans
        from sklearn.neighbors import kneighbors_graph

        X = check_array(X, "X", min_samples=2)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        nn = int(check_positive(self.n_neighbors, "n_neighbors", integer=True))
        if n <= nn:
            raise ValueError(f"n_neighbors={nn} needs more than {nn} samples; got {n}.")
        A = kneighbors_graph(X, nn, mode="connectivity", include_self=False)
        W = A.maximum(A.T)
        deg = np.asarray(W.sum(1)).ravel()
        L = (sp.diags(deg) - W).toarray()
        _, H = eigh(L, subset_by_index=[0, k - 1])
        seed = seed_from(check_random_state(self.random_state))
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(H)
        self.labels_ = labels.astype(np.int64)
        self.cluster_centers_ = _label_means(X, self.labels_)
        self.embedding_ = H
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_


def _label_means(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Means of the points of each non-empty cluster (rows in sorted label order)."""
    _, codes = np.unique(labels, return_inverse=True)
    codes = codes.ravel()
    counts = np.bincount(codes).astype(float)
    sums = np.zeros((counts.shape[0], X.shape[1]))
    np.add.at(sums, codes, X)
    return sums / counts[:, None]


class AntidoteData(BaseEstimator):
    """Antidote data for fair clustering: Algorithm 2 of Chhabra et al. (general ``C`` and ``F``).

    Adds a few points ``V`` to the data ``U`` so that a vanilla clusterer run on
    ``U ∪ V`` gives centers ``mu`` with a lower fairness cost ``F(mu, U)`` on the original
    data only. For a fixed size ``|V| = V_s`` the ``V_s * d`` coordinates are optimized
    by Sequential Random Embedding with RACOS (``robustfair.optim.minimize``, problem P1.R);
    the outer loop grows ``V_s`` by ``step`` until ``F <= alpha`` (Algorithm 2, line 6), the
    size passes ``max_size`` or the time passes ``time_budget``.

    Parameters
    ----------
    clusterer : {"kmeans", "spectral"} or estimator, default="kmeans"
        ``"kmeans"``: scikit-learn k-means. ``"spectral"``:
        :class:`UnnormalizedSpectralClustering`, centers = cluster means. An estimator is
        cloned and fitted on ``U ∪ V`` for every query; its ``cluster_centers_`` are the
        centers, or, without them, the means of ``U``'s points per ``labels_``.
    n_clusters : int, default=2
        ``k`` for the named clusterers (an estimator keeps its own).
    fairness : {"balance", "social"} or callable, default="balance"
        ``F(mu, U)``: balance cost (Definition 2, in [-1, 0]) or social fairness cost
        (Definition 1), or ``fairness(centers, U, sensitive) -> float``. Lower is fairer.
    alpha : float or None, default=None
        Target cost. ``None``: improve on vanilla clustering, i.e. stop at the first
        ``V`` with ``F < F(vanilla)`` (Table 1 of the paper). A number: stop when
        ``F <= alpha`` (Table 2 uses the fair baseline's cost); when vanilla clustering
        already meets it, ``V`` is empty and a ``UserWarning`` says so.
    initial_size : int, default=10
        ``V_s``, the first size tried.
    low_dimension : int, default=100
        ``n'``, the dimension of SRE's random embedding. When ``|V| * d <= n'`` the box is
        searched directly by RACOS (an embedding would not reduce anything).
    step : int, default=1
        ``xi``, growth of ``|V|`` per outer iteration.
    max_size : int or None, default=None
        Largest ``|V|`` tried; ``None`` means ``initial_size + 10 * step``.
    time_budget : float or None, default=None
        Seconds after which no new size is started.
    budget_per_size : int, default=100
        Clusterer queries per size.
    bounded : bool, default=True
        Search ``V`` in the bounding box of ``U``; ``False`` widens it to three times the
        box's width around its center.
    box_quantile : float in [0, 0.5), default=0.0
        Use the ``[q, 1 - q]`` per-feature quantiles of ``U`` as the box instead of its
        minimum and maximum (heavy-tailed features such as bank's ``balance`` make the
        full box mostly empty space).
    method : str, default="sre"
        Any ``robustfair.optim`` method for a Box (``"sre"``, ``"racos"``, ``"cma"``,
        ``"rbf"``, ``"random"``).
    warm_start : bool, default=True
        For ``clusterer="kmeans"``: every query runs one k-means (``n_init=1``) started
        from the vanilla centers, so queries are cheap (bank has 45k points) and ``F`` is a
        deterministic function of ``V``. ``False`` runs ``n_init=10`` k-means++ with a
        fixed seed per query (C as a black box, the paper's setting), polished to a Lloyd
        fixed point as vanilla is. A few antidote points can then change which restart
        wins, which a warm start never does (adult #1 in ``docs/antidote.md``).
    num_sre : int, default=5
        Number of sequential embeddings (SRE rounds) per size.
    coincident_budget : int, default=0
        Queries spent per size, before the full search, on antidote sets of ``|V|`` copies
        of one point: a ``d``-dimensional search (RACOS) instead of a ``|V| d``-dimensional
        one (ours, not in the paper). Stacked points pull one center with ``|V|`` times the
        weight of a single point, which is what moves a warm-started Lloyd run out of a
        poor local optimum; uniform samples of the full box almost never stack them. The
        better of the two searches is kept. ``0`` skips the phase.
    center_budget : int, default=0
        Queries spent per size, after the other searches, on antidote sets built from
        candidate centers (ours, not in the paper): for centers ``c``, ``U`` is split by
        nearest ``c`` and cluster ``j`` gets about ``|V| / k`` copies of the point that
        makes ``c_j`` the mean of its points of ``U`` plus those copies, clipped to the box
        (:func:`antidote_for_centers`). CMA-ES searches ``c`` (``k d`` coordinates, however
        large ``|V|`` is) from the vanilla centers with a small step (``sigma0=0.01`` of the
        box). The clusterer still decides the centers; the parametrization only proposes
        ``V``. This is the search that reaches a fair baseline's cost when ``|V|`` is a
        sizeable share of ``|U|`` (the paper's Table 2 fractions). ``0`` skips the phase.
    n_jobs : int, default=1
        Passed to ``minimize``; methods that evaluate batches (random, cma, rbf) use it.
        Batches run in threads unless a joblib backend is set by the caller
        (``benchmarks/bench_antidote.py``: 1.35-1.41x on 2 cores for k-means queries on bank
        and creditcard; worker processes were slower than one core there).
    random_state : int, Generator or None

    Attributes
    ----------
    antidote_ : ndarray of shape (n_antidote, n_features)
        ``V`` (empty when vanilla clustering already meets ``alpha``).
    antidote_fraction_ : float
        ``|V| / |U|``.
    alpha_ : float
        The target cost used.
    cost_before_, cost_after_ : float
        ``F`` of vanilla clustering on ``U`` and of clustering ``U ∪ V``.
    met_ : bool
        Whether the target was reached.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each point of ``U`` when clustering ``U ∪ V``.
    cluster_centers_ : ndarray
        ``mu = C(U ∪ V)``.
    quality_before_, quality_after_ : dict
        ``silhouette``, ``calinski_harabasz``, ``davies_bouldin`` of the partition of ``U``.
    history_ : list of dict
        Per size tried: ``size``, ``cost``, ``queries``, ``seconds``.
    n_queries_ : int
        Clusterer queries (vanilla clustering included).
    seconds_ : float
        Wall time of ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> U = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(4, 1, (60, 2))])
    >>> s = np.r_[np.zeros(50), np.ones(10), np.zeros(10), np.ones(50)].astype(int)
    >>> ad = AntidoteData(n_clusters=2, initial_size=2, budget_per_size=40, max_size=3,
    ...                   random_state=0).fit(U, sensitive_features=s)
    >>> ad.cost_after_ <= ad.cost_before_
    True
    """

    _parameter_constraints: dict = {
        "clusterer": "no_validation",  # a name or an estimator: checked by _make_centers_fn
        "n_clusters": "no_validation",  # check_n_clusters, with the number of samples
        "fairness": "no_validation",  # a name or a callable: checked in fit
        "alpha": [Interval(Real, -np.inf, np.inf, closed="neither"), None],
        "initial_size": [Interval(Integral, 1, None, closed="left")],
        "low_dimension": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left")],
        "max_size": [Interval(Integral, 1, None, closed="left"), None],
        "time_budget": [Interval(Real, 0, np.inf, closed="neither"), None],
        "budget_per_size": [Interval(Integral, 1, None, closed="left")],
        "bounded": ["boolean"],
        "box_quantile": [Interval(Real, 0, 0.5, closed="left")],
        "method": "no_validation",  # optim.minimize checks the search method
        "warm_start": ["boolean"],
        "num_sre": "no_validation",
        "coincident_budget": [Interval(Integral, 0, None, closed="left")],
        "center_budget": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": "no_validation",
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        clusterer: str | Any = "kmeans",
        n_clusters: int = 2,
        *,
        fairness: str | Callable = "balance",
        alpha: float | None = None,
        initial_size: int = 10,
        low_dimension: int = 100,
        step: int = 1,
        max_size: int | None = None,
        time_budget: float | None = None,
        budget_per_size: int = 100,
        bounded: bool = True,
        box_quantile: float = 0.0,
        method: str = "sre",
        warm_start: bool = True,
        num_sre: int = 5,
        coincident_budget: int = 0,
        center_budget: int = 0,
        n_jobs: int = 1,
        random_state: Any = None,
    ) -> None:
        self.clusterer = clusterer
        self.n_clusters = n_clusters
        self.fairness = fairness
        self.alpha = alpha
        self.initial_size = initial_size
        self.low_dimension = low_dimension
        self.step = step
        self.max_size = max_size
        self.time_budget = time_budget
        self.budget_per_size = budget_per_size
        self.bounded = bounded
        self.box_quantile = box_quantile
        self.method = method
        self.warm_start = warm_start
        self.num_sre = num_sre
        self.coincident_budget = coincident_budget
        self.center_budget = center_budget
        self.n_jobs = n_jobs
        self.random_state = random_state

    # -- the lower level: mu = C(U ∪ V) ------------------------------------------------

    def _make_centers_fn(
        self, U: np.ndarray, seed: int
    ) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]:
        """Return ``cluster(UV) -> (centers, labels of U)``, deterministic in ``UV``."""
        n = U.shape[0]
        clusterer = self.clusterer
        if isinstance(clusterer, str):
            check_choice(clusterer, _CLUSTERERS, "clusterer")
            k = check_n_clusters(self.n_clusters, n)
            if clusterer == "kmeans":
                from sklearn.cluster import KMeans

                # tol=0: Lloyd runs until no label changes, so the vanilla centers are a fixed
                # point and a warm-started query on U alone returns them unchanged. With the
                # default tolerance a query keeps iterating from centers that stopped early and
                # lands elsewhere, so every V looked worse than vanilla by that offset.
                # The restarts are chosen with the default tolerance, then polished to the fixed point.
                best = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(U)
                vanilla = KMeans(n_clusters=k, init=best.cluster_centers_, n_init=1, tol=0.0).fit(U)
                init = vanilla.cluster_centers_

                def run(UV: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                    if UV.shape[0] == n:
                        return vanilla.cluster_centers_, vanilla.labels_
                    if self.warm_start:
                        km = KMeans(n_clusters=k, init=init, n_init=1, tol=0.0).fit(UV)
                    else:
                        # restarts as for vanilla, then polished to a Lloyd fixed point like
                        # vanilla; unpolished, the default tolerance's jitter hides small gains
                        best_uv = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(UV)
                        km = KMeans(n_clusters=k, init=best_uv.cluster_centers_, n_init=1, tol=0.0).fit(UV)
                    return km.cluster_centers_, km.labels_[:n]

                return run
            estimator: Any = UnnormalizedSpectralClustering(k, random_state=seed)
        else:
            estimator = clusterer
            if not hasattr(estimator, "fit"):
                raise ValueError(
                    f"clusterer must be 'kmeans', 'spectral' or an estimator with fit(X); "
                    f"got {type(estimator).__name__}."
                )

        def run_estimator(UV: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
            model = clone(estimator)
            if "random_state" in model.get_params():
                model.set_params(random_state=seed)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Graph is not fully connected")
                model.fit(UV)
            labels = getattr(model, "labels_", None)
            centers = getattr(model, "cluster_centers_", None)
            if labels is None and hasattr(model, "predict"):
                labels = model.predict(UV)
            if centers is None and labels is None:
                raise ValueError(
                    f"clusterer {type(model).__name__} exposes neither cluster_centers_ nor labels_ "
                    "after fit; antidote data needs cluster centers (or labels to average)."
                )
            if labels is not None:
                labels = np.asarray(labels)[:n]
            if centers is None:
                assert labels is not None  # one of the two exists (checked above)
                centers = _label_means(U, labels)  # centers = means of U's points per cluster
            return np.asarray(centers, dtype=float), labels

        return run_estimator

    # -- Algorithm 2 --------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> AntidoteData:
        """Find antidote data ``V`` for ``U = X``; fairness is measured on ``X`` only."""
        from ..optim import Box

        start = time.perf_counter()
        check_params(self)
        U = check_array(X, "X", min_samples=2)
        s = check_sensitive_features(sensitive_features, U.shape[0])
        n, d = U.shape
        fairness = self.fairness
        if not callable(fairness):
            check_choice(fairness, _FAIRNESS, "fairness")
        initial, step = int(self.initial_size), int(self.step)
        max_size = initial + 10 * step if self.max_size is None else int(self.max_size)
        budget = int(self.budget_per_size)
        coincident_budget, center_budget = int(self.coincident_budget), int(self.center_budget)
        low_dim = int(self.low_dimension)
        time_budget = None if self.time_budget is None else float(self.time_budget)
        rng = check_random_state(self.random_state)
        seed = seed_from(rng)

        cluster = self._make_centers_fn(U, seed)
        queries = 0

        def cost_of(V: np.ndarray) -> tuple[float, np.ndarray, np.ndarray | None]:
            nonlocal queries
            queries += 1
            UV = U if V.shape[0] == 0 else np.vstack([U, V])
            centers, labels = cluster(UV)
            return fairness_cost(fairness, U, centers, s), centers, labels

        cost_before, centers0, labels0 = cost_of(np.empty((0, d)))
        strict = self.alpha is None
        alpha = cost_before if self.alpha is None else float(self.alpha)

        def met(cost: float) -> bool:
            return cost < alpha if strict else cost <= alpha

        q = float(self.box_quantile)
        lo, hi = np.quantile(U, q, axis=0), np.quantile(U, 1.0 - q, axis=0)
        hi = np.maximum(hi, lo + 1e-12 * (1.0 + np.abs(lo)))  # a constant column stays searchable
        if not self.bounded:
            mid, half = (lo + hi) / 2, (hi - lo) / 2
            lo, hi = mid - 3 * half, mid + 3 * half

        best_V, best_cost = np.empty((0, d)), cost_before
        history: list[dict[str, float]] = []
        if met(cost_before):
            warnings.warn(
                f"vanilla clustering already meets alpha={alpha:.6g} (cost {cost_before:.6g}); "
                "no antidote data is needed.",
                UserWarning,
                stacklevel=2,
            )
        else:
            size = initial
            while size <= max_size:
                if time_budget is not None and time.perf_counter() - start > time_budget:
                    break
                t0, q0 = time.perf_counter(), queries

                def spread(v: np.ndarray, size: int = size) -> float:
                    return float(cost_of(v.reshape(size, d))[0])

                def stacked(p: np.ndarray, size: int = size) -> float:
                    return float(cost_of(np.repeat(p[None, :], size, axis=0))[0])

                res = self._search(spread, Box(np.tile(lo, size), np.tile(hi, size)), budget, low_dim, rng)
                used = res.n_queries
                V = np.asarray(res.x, dtype=float).reshape(size, d)
                if coincident_budget:
                    # |V| copies of one point: a d-dimensional search (see coincident_budget)
                    res_c = self._search(stacked, Box(lo, hi), coincident_budget, low_dim, rng)
                    used += res_c.n_queries
                    if res_c.fun < res.fun:
                        res, V = res_c, np.repeat(np.asarray(res_c.x, dtype=float)[None, :], size, axis=0)
                if center_budget:
                    # V proposed from candidate centers: a k*d-dimensional search (see center_budget)
                    k_c = centers0.shape[0]

                    def from_centers(c: np.ndarray, size: int = size, k_c: int = k_c) -> np.ndarray:
                        return antidote_for_centers(U, c.reshape(k_c, d), size, lo, hi)

                    res_t = self._search(
                        lambda c: cost_of(from_centers(c))[0],
                        Box(np.tile(lo, k_c), np.tile(hi, k_c)),
                        center_budget,
                        low_dim,
                        rng,
                        method="cma",
                        options={"x0": np.asarray(centers0, dtype=float).ravel(), "sigma0": 0.01},
                    )
                    used += res_t.n_queries
                    if res_t.fun < res.fun:
                        res, V = res_t, from_centers(np.asarray(res_t.x, dtype=float))
                if self.n_jobs != 1:
                    queries = q0 + used  # queries in worker processes are not seen here
                history.append(
                    {"size": size, "cost": float(res.fun), "queries": queries - q0, "seconds": time.perf_counter() - t0}
                )
                if res.fun < best_cost:
                    best_V, best_cost = V, float(res.fun)
                if met(res.fun):
                    best_V, best_cost = V, float(res.fun)
                    break
                size += step

        cost_after, centers, labels = cost_of(best_V)
        self.alpha_ = float(alpha)
        self.antidote_ = best_V
        self.antidote_fraction_ = best_V.shape[0] / n
        self.cost_before_ = float(cost_before)
        self.cost_after_ = float(cost_after)
        self.met_ = bool(met(cost_after)) or (not strict and met(cost_before))
        self.cluster_centers_ = np.asarray(centers)
        self.labels_ = self._labels_of_U(U, centers, labels)
        self.quality_before_ = _quality(U, self._labels_of_U(U, centers0, labels0), seed)
        self.quality_after_ = _quality(U, self.labels_, seed)
        self.history_ = history
        self.n_queries_ = int(queries)
        self.seconds_ = time.perf_counter() - start
        return self

    def _search(
        self,
        objective: Callable[[np.ndarray], float],
        space: Any,
        budget: int,
        low_dim: int,
        rng: np.random.Generator,
        method: str | None = None,
        options: dict | None = None,
    ) -> Any:
        """One ``robustfair.optim.minimize`` run over ``space`` (this estimator's method by default)."""
        from ..optim import minimize

        method, options = (self.method, {}) if method is None else (method, dict(options or {}))
        if method == "sre":
            if space.dim <= low_dim:
                method = "racos"  # nothing to embed: search the box itself
            else:
                options = {"low_dimension": low_dim, "num_sre": self.num_sre}
        # Threads by default: the queries are scikit-learn/numpy code that releases the GIL,
        # and threads need no copy of U per worker (processes were slower on bank).
        with joblib.parallel_config(prefer="threads"):
            return minimize(
                objective,
                space,
                method=method,
                budget=budget,
                random_state=seed_from(rng),
                n_jobs=self.n_jobs,
                **options,
            )

    @staticmethod
    def _labels_of_U(U: np.ndarray, centers: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
        if labels is not None:
            return np.asarray(labels)
        return sq_distances(U, np.asarray(centers, dtype=np.float64)).argmin(1)


def antidote_for_centers(
    U: np.ndarray, centers: np.ndarray, size: int, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Antidote points that make ``centers`` the means of their clusters (ours, not in the paper).

    ``U`` is split by nearest center; cluster ``j`` (``n_j`` points summing to ``S_j``) gets
    ``m_j`` copies (``size`` shared as evenly as possible) of ``p_j = ((n_j + m_j) c_j - S_j) /
    m_j``, so that the mean of its points and the copies is ``c_j``. ``p_j`` is clipped to
    ``[lower, upper]``: when the box is too small for ``size`` copies to pull that far, the
    clipped stack pulls as far as it can. Returns an array of shape ``(size, d)``.

    Raises
    ------
    ValueError
        Naming the argument when ``U`` or ``centers`` hold NaN or disagree in width,
        ``size`` is not a positive int, or the box is empty (``lower > upper`` anywhere).
    """
    from sklearn.metrics import pairwise_distances_argmin

    U = check_array(U, "U")
    centers = check_n_features(check_array(centers, "centers"), U.shape[1], "centers", fitted_on="U has")
    size = int(check_positive(size, "size", integer=True))
    lower, upper = check_bounds(lower, upper, U.shape[1])
    k = centers.shape[0]
    nearest = pairwise_distances_argmin(U, centers)
    counts = np.bincount(nearest, minlength=k).astype(float)
    sums = np.eye(k)[nearest].T @ U
    sizes = np.full(k, size // k)
    sizes[: size % k] += 1
    points = ((counts + sizes)[:, None] * centers - sums) / np.maximum(sizes, 1)[:, None]
    return np.repeat(np.clip(points, lower, upper), sizes, axis=0)


def _quality(U: np.ndarray, labels: np.ndarray, seed: int) -> dict[str, float]:
    """Silhouette (on at most 5,000 sampled points), Calinski-Harabasz, Davies-Bouldin on ``U``."""
    from ..metrics import calinski_harabasz, davies_bouldin, silhouette

    if np.unique(labels).shape[0] < 2 or np.unique(labels).shape[0] >= U.shape[0]:
        return {"silhouette": float("nan"), "calinski_harabasz": float("nan"), "davies_bouldin": float("nan")}
    sample = min(U.shape[0], 5000)
    return {
        "silhouette": silhouette(U, labels, sample_size=sample, random_state=seed),
        "calinski_harabasz": calinski_harabasz(U, labels),
        "davies_bouldin": davies_bouldin(U, labels),
    }
