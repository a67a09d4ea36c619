"""Fair assignment of points to given centers (Bera et al., NeurIPS 2019).

Bera, Chakrabarty, Flores and Negahbani, *Fair Algorithms for Clustering*, NeurIPS 2019.
Given centers (from vanilla k-means, k-median or k-center, or passed in), every point is
assigned so that in each cluster ``C_i`` the share of every group ``h`` lies in
``[beta_h, alpha_h]``:

    beta_h |C_i| <= |C_i ∩ h| <= alpha_h |C_i|,   alpha_h = r_h / (1 - delta),  beta_h = r_h (1 - delta)

with ``r_h`` the share of group ``h`` in the data (the paper's experimental setting). The
LP relaxation (``x_ij`` = fraction of point ``j`` sent to center ``i``, cost
``sum d(j, i)^p x_ij``) is solved with HiGHS, then rounded by the paper's iterative
rounding (Section 4, Theorem 2), which keeps every count within ``4 Delta + 3`` of the
bounds (``Delta = 1`` here: each point belongs to one group, so the additive violation is
at most 7).

Scale. The LP has ``n k`` variables. Written with the fairness rows over the ``x`` it
has ``(1 + 2 G) n k`` nonzeros; we add the ``k G`` counts ``N_ih`` as variables, so every
``x`` column has two nonzeros and the fairness rows touch only the counts ("sparse LP",
``_restricted_lp_arrays``; :func:`lp_size` gives its size). HiGHS solves it whole up to
``_DIRECT_LP_SIZE`` = 2,000,000 columns (Adult, 32,561 x 10: a few seconds). Beyond, the
*same* LP is solved by column generation: the multipliers of the count rows from the LP
on a sample tell which points can sit only at one center; those are fixed, the LP over
the remaining points is solved, and its duals price *every* column. Points whose columns
price negative are added back and the LP is re-solved until no column prices negative, so
the result is an optimal vertex of the full LP, not an approximation.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from sklearn.base import BaseEstimator

from .._distances import sq_distances
from .._validation import (
    Interval,
    StrOptions,
    check_array,
    check_choice,
    check_n_clusters,
    check_params,
    check_random_state,
    seed_from,
)
from ._base import FairClusteringMixin
from ._registry import register_method

__all__ = ["FairAssignment"]

_CENTER_METHODS = ("kmeans", "kmedian", "kcenter")
# Solve the whole (sparse) LP directly up to this many columns (n * k); column generation above.
_DIRECT_LP_SIZE = 2_000_000


def _gonzalez_kcenter(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Farthest-first traversal (Gonzalez 1985), the 2-approximation for k-center."""
    idx = [int(rng.integers(X.shape[0]))]
    dist = sq_distances(X, X[idx])[:, 0]
    for _ in range(1, k):  # k sequential choices; each is one vectorized pass over X
        nxt = int(np.argmax(dist))
        idx.append(nxt)
        dist = np.minimum(dist, sq_distances(X, X[nxt : nxt + 1])[:, 0])
    return X[idx].copy()


def _vanilla_centers(method: str, X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    if method == "kcenter":
        return _gonzalez_kcenter(X, k, rng)
    seed = seed_from(rng)
    if method == "kmedian":
        # The library's vanilla k-median (k-medoids); its errors are the caller's to see,
        # never a silent switch to k-means centers.
        from ._fairlets import KMedian

        return np.asarray(KMedian(n_clusters=k, random_state=seed).fit(X).cluster_centers_, dtype=float)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=3, random_state=seed).fit(X).cluster_centers_


def _restricted_lp_arrays(cols_point_local, cols_center, gj, n_free, k, G, alpha, beta, n_fixed_ig):
    """The sparse LP over free columns: (A_ub, b_ub, A_eq, b_eq), columns ``x`` then ``N``.

    Variables: one ``x`` per free (point, candidate center) column, then the counts
    ``N_ih`` (``k G`` of them). Rows: every free point assigned once; ``N_ih`` equals the
    free mass of group ``h`` at center ``i`` plus its fixed points; and the fairness rows
    ``N_ih - alpha_h S_i <= 0``, ``beta_h S_i - N_ih <= 0`` with ``S_i = sum_h N_ih``, on the
    ``N`` only. Every ``x`` column has two nonzeros (instead of ``1 + 2 G`` when the
    fairness rows are written over the ``x``), so nnz is ``2 m + 2 k G^2``.
    """
    m = cols_center.shape[0]
    kG = k * G
    cnt = cols_center * G + gj
    A_eq = sp.csr_matrix(
        (
            np.r_[np.ones(m), np.ones(m), -np.ones(kG)],
            (
                np.r_[cols_point_local, n_free + cnt, n_free + np.arange(kG)],
                np.r_[np.arange(m), np.arange(m), m + np.arange(kG)],
            ),
        ),
        shape=(n_free + kG, m + kG),
    )
    b_eq = np.r_[np.ones(n_free), -n_fixed_ig.ravel()]
    i_ = np.repeat(np.arange(k), G * G)
    h_ = np.tile(np.repeat(np.arange(G), G), k)
    h2 = np.tile(np.arange(G), k * G)
    rows, cols, same = i_ * G + h_, m + i_ * G + h2, (h_ == h2).astype(float)
    upper = sp.csr_matrix((same - alpha[h_], (rows, cols)), shape=(kG, m + kG))
    lower = sp.csr_matrix((beta[h_] - same, (rows, cols)), shape=(kG, m + kG))
    return sp.vstack([upper, lower]).tocsr(), np.zeros(2 * kG), A_eq, b_eq


def lp_size(n_columns: int, n_points: int, k: int, G: int) -> dict:
    """Rows, columns and nonzeros of the sparse fair-assignment LP (see ``_restricted_lp_arrays``)."""
    return {
        "variables": n_columns + k * G,
        "equality_rows": n_points + k * G,
        "inequality_rows": 2 * k * G,
        "nonzeros": 2 * n_columns + k * G + 2 * k * G * G,
    }


def _solve_restricted_lp(cost, g, k, G, alpha, beta, free, cand, fixed_center):
    """LP over free points and their candidate centers; fixed points enter as constants.

    Returns (x values per candidate column, column point ids, column centers, dual
    multipliers w (k, G) of the count rows, u (free points) of the assignment rows): the
    reduced cost of column ``x_ij`` (``j`` in group ``h``) is ``cost_ij - u_j - w_ih``.
    """
    n_fixed_ig = np.zeros((k, G))
    fixed = ~free
    np.add.at(n_fixed_ig, (fixed_center[fixed], g[fixed]), 1.0)
    free_idx = np.flatnonzero(free)
    sub = cand[free_idx]
    cols_point_local, cols_center = np.nonzero(sub)
    cols_point = free_idx[cols_point_local]
    m = cols_point.shape[0]
    nf = free_idx.shape[0]
    A_ub, b_ub, A_eq, b_eq = _restricted_lp_arrays(
        cols_point_local, cols_center, g[cols_point], nf, k, G, alpha, beta, n_fixed_ig
    )
    res = linprog(
        np.r_[cost[cols_point, cols_center], np.zeros(k * G)],
        A_ub=A_ub,
        b_ub=b_ub,
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=(0, None),
        method="highs",  # x <= 1 is implied; an explicit bound would take dual mass
    )
    if res.status != 0:
        return None
    duals = res.eqlin.marginals
    return res.x[:m], cols_point, cols_center, duals[nf:].reshape(k, G), duals[:nf]


def _sample_duals(cost, g, k, G, alpha, beta, rng):
    """Count-row multipliers w (k, G) of the LP on a uniform sample of the points.

    The fairness bounds are proportions, so the LP on a sample has nearly the multipliers
    of the full LP; they tell which points can sit only at one center (column generation
    then certifies or corrects that guess). Zero (nearest center) if the sample LP fails.
    """
    n = cost.shape[0]
    size = min(n, max(20 * k, _DIRECT_LP_SIZE // (4 * k)))
    idx = np.sort(rng.choice(n, size, replace=False))
    out = _solve_restricted_lp(
        cost[idx], g[idx], k, G, alpha, beta, np.ones(size, bool), np.ones((size, k), bool), np.zeros(size, np.int64)
    )
    return np.zeros((k, G)) if out is None else out[3]


def fair_lp_assignment(cost, g, alpha, beta, *, random_state=None):
    """Optimal vertex of the fair-assignment LP; returns the (n, k) fractional assignment.

    Up to ``_DIRECT_LP_SIZE`` columns (n k) the sparse LP is solved whole by HiGHS; beyond,
    by column generation started from the multipliers of the LP on a sample.
    """
    n, k = cost.shape
    G = alpha.shape[0]
    tol = 1e-9 * max(1.0, float(cost.max()))
    scale = float(np.mean(cost.min(1))) or 1.0
    if n * k <= _DIRECT_LP_SIZE:
        free = np.ones(n, bool)
        cand = np.ones((n, k), bool)
        fixed_center = np.zeros(n, np.int64)
        gap0 = np.zeros((n, k))
        tau = np.inf
    else:
        w = _sample_duals(cost, g, k, G, alpha, beta, check_random_state(random_state))
        R0 = cost - w[:, g].T
        gap0 = R0 - R0.min(1, keepdims=True)
        fixed_center = R0.argmin(1)
        tau = 1e-2 * scale
        cand = gap0 <= tau
        free = cand.sum(1) > 1
    for _ in range(60):  # column generation rounds; each prices all n k columns at once
        out = _solve_restricted_lp(cost, g, k, G, alpha, beta, free, cand, fixed_center)
        if out is None:
            if free.all() and cand.all():
                raise ValueError(
                    "The fair assignment LP is infeasible for these proportion bounds "
                    "(HiGHS reported no feasible point)."
                )
            # The restriction cut off every feasible point: widen the band of near-ties
            # around the approximate dual optimum (or free everything as a last resort).
            tau *= 4
            if tau > 1e3 * scale:
                cand[:] = True
            cand |= gap0 <= tau
            free = cand.sum(1) > 1
            continue
        xval, cp, cc, w, u_free = out
        R = cost - w[:, g].T
        u = R[np.arange(n), fixed_center]
        u[free] = u_free
        violating = (R < u[:, None] - tol) & ~(cand & free[:, None])
        bad = violating.any(1)
        if not bad.any():
            X = np.zeros((n, k))
            X[~free, fixed_center[~free]] = 1.0
            X[cp, cc] = xval
            return X
        # Price out: re-solve with the offending points free over all centers.
        cand[bad] = True
        free = free | bad
    raise ValueError("Fair assignment LP: column generation did not converge.")  # pragma: no cover


def iterative_rounding(X_frac, cost, g, G, delta_groups=1):
    """Round a vertex LP assignment (Bera et al. 2019, Sec. 4, Lemma 8 / Theorem 2).

    Repeatedly solve the LP on the fractional points with, for every center i and every
    (center, group) pair, the current fractional mass ``T`` bounded to ``[floor T, ceil T]``;
    a constraint is kept only while it touches more than ``2 (Delta + 1)`` fractional
    variables. At a vertex every step fixes a variable or drops a constraint, so each count
    moves by less than ``4 Delta + 3`` in total.
    """
    n, k = X_frac.shape
    labels = np.full(n, -1, dtype=np.int64)
    integral = (X_frac > 1 - 1e-7).any(1)
    labels[integral] = X_frac[integral].argmax(1)
    frac = np.flatnonzero(~integral)
    A = X_frac[frac].copy()
    A[A < 1e-9] = 0.0
    threshold = 2 * (delta_groups + 1)
    n_prev_constraints, stalled = None, False
    while frac.size:  # each round fixes variables or drops constraints; few rounds
        pts, ctr = np.nonzero(A)
        m = pts.shape[0]
        vals = A[pts, ctr]
        gj = g[frac[pts]]
        rows, rhs, row_blocks = [], [], []
        # center rows (key = i) and center-group rows (key = k + i * G + h)
        for keys in (ctr, k + ctr * G + gj):
            uniq, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
            T = np.bincount(inv, weights=vals, minlength=uniq.size)
            keep = counts > threshold
            row_blocks.append((inv, keep, T))
        n_constraints = sum(int(b[1].sum()) for b in row_blocks)
        if n_prev_constraints is not None and n_constraints == n_prev_constraints and stalled:
            # No variable moved: drop the tightest-support constraint (ensures progress).
            inv, keep, T = max(row_blocks, key=lambda b: b[1].sum())
            counts = np.bincount(inv, minlength=keep.size)
            kept = np.flatnonzero(keep)
            if kept.size:
                keep[kept[np.argmin(counts[kept])]] = False
        for inv, keep, T in row_blocks:
            rid = np.cumsum(keep) - 1
            use = keep[inv]
            r = sp.csr_matrix((np.ones(use.sum()), (rid[inv[use]], np.flatnonzero(use))), shape=(int(keep.sum()), m))
            rows += [r, -r]
            rhs += [np.ceil(T[keep] - 1e-9), -np.floor(T[keep] + 1e-9)]
        A_ub = sp.vstack(rows).tocsr() if rows else None
        b_ub = np.concatenate(rhs) if rows else None
        A_eq = sp.csr_matrix((np.ones(m), (pts, np.arange(m))), shape=(frac.size, m))
        res = linprog(
            cost[frac[pts], ctr],
            A_ub=A_ub,
            b_ub=b_ub,
            A_eq=A_eq,
            b_eq=np.ones(frac.size),
            bounds=(0, 1),
            method="highs-ds",
        )
        if res.status != 0:  # pragma: no cover - the previous point is always feasible
            raise ValueError(f"Iterative rounding LP failed: {res.message}")
        new = np.zeros_like(A)
        new[pts, ctr] = np.where(res.x < 1e-9, 0.0, res.x)
        stalled = np.array_equal(new > 0, A > 0) and not ((new > 1 - 1e-9).any())
        n_prev_constraints = n_constraints
        done = (new > 1 - 1e-9).any(1)
        labels[frac[done]] = new[done].argmax(1)
        frac, A = frac[~done], new[~done]
    return labels


class FairAssignment(FairClusteringMixin, BaseEstimator):
    """Fair assignment to fixed centers with per-group proportion bounds (Bera et al. 2019).

    Parameters
    ----------
    n_clusters : int, optional
        Number of centers. Required unless ``centers`` is an array.
    centers : None, "kmeans", "kmedian", "kcenter" or array of shape (k, n_features)
        Where the centers come from: vanilla k-means (default, ``None``), k-median (the
        library's ``kmedian`` when registered, else k-means), Gonzalez k-center, or given.
    delta : float in [0, 1), default=0.2
        Slack of the bounds: ``alpha_h = r_h / (1 - delta)``, ``beta_h = r_h (1 - delta)``.
    alpha, beta : array-like of shape (n_groups,), optional
        Explicit upper / lower proportion bounds per group (sorted group order); override
        ``delta``. Feasible exactly when ``beta_h <= r_h <= alpha_h`` for every group.
    p : float >= 1, default=2
        Cost power: the LP minimises ``sum_j d(j, center(j))^p`` (2: k-means, 1: k-median).
    random_state : int, Generator or None

    Attributes
    ----------
    labels_, cluster_centers_, cost_ (integral cost), lp_cost_ (fractional LP optimum),
    alpha_, beta_ (bounds used), violation_ (largest additive violation of a bound, in
    points; at most ``4 Delta + 3 = 7`` by Theorem 2), n_features_in_.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left"), None],
        "centers": [StrOptions(set(_CENTER_METHODS)), "array-like", None],
        "delta": [Interval(Real, 0, 1, closed="left")],
        "alpha": ["array-like", None],
        "beta": ["array-like", None],
        "p": [Interval(Real, 1, np.inf, closed="left")],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(self, n_clusters=None, centers=None, delta=0.2, alpha=None, beta=None, p=2, random_state=None):
        self.n_clusters = n_clusters
        self.centers = centers
        self.delta = delta
        self.alpha = alpha
        self.beta = beta
        self.p = p
        self.random_state = random_state

    def _bounds(self, r: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        G = r.shape[0]
        if self.alpha is None and self.beta is None:
            delta = float(self.delta)
            return r / (1 - delta), r * (1 - delta)
        alpha = np.ones(G) if self.alpha is None else check_array(self.alpha, "alpha", ndim=1)
        beta = np.zeros(G) if self.beta is None else check_array(self.beta, "beta", ndim=1)
        for name, b in (("alpha", alpha), ("beta", beta)):
            if b.shape[0] != G:
                raise ValueError(f"{name} needs one bound per group ({G}); got {b.shape[0]}.")
        bad = np.flatnonzero((beta > r + 1e-12) | (alpha < r - 1e-12))
        if bad.size:
            h = bad[0]
            raise ValueError(
                f"Infeasible proportion bounds for group {groups[h]!r}: it makes up {r[h]:.4f} of the "
                f"data, so every cluster cannot hold between beta={beta[h]:.4f} and alpha={alpha[h]:.4f} "
                "of it (the clusters' shares average to the data share). Need beta <= share <= alpha."
            )
        return alpha, beta

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> FairAssignment:
        """Compute centers (unless given), the fair LP assignment and its rounding."""
        check_params(self)
        X, g, groups = self._validate_fit_input(X, sensitive_features)
        n = X.shape[0]
        p = float(self.p)
        rng = check_random_state(self.random_state)
        if self.centers is None or isinstance(self.centers, str):
            method = check_choice("kmeans" if self.centers is None else self.centers, _CENTER_METHODS, "centers")
            if self.n_clusters is None:
                raise ValueError("n_clusters is required when centers are computed (centers is not an array).")
            k = check_n_clusters(self.n_clusters, n)
            if n < 2:
                raise ValueError("FairAssignment needs more than 1 sample (n_samples = 1) to compute centers.")
            C = _vanilla_centers(method, X, k, rng)
        else:
            C = check_array(self.centers, "centers")
            if C.shape[1] != X.shape[1]:
                raise ValueError(f"centers have {C.shape[1]} features but X has {X.shape[1]}.")
            if self.n_clusters is not None and check_n_clusters(self.n_clusters) != C.shape[0]:
                raise ValueError(f"n_clusters={self.n_clusters} but {C.shape[0]} centers were given.")
            k = C.shape[0]
        G = groups.shape[0]
        r = np.bincount(g, minlength=G) / n
        alpha, beta = self._bounds(r, groups)
        cost = np.sqrt(sq_distances(X, C)) ** p if p != 2 else sq_distances(X, C)
        X_frac = fair_lp_assignment(cost, g, alpha, beta, random_state=rng)
        labels = iterative_rounding(X_frac, cost, g, G)
        counts = np.zeros((k, G))
        np.add.at(counts, (labels, g), 1.0)
        size = counts.sum(1, keepdims=True)
        self.cluster_centers_ = C
        self.labels_ = labels
        self.lp_cost_ = float((X_frac * cost).sum())
        self.cost_ = float(cost[np.arange(n), labels].sum())
        self.alpha_, self.beta_ = alpha, beta
        self.violation_ = float(max(0.0, np.max(counts - alpha * size), np.max(beta * size - counts)))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Nearest center for new points (fairness bounds apply to the fitted data only)."""
        X = self._validate_predict_input(X)
        return sq_distances(X, self.cluster_centers_).argmin(1)


@register_method(
    "bera", fair=True, description="fair LP assignment to k-means centers with rounding (Bera et al. 2019)"
)
def _bera(n_clusters: int, random_state: int | None, **params: Any) -> FairAssignment:
    return FairAssignment(n_clusters=n_clusters, random_state=random_state, **params)
