"""Spectral clustering with group-fairness constraints (FSC).

Kleindessner, Samadi, Awasthi and Morgenstern, *Guarantees for Spectral Clustering with
Fairness Constraints*, ICML 2019 (Algorithms 2 and 3). The relaxed cut problem

    min_H  Tr(H^T L H)   s.t.  H^T H = I  (unnormalized)  or  H^T D H = I  (normalized),
                              F^T H = 0,

where ``F`` has one column per group but the last, ``f_s = 1[group = s] - (|V_s| / n) 1``,
asks every relaxed cluster indicator to contain each group in its data proportion. The
paper writes ``H = Z Y`` with ``Z`` an orthonormal basis of the null space of ``F^T``
(dense, ``n x (n - G + 1)``). For large ``n`` we never form ``Z``: the null space is the
complement of the ``G - 1`` columns of ``F``, so we hand ``F`` (normalized: ``D^{-1} F``)
to LOBPCG as constraints ``Y`` — the iterations stay in the (``D``-)orthogonal complement of
``Y``, which is exactly ``{h : F^T h = 0}`` — and solve ``L h = lambda h`` (unnormalized) or
the generalized ``L h = lambda D h`` (normalized; the paper's ``Q = sqrtm(Z^T D Z)``
change of variables is this generalized problem restricted to the null space). Memory is
``O(nnz(L) + n k)``. Then k-means on the rows of ``H``.

The thesis (Sec. 4.1.3.2) uses the symmetric k-nearest-neighbour graph with 3 neighbours.
"""

from __future__ import annotations

import importlib.util
import warnings
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh, null_space
from scipy.sparse.linalg import LinearOperator, lobpcg, splu
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.neighbors import kneighbors_graph

from .._validation import Interval, StrOptions, check_n_clusters, check_params, check_random_state, seed_from
from ._base import FairClusteringMixin
from ._registry import register_method

__all__ = ["FairSpectralClustering"]

# Below this many samples the paper's dense null-space algorithm is used verbatim.
_DENSE_MAX_SAMPLES = 1000
# With eigen_solver=None, AMG-preconditioned LOBPCG (when PyAMG is installed) above this many samples.
_AMG_MIN_SAMPLES = 20_000


def _fairness_matrix(g: np.ndarray, n_groups: int) -> np.ndarray:
    """``F`` of Kleindessner et al. (Sec. 3): indicator minus proportion, groups 0..G-2."""
    onehot = (g[:, None] == np.arange(n_groups - 1)[None, :]).astype(float)
    return onehot - onehot.mean(0, keepdims=True)


def _dense_embedding(L: sp.spmatrix, deg: np.ndarray, F: np.ndarray, k: int, normalized: bool) -> np.ndarray:
    Ld = L.toarray()
    Z = null_space(F.T)  # Alg. 2/3, step 2
    M = Z.T @ Ld @ Z
    if not normalized:
        _, Y = eigh((M + M.T) / 2, subset_by_index=[0, k - 1])
        return Z @ Y
    # Alg. 3: Q = sqrtm(Z^T D Z), eigenvectors of Q^{-1} Z^T L Z Q^{-1}, H = Z Q^{-1} X
    ZDZ = Z.T @ (deg[:, None] * Z)
    s, U = eigh((ZDZ + ZDZ.T) / 2)
    Q_inv = (U / np.sqrt(s)) @ U.T
    Ms = Q_inv @ M @ Q_inv
    _, Xv = eigh((Ms + Ms.T) / 2, subset_by_index=[0, k - 1])
    return Z @ (Q_inv @ Xv)


def _sparse_embedding(L, deg, F, k, normalized, rng) -> np.ndarray:
    """k smallest eigenvectors of L (or L_sym) on null(F^T), by shift-invert Lanczos.

    The operator T b = x, with x in null(F^T) solving the saddle-point system
    ``(L + eps I) x + F mu = b, F^T x = 0``, is the inverse of the projected operator
    ``P (L + eps I) P`` on the null space and zero on span(F): its largest eigenvalues
    ``1 / (lambda + eps)`` are the constrained smallest ones. One sparse LU of ``L + eps I``
    and a ``(G-1) x (G-1)`` Schur complement; ``F`` directions never enter the spectrum.
    """
    n = L.shape[0]
    if normalized:
        # L h = lambda D h, F^T h = 0  <=>  L_sym v = lambda v, (D^{-1/2} F)^T v = 0, h = D^{-1/2} v
        d_isqrt = 1.0 / np.sqrt(deg)
        L = (sp.diags(d_isqrt) @ L @ sp.diags(d_isqrt)).tocsc()
        F = F * d_isqrt[:, None]
        eps = 1e-3
    else:
        eps = 1e-3 * float(deg.mean())
    K = splu((L + eps * sp.identity(n)).tocsc(), permc_spec="MMD_AT_PLUS_A")
    KF = K.solve(np.asfortranarray(F))
    schur = F.T @ KF

    def apply(b):
        b = np.asarray(b).reshape(n, -1)
        # column by column: SuperLU's multi-right-hand-side solve is several times slower
        Kb = np.column_stack([K.solve(np.ascontiguousarray(b[:, j])) for j in range(b.shape[1])])
        mu = np.linalg.solve(schur, F.T @ Kb)
        return (Kb - KF @ mu).reshape(b.shape if b.shape[1] > 1 else (n,))

    T = LinearOperator((n, n), matvec=apply, matmat=apply, dtype=float)
    # A block method, not Lanczos: a kNN graph with several components has exactly repeated
    # eigenvalues, and single-vector Lanczos returns only one vector per distinct value.
    m = min(k + 4, n // 5)
    X0 = apply(rng.standard_normal((n, m)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LOBPCG warns when it stops at maxiter; the result is usable
        vals, V = lobpcg(T, X0, tol=1e-6 / eps, largest=True, maxiter=100)
    V = V[:, np.argsort(vals)[::-1][:k]]
    return V * d_isqrt[:, None] if normalized else V


def _amg_embedding(L, deg, F, k, normalized, rng) -> np.ndarray:
    """k smallest eigenvectors of ``L h = lambda h`` (or ``lambda D h``) with ``F^T h = 0``, by LOBPCG.

    LOBPCG (Knyazev 2001) keeps its iterates orthogonal to the constraint block ``Y = F``
    (normalized: the problem in ``L_sym = D^{-1/2} L D^{-1/2}`` with ``Y = D^{-1/2} F``,
    then ``h = D^{-1/2} v``). It is preconditioned by one smoothed-aggregation AMG
    V-cycle on ``L + eps I`` (PyAMG, Olson & Schroder), as scikit-learn's
    ``SpectralClustering(eigen_solver="amg")`` does; no factorization, so memory stays
    ``O(nnz(L) + n k)`` and the time near-linear in n.
    """
    try:
        import pyamg
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "FairSpectralClustering(eigen_solver='amg') needs PyAMG: pip install 'robustfair[amg]' (or pyamg)."
        ) from exc
    n = L.shape[0]
    if normalized:
        # L h = lambda D h, F^T h = 0  <=>  L_sym v = lambda v, (D^{-1/2} F)^T v = 0, h = D^{-1/2} v
        d_isqrt = 1.0 / np.sqrt(deg)
        L = (sp.diags(d_isqrt) @ L @ sp.diags(d_isqrt)).tocsr()
        F = F * d_isqrt[:, None]
        eps = 1e-3
    else:
        eps = 1e-3 * float(deg.mean())
    ml = pyamg.smoothed_aggregation_solver((L + eps * sp.identity(n)).tocsr(), max_coarse=500)
    M = ml.aspreconditioner(cycle="V")
    m = min(k + 4, n // 5)
    X0 = rng.standard_normal((n, m))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LOBPCG warns when it stops at maxiter; the result is usable
        vals, V = lobpcg(L, X0, M=M, Y=F, tol=1e-4, largest=False, maxiter=100)
    V = V[:, np.argsort(vals)[:k]]
    return V * d_isqrt[:, None] if normalized else V


class FairSpectralClustering(FairClusteringMixin, BaseEstimator):
    """Fair spectral clustering on a symmetric k-nearest-neighbour graph (FSC).

    Parameters
    ----------
    n_clusters : int, default=8
    variant : {"unnormalized", "normalized"}, default="unnormalized"
        Algorithm 2 (ratio cut, ``L = D - W``) or Algorithm 3 (normalized cut, ``D``-weighted).
    n_neighbors : int, default=3
        Neighbours per point of the kNN graph, symmetrised with "or" (thesis Sec. 4.1.3.2).
    eigen_solver : {None, "amg", "shift-invert"}, default=None
        Beyond 1000 samples: "amg", LOBPCG with a PyAMG preconditioner (the ``amg`` extra,
        near-linear time), or "shift-invert", LOBPCG on a sparse LU of ``L + eps I`` (no
        extra dependency; LU fill-in makes it slow on graphs of high-dimensional data).
        None picks "amg" beyond 20,000 samples when PyAMG is installed (at 50,000
        points, 10 features: 17-21 s against 25-26 s for "shift-invert", objective within
        0.05%), else "shift-invert". Up to 1000 samples the paper's dense
        algorithm runs whatever this says.
    random_state : int, Generator or None
        Seeds the eigensolver start and the final k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    embedding_ : ndarray of shape (n_samples, n_clusters)
        The fair spectral embedding ``H`` (``F^T H = 0``).
    affinity_matrix_ : scipy.sparse.csr_matrix
        The symmetric 0/1 kNN adjacency ``W``.
    n_features_in_ : int

    Notes
    -----
    No ``predict``: spectral clustering has no out-of-sample rule.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "variant": [StrOptions({"unnormalized", "normalized"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "eigen_solver": [StrOptions({"amg", "shift-invert"}), None],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(self, n_clusters=8, *, variant="unnormalized", n_neighbors=3, eigen_solver=None, random_state=None):
        self.n_clusters = n_clusters
        self.variant = variant
        self.n_neighbors = n_neighbors
        self.eigen_solver = eigen_solver
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> FairSpectralClustering:
        """Build the kNN graph, solve the fairness-constrained eigenproblem, run k-means."""
        check_params(self)
        X, g, groups = self._validate_fit_input(X, sensitive_features)
        n = X.shape[0]
        variant = self.variant
        solver = self.eigen_solver
        if solver is None:
            # measured: SuperLU is faster up to ~20k points, AMG beyond (LU fill-in grows)
            big = n > _AMG_MIN_SAMPLES and importlib.util.find_spec("pyamg") is not None
            solver = "amg" if big else "shift-invert"
        nn = int(self.n_neighbors)
        if n <= nn:
            raise ValueError(
                f"FairSpectralClustering needs more than n_neighbors={nn} samples to build the "
                f"neighbour graph; got n_samples = {n}."
            )
        k = check_n_clusters(self.n_clusters, n)
        G = groups.shape[0]
        if k > n - G + 1:
            raise ValueError(
                f"n_clusters={k} exceeds the dimension of the fairness null space (n_samples - "
                f"n_groups + 1 = {n - G + 1})."
            )
        rng = check_random_state(self.random_state)
        A = kneighbors_graph(X, nn, mode="connectivity", include_self=False)
        W = A.maximum(A.T).tocsr()
        deg = np.asarray(W.sum(1)).ravel()
        L = (sp.diags(deg) - W).tocsr()
        F = _fairness_matrix(g, G)
        normalized = variant == "normalized"
        if n <= _DENSE_MAX_SAMPLES or n < 5 * (2 * k + 4):
            H = _dense_embedding(L, deg, F, k, normalized)
        elif solver == "amg":
            H = _amg_embedding(L, deg, F, k, normalized, rng)
        else:
            H = _sparse_embedding(L, deg, F, k, normalized, rng)
        km = KMeans(n_clusters=k, n_init=10, random_state=seed_from(rng)).fit(H)
        self.affinity_matrix_ = W
        self.embedding_ = H
        self.labels_ = km.labels_.astype(np.int64)
        return self


@register_method(
    "fsc", fair=True, description="fair spectral clustering, kNN graph with 3 neighbours (Kleindessner et al. 2019)"
)
def _fsc(n_clusters: int, random_state: int | None, **params: Any) -> FairSpectralClustering:
    return FairSpectralClustering(n_clusters=n_clusters, random_state=random_state, **params)
