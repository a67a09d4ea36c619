"""Antidote data in the convex setting (Algorithm 1): sum-of-norms clustering and social cost.

Chhabra, Singla and Mohapatra, ``antidote-data-fair-clustering.txt`` section 3.1. The
lower level is sum-of-norms (SON) clustering (Lindsten et al. 2011; Hocking et al. 2011)

    C_SON(U) = argmin_mu  1/2 sum_j ||U_j - mu_j||^2 + lam sum_{i<j} ||mu_i - mu_j||,

strongly convex, so its KKT conditions characterise its solution. With ``I`` the
node-arc incidence matrix of the complete graph on the ``m = |U| + |V|`` points (``D = I^T``
below: one row ``e_i - e_j`` per pair), primal ``eta = D mu`` and dual ``zeta`` (one row per
pair), the single-level reduction of P1.R is

    min_{V, mu, eta, zeta}  F_social(mu, U)
    s.t.  mu - (U ∪ V) + D^T zeta = 0                       (stationarity)
          eta = D mu,   ||zeta_e|| <= lam                   (primal / dual feasibility)
          eta - gamma (eta + zeta) = 0,   0 <= gamma <= 1    (affine relaxation of the
                                                             proximal constraint)

The proximal constraint ``eta = max{0, 1 - lam / ||eta + zeta||} (eta + zeta)`` is the
only non-convex one; the paper replaces it by the affine ``eta = gamma (eta + zeta)``.
Here ``gamma`` is a fixed constant per solve (a grid of values is tried), which keeps the
problem convex for cvxpy; every candidate ``V`` is then checked by solving SON on
``U ∪ V`` exactly, and the true cost decides. ``F_social`` uses each point's own SON
center ``mu_j`` (SON has one center per point; clusters are groups of equal centers).

cvxpy is imported only here; ``O(m^2)`` pairs make this a method for small ``n``.
"""

from __future__ import annotations

import time
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import Interval, check_array, check_params, check_positive, check_sensitive_features, encode_labels

__all__ = ["SumOfNormsClustering", "ConvexAntidote", "son_social_cost"]


def _import_cvxpy():
    from .._optional import require

    return require("cvxpy", "the convex antidote setting (ConvexAntidote, SumOfNormsClustering)")


def _pair_difference_matrix(m: int) -> np.ndarray:
    """``D`` of shape (m(m-1)/2, m): row ``(i, j)``, ``i < j``, is ``e_i - e_j`` (``D = I^T``)."""
    i, j = np.triu_indices(m, 1)
    D = np.zeros((i.shape[0], m))
    rows = np.arange(i.shape[0])
    D[rows, i] = 1.0
    D[rows, j] = -1.0
    return D


def son_social_cost(U: Any, centers: Any, *, sensitive_features: Any) -> float:
    r"""Social fairness cost with one center per point (Definition 1 for SON clustering).

    .. math:: F_{social}(\mu, U) = \max_j \frac{1}{|\psi(U, j)|} \sum_{x_i \in \psi(U, j)} \|x_i - \mu_i\|^2

    ``centers`` has one row per row of ``U`` (SON's ``mu``). Lower is fairer.
    """
    U = check_array(U, "U")
    centers = check_array(centers, "centers")
    if centers.shape != U.shape:
        raise ValueError(f"centers must have the shape of U {U.shape} (one SON center per point); got {centers.shape}.")
    codes, _ = encode_labels(check_sensitive_features(sensitive_features, U.shape[0]), "sensitive_features")
    dist = ((U - centers) ** 2).sum(1)
    return float((np.bincount(codes, weights=dist) / np.bincount(codes)).max())


class SumOfNormsClustering(BaseEstimator):
    """Sum-of-norms (convex) clustering, solved exactly with cvxpy.

    ``min_mu 1/2 sum_j ||x_j - mu_j||^2 + lam sum_{i<j} ||mu_i - mu_j||``. Points whose
    centers coincide (within ``tol`` times the data scale) form one cluster; larger ``lam``
    fuses more.

    Parameters
    ----------
    lam : float, default=1.0
        Fusion strength ``lambda`` (> 0).
    tol : float, default=1e-3
        Relative distance under which two centers count as equal.
    solver : str or None
        A cvxpy solver name; ``None`` lets cvxpy choose.

    Attributes
    ----------
    centers_ : ndarray of shape (n_samples, n_features)
        ``mu``, one center per point.
    labels_ : ndarray of shape (n_samples,)
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Mean of ``mu`` over each cluster.
    """

    def __init__(self, lam: float = 1.0, *, tol: float = 1e-3, solver: str | None = None) -> None:
        self.lam = lam
        self.tol = tol
        self.solver = solver

    def fit(self, X: Any, y: Any = None) -> SumOfNormsClustering:
        cp = _import_cvxpy()
        X = check_array(X, "X", min_samples=2)
        lam = check_positive(self.lam, "lam")
        tol = check_positive(self.tol, "tol")
        n, d = X.shape
        D = _pair_difference_matrix(n)
        mu = cp.Variable((n, d))
        objective = 0.5 * cp.sum_squares(X - mu) + lam * cp.sum(cp.norm(D @ mu, 2, axis=1))
        problem = cp.Problem(cp.Minimize(objective))
        problem.solve(solver=self.solver)
        if mu.value is None:
            raise ValueError(f"the SON problem could not be solved (cvxpy status {problem.status}).")
        M = np.asarray(mu.value)
        self.centers_ = M
        self.labels_ = _fuse(M, tol * (1.0 + float(np.ptp(X, axis=0).max())))
        _, codes = np.unique(self.labels_, return_inverse=True)
        self.cluster_centers_ = np.stack([M[codes == c].mean(0) for c in range(codes.max() + 1)])
        self.objective_ = float(problem.value)
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_


def _fuse(M: np.ndarray, eps: float) -> np.ndarray:
    """Connected components of the graph joining centers closer than ``eps``."""
    from scipy.sparse.csgraph import connected_components

    close = ((M[:, None, :] - M[None, :, :]) ** 2).sum(-1) <= eps**2
    return connected_components(close, directed=False)[1].astype(np.int64)


class ConvexAntidote(BaseEstimator):
    """Antidote data for SON clustering and the social cost: Algorithm 1 (KKT reduction).

    For ``|V| = V_s`` the single-level reduction (module docstring) is solved with cvxpy
    for each ``gamma`` in ``gammas``; each candidate ``V`` is verified by exact SON on
    ``U ∪ V``. ``V_s`` grows by ``step`` until the cost meets ``alpha`` or passes
    ``max_size``. Small ``n`` only (``O((n + |V|)^2)`` pair variables).

    Parameters
    ----------
    lam : float, default=1.0
        SON's ``lambda``.
    alpha : float or None, default=None
        Target social cost; ``None`` means strictly below the vanilla SON cost.
    initial_size, step, max_size : int, default 1, 1, 5
        ``V_s``, ``xi`` and the largest size tried.
    gammas : sequence of float in (0, 1), default=(0.5, 0.9, 0.99)
        Values of the relaxation parameter ``gamma`` tried per size.
    bounded : bool, default=True
        ``V`` in the bounding box of ``U`` (else unbounded).
    solver : str or None
        cvxpy solver name.

    Attributes
    ----------
    antidote_, antidote_fraction_, alpha_, cost_before_, cost_after_, met_, labels_,
    centers_ (SON centers of ``U`` with ``V``), history_ (per size: ``size``,
    ``relaxed_cost``, ``cost``, ``best_cost``), n_solves_, seconds_.
    """

    _parameter_constraints: dict = {
        "lam": [Interval(Real, 0, np.inf, closed="neither")],
        "alpha": [Interval(Real, -np.inf, np.inf, closed="neither"), None],
        "initial_size": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left")],
        "max_size": [Interval(Integral, 1, None, closed="left")],
        "gammas": "no_validation",  # a number or a list in (0, 1): checked in fit
        "bounded": "no_validation",
        "solver": "no_validation",  # cvxpy checks the solver name
    }

    def __init__(
        self,
        lam: float = 1.0,
        *,
        alpha: float | None = None,
        initial_size: int = 1,
        step: int = 1,
        max_size: int = 5,
        gammas: tuple[float, ...] = (0.5, 0.9, 0.99),
        bounded: bool = True,
        solver: str | None = None,
    ) -> None:
        self.lam = lam
        self.alpha = alpha
        self.initial_size = initial_size
        self.step = step
        self.max_size = max_size
        self.gammas = gammas
        self.bounded = bounded
        self.solver = solver

    def _son(self, X: np.ndarray) -> SumOfNormsClustering:
        return SumOfNormsClustering(self.lam, solver=self.solver).fit(X)

    def _reduction(self, U: np.ndarray, codes: np.ndarray, size: int, gamma: float) -> tuple[np.ndarray, float] | None:
        """Solve the relaxed single-level problem for fixed ``|V|`` and ``gamma``."""
        cp = _import_cvxpy()
        n, d = U.shape
        m = n + size
        D = _pair_difference_matrix(m)
        V = cp.Variable((size, d))
        mu = cp.Variable((m, d))
        zeta = cp.Variable((D.shape[0], d))
        eta = D @ mu
        constraints = [
            mu - cp.vstack([U, V]) + D.T @ zeta == 0,  # stationarity of SON
            cp.norm(zeta, 2, axis=1) <= self.lam,  # dual feasibility (subgradient of lam ||.||)
            eta - gamma * (eta + zeta) == 0,  # affine relaxation of the proximal constraint
        ]
        if self.bounded:
            lo, hi = U.min(0), U.max(0)
            constraints += [V >= np.tile(lo, (size, 1)), V <= np.tile(hi, (size, 1))]
        group_costs = [
            cp.sum_squares(U[codes == g] - mu[:n][codes == g]) / float((codes == g).sum())
            for g in range(codes.max() + 1)
        ]
        problem = cp.Problem(cp.Minimize(cp.maximum(*group_costs)), constraints)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problem.solve(solver=self.solver)
        except cp.error.SolverError:
            return None
        if V.value is None or problem.status not in ("optimal", "optimal_inaccurate"):
            return None
        return np.asarray(V.value), float(problem.value)

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> ConvexAntidote:
        start = time.perf_counter()
        check_params(self)
        U = check_array(X, "X", min_samples=2)
        s = check_sensitive_features(sensitive_features, U.shape[0])
        codes, _ = encode_labels(s, "sensitive_features")
        n, d = U.shape
        initial, step, max_size = int(self.initial_size), int(self.step), int(self.max_size)
        gammas = [float(g) for g in np.atleast_1d(self.gammas)]
        if not gammas or not all(0.0 < g < 1.0 for g in gammas):
            raise ValueError(f"gammas must be values in (0, 1); got {self.gammas!r}.")

        def true_cost(V: np.ndarray) -> tuple[float, SumOfNormsClustering]:
            model = self._son(np.vstack([U, V]) if V.shape[0] else U)
            return son_social_cost(U, model.centers_[:n], sensitive_features=s), model

        cost_before, model = true_cost(np.empty((0, d)))
        solves = 1
        strict = self.alpha is None
        alpha = cost_before if self.alpha is None else float(self.alpha)

        def met(c: float) -> bool:
            return c < alpha if strict else c <= alpha

        best_V, best_cost, best_model = np.empty((0, d)), cost_before, model
        history: list[dict[str, float]] = []
        if met(cost_before):
            warnings.warn(
                f"vanilla SON clustering already meets alpha={alpha:.6g}; no antidote data is needed.",
                UserWarning,
                stacklevel=2,
            )
        else:
            size = initial
            while size <= max_size:
                relaxed_best, size_best = np.nan, np.inf
                for gamma in gammas:
                    out = self._reduction(U, codes, size, gamma)
                    solves += 1
                    if out is None:
                        continue
                    V, relaxed = out
                    cost, cand_model = true_cost(V)
                    solves += 1
                    if cost < size_best:
                        size_best, relaxed_best = cost, relaxed
                    if cost < best_cost:
                        best_V, best_cost, best_model = V, cost, cand_model
                history.append({"size": size, "relaxed_cost": relaxed_best, "cost": size_best, "best_cost": best_cost})
                if met(best_cost):
                    break
                size += step

        self.alpha_ = float(alpha)
        self.antidote_ = best_V
        self.antidote_fraction_ = best_V.shape[0] / n
        self.cost_before_ = float(cost_before)
        self.cost_after_ = float(best_cost)
        self.met_ = bool(met(best_cost)) or (not strict and met(cost_before))
        self.centers_ = best_model.centers_[:n]
        self.labels_ = best_model.labels_[:n]
        self.history_ = history
        self.n_solves_ = solves
        self.seconds_ = time.perf_counter() - start
        return self
